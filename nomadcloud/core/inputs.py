"""One typed, immutable input per writing use case.

A use case's input is a frozen pydantic model (a ``Draft``) that states the limits of its
fields once. The API takes it as its request schema (or validates its payload into it); a
page form does only presentation parsing (text to values) and hands its cleaned data to
``draft_from_form``, which validates it with the same model and shows any error on the
form's field in the reader's language. Services take the draft as a keyword-only argument;
rules that need the database or more than one field stay in the service.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from django import forms
from pydantic import ConfigDict, ValidationError

from nomadcloud.core.api import field_name, message_for
from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.schemas import Input

D = TypeVar("D", bound="Draft")


class Draft(Input):
    """Base of every use case's typed input: frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def errors_by_field(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        fields.setdefault(field_name(error.get("loc", ())), []).append(message_for(dict(error)))
    return fields


def parse_draft(model: type[D], data: Mapping[str, Any]) -> D:
    """Validate ``data`` into ``model``; refusal is ``InvalidInput`` naming each field."""
    from django.utils.translation import gettext as _

    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(_("Some fields are not valid."), fields=errors_by_field(exc)) from exc


def draft_from_form(form: forms.Form, model: type[D], **extra: Any) -> D | None:
    """The form's cleaned data (plus ``extra``) as ``model``, or None with the errors shown
    on the form (on the field when the form has it, else on the form)."""
    try:
        return model.model_validate({**form.cleaned_data, **extra})
    except ValidationError as exc:
        for name, messages in errors_by_field(exc).items():
            target = name.split(".")[0]
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
        return None
