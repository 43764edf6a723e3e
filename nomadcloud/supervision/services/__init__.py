"""The supervision use cases (design §4.10), in parts: ``workflow`` (assign → close,
extensions, 批示), ``acknowledgements`` (签收, unit by unit), ``milestones``, ``subtasks``,
``progress`` (序时进度, indicators), ``sweep`` (the daily run) and ``dispatch`` (notices).
Every step writes a TaskEvent (the history) and an audit event; working days come from
core/workdays.py."""

from __future__ import annotations

from nomadcloud.supervision.services.acknowledgements import ACK_DAYS, acknowledge
from nomadcloud.supervision.services.dispatch import RESPONSE_DAYS
from nomadcloud.supervision.services.milestones import (
    add_milestone,
    complete_milestone,
    edit_milestone,
)
from nomadcloud.supervision.services.progress import (
    expected_progress,
    indicator_progress,
    schedule,
)
from nomadcloud.supervision.services.subtasks import create_subtask, set_parent
from nomadcloud.supervision.services.sweep import DUE_SOON_DAYS, sweep
from nomadcloud.supervision.services.workflow import (
    assign,
    close,
    close_instruction,
    decide_extension,
    instruct,
    moves,
    pending_extension,
    report,
    report_completion,
    request_extension,
    return_task,
    verify,
)

__all__ = [
    "ACK_DAYS",
    "DUE_SOON_DAYS",
    "RESPONSE_DAYS",
    "acknowledge",
    "add_milestone",
    "assign",
    "close",
    "close_instruction",
    "complete_milestone",
    "create_subtask",
    "decide_extension",
    "edit_milestone",
    "expected_progress",
    "indicator_progress",
    "instruct",
    "moves",
    "pending_extension",
    "report",
    "report_completion",
    "request_extension",
    "return_task",
    "schedule",
    "set_parent",
    "sweep",
    "verify",
]
