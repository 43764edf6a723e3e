from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

from nomadcloud.core.i18n import localized
from nomadcloud.core.money import format_cny, format_cny_headline

register = template.Library()


@register.filter
def cny(amount: Decimal | None) -> str:
    return "" if amount is None else format_cny(Decimal(amount))


@register.filter
def cny_headline(amount: Decimal | int | None) -> str:
    """``{{ amount|cny_headline }}``: 20亿元 on Chinese pages, ¥2 billion on English ones.

    Rounded for reading (core.money.format_cny_headline): only for headline figures, never
    where the exact amount matters (prices, balances, payments use ``cny``).
    """
    if amount is None:
        return ""
    chinese = (get_language() or "").lower().startswith("zh")
    return format_cny_headline(Decimal(amount), chinese=chinese)


@register.simple_tag
def loc(obj: Any, field: str) -> str:
    """``{% loc org "name" %}``: the reader's language, the other one as fallback."""
    return localized(obj, field)
