"""Skill lines as a person types them in a form: ``名称 [级别]`` per line (``数据标注 3``,
``Python 4``), the name in Chinese or English (or a code). Names become codes through
``naming.code_for``; an unknown name is a localized error naming its line and offering the
closest concepts. Used by the forms of batches, orders and training scenarios (the demand
form has its own reader, with "optional" as well)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext as _

from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.numbers import is_ascii_digits
from nomadcloud.taxonomy import naming
from nomadcloud.taxonomy.widgets import shown_names


def parse(text: str, kinds: tuple[str, ...], *, field: str = "skills") -> list[dict[str, Any]]:
    """``[{"code": …, "level": …}]`` from the lines; a missing level is 5 (entry)."""
    skills: list[dict[str, Any]] = []
    errors: list[forms.ValidationError] = []
    for number, line in enumerate(text.splitlines(), start=1):
        parts = line.split()
        if not parts:
            continue
        level = "5"
        if len(parts) > 1 and is_ascii_digits(parts[-1]):
            level = parts.pop()
        name = " ".join(parts)
        if not name or not is_ascii_digits(level):
            raise forms.ValidationError(
                _("Line %(n)d: the level must be a number from 5 (entry) to 1 (expert).")
                % {"n": number}
            )
        try:
            code = naming.code_for(name, kinds, field=field)
        except InvalidInput as error:
            errors.append(
                forms.ValidationError(
                    _("Line %(n)d: %(error)s") % {"n": number, "error": error.message},
                    code=error.code,
                )
            )
            continue
        skills.append({"code": code, "level": int(level)})
    if errors:
        raise forms.ValidationError(errors)
    return skills


def shown(skills: Iterable[tuple[str, int]]) -> str:
    """(code, level) pairs as the lines the form starts with: names where they read back."""
    return "\n".join(f"{shown_names([code])} {level}" for code, level in skills)
