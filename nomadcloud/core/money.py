"""Exact money amounts (CNY): Decimal with two places, never floats."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

from django.db import models

CENT = Decimal("0.01")


class MoneyField(models.DecimalField):  # type: ignore[type-arg]
    """A CNY amount: up to 9,999,999,999,999.99, stored exactly."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def to_cny(value: object) -> Decimal:
    """Parse an amount exactly; refuse floats (they are not exact) and more than 2 places."""
    if isinstance(value, float):
        raise ValueError("money amounts must not be floats")
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    if not amount.is_finite() or amount != amount.quantize(CENT, rounding=ROUND_HALF_EVEN):
        raise ValueError(f"not an amount with at most two decimal places: {value!r}")
    return amount.quantize(CENT)


def format_cny(amount: Decimal) -> str:
    """``¥1,234,567.50`` in both languages (Chinese writes CNY amounts the same way)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}¥{abs(amount.quantize(CENT)):,.2f}"
