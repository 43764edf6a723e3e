"""What the training use cases share: the scenario statuses and the draft's field lists."""

from __future__ import annotations

from nomadcloud.training.models import (
    Scenario,
)

Status = Scenario.Status
MAX_FILES = 10
SCALAR_FIELDS = (
    "title_zh",
    "title_en",
    "goal_zh",
    "goal_en",
    "tasks_zh",
    "tasks_en",
    "capacity",
    "enrol_from",
    "enrol_until",
    "runs_from",
    "runs_until",
    "pass_score",
)
LIST_FIELDS = ("skills", "criteria")
