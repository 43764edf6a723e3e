"""What supervision holds about a person (core/privacy.py): the task events they recorded,
the instructions (批示) they gave, the milestones they reported done and the 签收 they gave,
as a unit's or the office's official acts. Kept on erasure: they are the record of public
work; the person is then named only through the account, which erasure makes
pseudonymous."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.supervision.models import Acknowledgement, Instruction, Milestone, TaskEvent


def export(user: Any) -> dict[str, Any]:
    return {
        "task_events": privacy.dump(TaskEvent.objects.filter(actor=user)),
        "instructions": privacy.dump(Instruction.objects.filter(given_by=user)),
        "milestones_reported_done": privacy.dump(Milestone.objects.filter(done_by=user)),
        "acknowledgements": privacy.dump(Acknowledgement.objects.filter(acknowledged_by=user)),
    }


def erase(user: Any) -> None:
    """Nothing to remove: see the module's docstring."""
