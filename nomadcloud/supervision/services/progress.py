"""序时进度 (expected progress) and progress from linked indicators.

Where a task has milestones, its expected progress follows them: from 0 % on the day it was
assigned, up to each milestone's target on its date, then up to 100 % on the due date, in
straight lines between those points. Without milestones it is the share of the time from
assignment to the due date that has passed (the straight line from 0 % to 100 %)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable
from decimal import Decimal

from nomadcloud.core import indicators
from nomadcloud.supervision.models import Milestone, Task
from nomadcloud.supervision.services._common import HUNDRED, today_or

ZERO = Decimal("0")


def schedule(
    task: Task, milestones: Iterable[Milestone] | None = None
) -> list[tuple[dt.date, Decimal]]:
    """The points (date, % expected) the expected progress runs through; empty when the task
    is not assigned. ``milestones`` may be given (already fetched) to save a query."""
    if task.assigned_on is None or task.due is None:
        return []
    rows = list(task.milestones.all()) if milestones is None else list(milestones)
    start = max([ZERO, *(m.target for m in rows if m.due <= task.assigned_on)])
    points = [(task.assigned_on, start)]
    for m in sorted(rows, key=lambda m: (m.due, m.target)):
        if task.assigned_on < m.due <= task.due:
            if points[-1][0] == m.due:
                points[-1] = (m.due, max(points[-1][1], m.target))
            else:
                points.append((m.due, max(points[-1][1], m.target)))
    if points[-1][0] < task.due:
        points.append((task.due, HUNDRED))
    else:  # a milestone on the due date (or a task due the day it was assigned)
        points[-1] = (points[-1][0], HUNDRED)
    return points


def expected_progress(
    task: Task, today: dt.date | None = None, milestones: Iterable[Milestone] | None = None
) -> Decimal:
    """序时进度 on ``today``: interpolated between the points of ``schedule``."""
    points = schedule(task, milestones)
    if not points:
        return ZERO
    day = today_or(today)
    if day >= points[-1][0]:
        return HUNDRED
    if day <= points[0][0]:
        return points[0][1]
    for (a_day, a_value), (b_day, b_value) in itertools.pairwise(points):
        if a_day <= day <= b_day:
            share = Decimal((day - a_day).days) / Decimal((b_day - a_day).days)
            return (a_value + (b_value - a_value) * share).quantize(Decimal("0.01"))
    return HUNDRED  # pragma: no cover (the points cover every day up to the last)


def indicator_progress(task: Task, today: dt.date | None = None) -> Decimal | None:
    """Progress from the linked indicators (``[{"code": …, "target": "…"}]``): the mean of
    each value's share of its target this year, capped at 100 %; None when none is linked."""
    shares: list[Decimal] = []
    period = indicators.Period.of("year", today_or(today))
    for link in task.indicators or []:
        found = indicators.get(str(link["code"]))
        target = Decimal(str(link["target"]))
        if found.compute is None or target <= 0:
            continue
        shares.append(min(HUNDRED, HUNDRED * found.value(period) / target))
    if not shares:
        return None
    return (sum(shares, ZERO) / len(shares)).quantize(Decimal("0.01"))
