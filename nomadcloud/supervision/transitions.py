"""The task workflow (design §4.10) as one table: action → (states it may start from, the
state it leads to, who may take it). ``office`` is the supervision office (the zone
operator), ``lead`` a lead unit of the task, ``unit`` any of its lead or responsible units,
``system`` the daily sweep (services.sweep)."""

from __future__ import annotations

from dataclasses import dataclass

from nomadcloud.supervision.models import Task

S = Task.Status
OPEN = (S.ACKNOWLEDGED, S.IN_PROGRESS, S.AT_RISK, S.OVERDUE, S.RETURNED)
RUNNING = (S.ASSIGNED, *OPEN)


@dataclass(frozen=True)
class Transition:
    sources: tuple[str, ...]
    target: str | None  # None: the state does not change (or is worked out by the service)
    who: str


TRANSITIONS: dict[str, Transition] = {
    "assign": Transition((S.DRAFT,), S.ASSIGNED, "office"),  # 交办
    # 签收, each unit on its own; the task becomes acknowledged once every lead unit has.
    "acknowledge": Transition(RUNNING, None, "unit"),
    "report": Transition(OPEN, S.IN_PROGRESS, "unit"),  # progress with evidence
    "mark_at_risk": Transition((S.ACKNOWLEDGED, S.IN_PROGRESS), S.AT_RISK, "system"),
    "mark_overdue": Transition(RUNNING, S.OVERDUE, "system"),
    "report_completion": Transition(OPEN, S.COMPLETION_REPORTED, "lead"),  # 办结报告
    "verify": Transition((S.COMPLETION_REPORTED,), S.VERIFIED, "office"),  # 督查核实
    "return": Transition((S.COMPLETION_REPORTED,), S.RETURNED, "office"),  # 退办
    "close": Transition((S.VERIFIED,), S.CLOSED, "office"),  # 销号
    "request_extension": Transition(RUNNING, None, "lead"),  # before the due date only
    "decide_extension": Transition(RUNNING, None, "office"),
    # Milestones: the office sets them up before and while the task runs; a lead unit
    # reports one done while the task is open; sub-tasks and their place are the office's.
    "add_milestone": Transition((S.DRAFT, *RUNNING), None, "office"),
    "edit_milestone": Transition((S.DRAFT, *RUNNING), None, "office"),
    "complete_milestone": Transition(OPEN, None, "lead"),
    "create_subtask": Transition((S.DRAFT, *RUNNING), None, "office"),
    "set_parent": Transition((S.DRAFT, *RUNNING), None, "office"),
    "instruct": Transition((*RUNNING, S.DRAFT, S.COMPLETION_REPORTED), None, "leadership"),
}


def allowed(action: str, status: str) -> bool:
    return status in TRANSITIONS[action].sources
