"""Quality of a dataset version by the six dimensions of GB/T 36344-2018 (数据质量评价指标),
each 0–100, computed from what the release holds (docs/datapools.md gives each measure)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

DIMENSIONS = (
    "accuracy",
    "consistency",
    "completeness",
    "conformity",
    "timeliness",
    "accessibility",
)


def _percent(part: int, whole: int) -> int:
    return 100 if whole == 0 else round(100 * part / whole)


def assess(
    *,
    schema: list[dict[str, Any]],
    rows: list[dict[str, Any]],
    received_rows: int,
    current_charter_rows: int,
    received_at: list[tuple[datetime, int]],
    retention_days: int,
    access_modes: list[str],
    now: datetime,
    measured: tuple[int, int, int] | None = None,
) -> tuple[dict[str, int], int]:
    """Scores per dimension and their mean (rounded):

    - accuracy (准确性): rows that passed the checks among all rows received for the pool;
    - consistency (一致性): distinct rows among the rows;
    - completeness (完整性): filled cells among all cells of the schema's columns;
    - conformity (规范性): rows given under the current charter version;
    - timeliness (时效性): rows received within the retention period;
    - accessibility (可访问性): 100 when the charter allows an access mode, else 0.

    ``measured`` (rows, filled cells, distinct rows) is given instead when the release holds
    rows kept in files (large contributions), which ``rows`` then leaves out.
    """
    names = [c["name"] for c in schema]
    if measured is not None:
        total, filled, distinct = measured
    else:
        total = len(rows)
        filled = sum(1 for row in rows for name in names if row.get(name) not in (None, ""))
        distinct = len({json.dumps(row, sort_keys=True, default=str) for row in rows})
    cells = total * len(names)
    since = now - timedelta(days=retention_days)
    fresh = sum(count for at, count in received_at if at >= since)
    scores = {
        "accuracy": _percent(total, received_rows),
        "consistency": _percent(distinct, total),
        "completeness": _percent(filled, cells),
        "conformity": _percent(current_charter_rows, total),
        "timeliness": _percent(fresh, total),
        "accessibility": 100 if access_modes else 0,
    }
    return scores, round(sum(scores.values()) / len(scores))
