"""Splitting an order's money exactly, with no Django imports.

A settlement gives each milestone's amount to the nomad and/or back to the enterprise. When
the nomad is owed only part of the total (a dispute decided as a split), the share fills the
milestones in their order: earlier milestones are settled to the nomad first, which is also
the order in which work is delivered. Every line adds up to its milestone exactly, and the
lines add up to the decision exactly.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal


def allocate(amounts: Sequence[Decimal], to_nomad: Decimal) -> list[tuple[Decimal, Decimal]]:
    """``[(to_nomad, to_enterprise)]`` per milestone amount."""
    total = sum(amounts, Decimal(0))
    if not Decimal(0) <= to_nomad <= total:
        raise ValueError(f"the nomad's share {to_nomad} is not between 0 and {total}")
    remaining = to_nomad
    lines = []
    for amount in amounts:
        part = min(amount, remaining)
        remaining -= part
        lines.append((part, amount - part))
    return lines
