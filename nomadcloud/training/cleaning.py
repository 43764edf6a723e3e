"""Input cleaning shared by the training and orders services: each helper returns the clean
value or raises a localized field error naming the field."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from nomadcloud.core.errors import invalid_field
from nomadcloud.core.money import to_cny
from nomadcloud.core.numbers import is_ascii_digits
from nomadcloud.taxonomy import naming
from nomadcloud.taxonomy.levels import SkillLevel
from nomadcloud.taxonomy.models import Concept

MAX_AMOUNT = Decimal("1e13")
# The kinds an order or a scenario may show, named or by code.
SKILL_KINDS = (*naming.SKILLS_AND_TOOLS, *naming.OCCUPATIONS)


def text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid_field(field, _("This value has the wrong type."))
    result = str(value).strip()
    if len(result) > max_length:
        raise invalid_field(field, _("At most %(n)d characters, please.") % {"n": max_length})
    if required and not result:
        raise invalid_field(field, _("This field is required."))
    return result


def integer(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        if isinstance(value, str) and is_ascii_digits(value.strip()):
            value = int(value.strip())
        else:
            raise invalid_field(field, _("Enter a whole number."))
    if not low <= value <= high:
        raise invalid_field(
            field, _("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high}
        )
    return int(value)


def day(value: Any, field: str, *, required: bool = True) -> date | None:
    if value is None or value == "":
        if required:
            raise invalid_field(field, _("This field is required."))
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise invalid_field(field, _("Enter a date as YYYY-MM-DD."))


def amount(value: Any, field: str, *, positive: bool = False) -> Decimal:
    """An exact CNY amount: Decimal or text with at most two decimal places, never a float."""
    if value is None or value == "":
        raise invalid_field(field, _("This field is required."))
    try:
        result = to_cny(value)
    except ValueError:
        raise invalid_field(
            field, _("Enter an amount in yuan with at most two decimal places.")
        ) from None
    if result < 0 or (positive and result == 0):
        raise invalid_field(
            field,
            _("The amount must be more than zero.")
            if positive
            else _("Amounts cannot be negative."),
        )
    if result >= MAX_AMOUNT:
        raise invalid_field(field, _("This amount is too large."))
    return result


def percent(value: Any, field: str) -> Decimal:
    try:
        result = to_cny(value)  # the same exactness rule: at most two places, no floats
    except ValueError:
        raise invalid_field(
            field, _("Enter a percentage with at most two decimal places.")
        ) from None
    if not Decimal(0) <= result <= Decimal(100):
        raise invalid_field(field, _("Enter a percentage from 0 to 100."))
    return result


def url(value: Any, field: str) -> str:
    result = text(value, field, 500)
    if not result:
        raise invalid_field(field, _("This field is required."))
    try:
        URLValidator(schemes=["http", "https"])(result)
    except ValidationError:
        raise invalid_field(
            field, _("Enter a web address starting with http:// or https://.")
        ) from None
    return result


def urls(values: Iterable[Any], field: str, *, limit: int = 10) -> list[str]:
    items = [v for v in values if v not in (None, "")]
    if len(items) > limit:
        raise invalid_field(field, _("At most %(n)d links, please.") % {"n": limit})
    return [url(v, f"{field}.{i}") for i, v in enumerate(items)]


def level(value: Any, field: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in SkillLevel.values:
        raise invalid_field(
            field, _("Levels go from 5 (五级/初级工, entry) to 1 (一级/高级技师, expert).")
        )
    return value


def skills(raw: Iterable[Any], field: str = "skills") -> list[tuple[Concept, int]]:
    """``[{"code": "数据标注", "level": 3}, …]`` → concepts with levels (no duplicates); each
    ``code`` is a code or a name in Chinese or English, resolved through ``naming``."""
    items = [item if isinstance(item, dict) else dict(item) for item in raw]
    if len(items) > 30:
        raise invalid_field(field, _("At most %(n)d skills, please.") % {"n": 30})
    written = [str(item.get("code", "")).strip() for item in items]
    codes = []
    for index, name in enumerate(written):
        code = naming.code_or_any(name, SKILL_KINDS)
        if code is None:
            raise naming.unknown(f"{field}.{index}", name, SKILL_KINDS)
        codes.append(code)
    found = {c.code: c for c in Concept.objects.filter(code__in=codes, is_active=True)}
    result: list[tuple[Concept, int]] = []
    seen: set[str] = set()
    for index, (code, item) in enumerate(zip(codes, items, strict=True)):
        if code not in found:
            raise naming.unknown(f"{field}.{index}", code, SKILL_KINDS)
        if code in seen:
            raise invalid_field(f"{field}.{index}", _("%(code)s is listed twice.") % {"code": code})
        seen.add(code)
        result.append((found[code], level(item.get("level", 5), f"{field}.{index}.level")))
    return result


def one_of(value: Any, field: str, choices: Iterable[str]) -> str:
    allowed = list(choices)
    if value not in allowed:
        raise invalid_field(
            field, _("Choose one of: %(choices)s.") % {"choices": ", ".join(allowed)}
        )
    return str(value)
