from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template

from nomadcloud.core.i18n import localized
from nomadcloud.core.money import format_cny

register = template.Library()


@register.filter
def cny(amount: Decimal | None) -> str:
    return "" if amount is None else format_cny(Decimal(amount))


@register.simple_tag
def loc(obj: Any, field: str) -> str:
    """``{% loc org "name" %}``: the reader's language, the other one as fallback."""
    return localized(obj, field)
