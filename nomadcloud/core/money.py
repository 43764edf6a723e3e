"""Exact money amounts (CNY): Decimal with two places, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

from django.db import models

from nomadcloud.core.numbers import parse_decimal

CENT = Decimal("0.01")


class MoneyField(models.DecimalField):  # type: ignore[type-arg]
    """A CNY amount: up to 9,999,999,999,999.99, stored exactly."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def to_cny(value: object) -> Decimal:
    """Parse an amount exactly (core/numbers.py rules: written out in ASCII digits, no
    exponent, NaN, boolean or float), with at most two places and at most 13 digits before
    the point; raises ``ValueError`` (``NumberRefused``, with a localized message)."""
    return parse_decimal(value, max_digits=15, decimal_places=2).quantize(CENT)


def format_cny(amount: Decimal) -> str:
    """``¥1,234,567.50`` in both languages (Chinese writes CNY amounts the same way)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount.quantize(CENT)):,.2f}"


_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)
_MILLION = Decimal(1_000_000)
_BILLION = Decimal(1_000_000_000)


def _grouped(value: Decimal, places: int) -> str:
    """Thousands-separated, rounded to ``places``; trailing zeros after the point dropped."""
    text = f"{value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN):,.{places}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def format_cny_headline(amount: Decimal, *, chinese: bool) -> str:
    """A headline figure, rounded for reading: never where the exact amount matters.

    Chinese counts in 万 (10⁴) and 亿 (10⁸): below 1万 the amount as it is (``9,999元``,
    ``9,999.50元``); from 1万 the number of 万 or 亿 with at most two decimals, trailing
    zeros dropped (``3.5万元``, ``20亿元``; 9,999.999万 rounds up to ``1亿元``). English uses the
    short scale the same way: ``¥35,000``, ``¥3.5 million``, ``¥2 billion``.
    """
    sign = "-" if amount < 0 else ""
    value = abs(Decimal(amount))
    if chinese:
        units = ((_YI, "亿"), (_WAN, "万"))
        exact, tail = "{}元", "{}{}元"
    else:
        units = ((_BILLION, " billion"), (_MILLION, " million"))
        exact, tail = "¥{}", "¥{}{}"
    for index, (size, name) in enumerate(units):
        if value >= size:
            count = (value / size).quantize(CENT, rounding=ROUND_HALF_EVEN)
            bigger = units[index - 1] if index else None
            if bigger and count * size >= bigger[0]:  # rounded up into the next unit
                return sign + tail.format(_grouped(count * size / bigger[0], 2), bigger[1])
            return sign + tail.format(_grouped(count, 2), name)
    cents = value.quantize(CENT)
    whole = cents == cents.to_integral_value()
    return sign + exact.format(f"{cents:,.0f}" if whole else f"{cents:,.2f}")
