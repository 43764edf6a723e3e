"""The rubric arithmetic, with no Django imports: a weighted score in percent, exact.

score = Σ weightᵢ · pointsᵢ / maxᵢ  ÷  Σ weightᵢ  × 100, computed with exact fractions and
rounded half-up to two places only at the end. A submission passes when its score is at
least the pass mark.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction


@dataclass(frozen=True)
class Line:
    weight: int
    max_points: int
    points: int


def weighted_score(lines: Iterable[Line]) -> Decimal:
    rows = list(lines)
    total_weight = sum(line.weight for line in rows)
    if not rows or total_weight <= 0:
        raise ValueError("a rubric needs at least one criterion with a positive weight")
    for line in rows:
        if line.weight < 0 or line.max_points <= 0 or not 0 <= line.points <= line.max_points:
            raise ValueError(f"points out of range: {line}")
    percent = (
        sum((Fraction(line.weight * line.points, line.max_points) for line in rows), Fraction(0))
        * 100
        / total_weight
    )
    hundredths = math.floor(percent * 100 + Fraction(1, 2))  # half-up; never negative
    return Decimal(hundredths).scaleb(-2)


def passes(score: Decimal, pass_score: Decimal) -> bool:
    return score >= pass_score
