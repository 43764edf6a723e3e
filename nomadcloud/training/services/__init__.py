"""Use cases for scenario training: publish a scenario with its rubric, materials and
evidenced skills; enrol (capacity enforced atomically); submit work; assess against the
rubric; record the completion and feed the nomad's skill record.

One function per action, called by the pages and the API. Each validates its input first,
then changes the database in one transaction and records an audit event, so that a refusal
leaves nothing half-written (and no stored file). Callers fetch objects through
``access.py``; the rules that depend on state and dates are checked here.
"""

from __future__ import annotations

from nomadcloud.training.services.assessment import (
    Score,
    assess,
    submit_work,
)
from nomadcloud.training.services.common import LIST_FIELDS, MAX_FILES, SCALAR_FIELDS, Status
from nomadcloud.training.services.completions import (
    Completion,
    completed_trainings_for,
)
from nomadcloud.training.services.enrolment import (
    enrol,
    withdraw,
)
from nomadcloud.training.services.scenarios import (
    add_material,
    close_scenario,
    create_scenario,
    current_fields,
    publish_scenario,
    remove_material,
    update_scenario,
)

__all__ = [
    "LIST_FIELDS",
    "MAX_FILES",
    "SCALAR_FIELDS",
    "Completion",
    "Score",
    "Status",
    "add_material",
    "assess",
    "close_scenario",
    "completed_trainings_for",
    "create_scenario",
    "current_fields",
    "enrol",
    "publish_scenario",
    "remove_material",
    "submit_work",
    "update_scenario",
    "withdraw",
]
