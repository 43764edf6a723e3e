"""What the parts of the demand use cases share: the status moves (from transitions.py), the
open statuses and the fields a demand is written from."""

from __future__ import annotations

from nomadcloud.demands import transitions
from nomadcloud.demands.models import (
    Demand,
)

Status = Demand.Status

# The lifecycle: draft → published ⇄ paused → closed / filled. A closed demand may be
# published again (a feed entry that comes back); a filled one stays filled.
# The status moves, from the one table in transitions.py.
TRANSITIONS: dict[str, frozenset[str]] = {
    status: frozenset(transitions.demand_targets(status)) for status in Status.values
}
# A "running" sync older than the fetch deadline plus this was cut short by a dead worker.
INTERRUPTED_AFTER_SECONDS = 15 * 60

OPEN_STATUSES = frozenset({Status.DRAFT, Status.PUBLISHED, Status.PAUSED})

SCALAR_FIELDS = (
    "kind",
    "title_zh",
    "title_en",
    "description_zh",
    "description_en",
    "years_experience",
    "work_mode",
    "location",
    "duration_days",
    "budget_min",
    "budget_max",
    "pay_period",
    "headcount",
    "deadline",
)
LIST_FIELDS = ("skills", "tools", "languages")
PROFILE_TEXT_FIELDS = ("title_zh", "title_en", "description_zh", "description_en")
