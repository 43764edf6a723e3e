"""How many work units a verified contribution carries: the one place for the rule.

Work units are what the points issue lets a nomad exchange (asset ``WU``, two decimal places).
One work unit stands for one yuan of accepted work, so that paid work of every kind weighs the
same:

- **data-processing work**: the pay for the accepted items (items accepted × pay per item);
- **an order**: accepted milestone by milestone, each accepted milestone carries its amount
  (the milestone is then owed to the nomad; the order's milestones add up to its total); a
  later dispute does not change a credential already issued (an operator revokes it if the
  work is undone);
- **a training scenario**: unpaid, and scenarios record no hours (their dates are a calendar,
  not effort), so a passed scenario carries a flat ``TRAINING_WORK_UNITS``.

Amounts are exact ``Decimal`` values rounded half-up to the cent.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TRAINING_WORK_UNITS = Decimal("20.00")


def _units(amount: Decimal) -> Decimal:
    return max(Decimal(amount), Decimal(0)).quantize(CENT, rounding=ROUND_HALF_UP)


def for_data(pay: Decimal) -> Decimal:
    """Accepted data-processing work: its pay (items accepted × pay per item)."""
    return _units(pay)


def for_order(total: Decimal) -> Decimal:
    """An accepted milestone of an order: its amount."""
    return _units(total)


def for_training() -> Decimal:
    """A passed training scenario: the flat amount."""
    return TRAINING_WORK_UNITS
