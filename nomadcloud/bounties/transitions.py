"""The challenge state machine: ONE table of the allowed moves (from, to, role), each with an
optional guard, as in ``orders/transitions.py``. ``check`` refuses with a message naming the
state and the role, in the reader's language.

    draft ─▶ submitted ─▶ published ─▶ qualification_review ─▶ evaluation ─▶ selection
      ▲          │                                                 (closes itself when
      └─ return ─┘                                                  the last sheet is in)
    selection ─▶ publicity (公示) ─▶ signing ─▶ in_progress ─▶ final_acceptance ─▶ rewarded
                                                                               ─▶ closed
        │                                          ▲                 │
        └─▶ failed (none selected)                 └── remediation ──┤ (once)
                                                                     └─▶ terminated
    any state before signing is done ─▶ cancelled;  in_progress/final_acceptance ─▶ terminated
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.bounties.models import Challenge, Milestone
from nomadcloud.core.errors import Conflict, Forbidden

S = Challenge.Status
ISSUER, DEPARTMENT, SYSTEM, TEAM = "issuer", "department", "system", "team"
ROLE_LABELS = {
    TEAM: gettext_lazy("the signed team"),
    ISSUER: gettext_lazy("the issuer"),
    DEPARTMENT: gettext_lazy("the department"),
    SYSTEM: gettext_lazy("the platform"),
}


@dataclass(frozen=True)
class Context:
    now: datetime
    reason: str = ""
    complete: bool = True  # the draft holds everything a submission needs
    window_closed: bool = False  # the application window has ended
    all_reviewed: bool = False  # every application has a qualification decision
    any_eligible: bool = False
    all_scored: bool = False
    selecting: bool = False  # at least one application is being selected
    may_sign: bool = False  # 公示 over with no pending or upheld objection
    all_signed: bool = False
    all_accepted: bool = False
    remediation_left: bool = False
    payouts_confirmed: bool = False  # every milestone's payout is confirmed (payouts app)


Guard = Callable[[Challenge, Context], str | None]


def _reason(c: Challenge, ctx: Context) -> str | None:
    return None if ctx.reason.strip() else _("Give a reason.")


def _complete(c: Challenge, ctx: Context) -> str | None:
    return None if ctx.complete else _("Complete the challenge first.")


def _window_closed(c: Challenge, ctx: Context) -> str | None:
    return None if ctx.window_closed else _("The application window has not closed yet.")


def _reviewed(c: Challenge, ctx: Context) -> str | None:
    if not ctx.all_reviewed:
        return _("Decide the eligibility of every application first.")
    return None if ctx.any_eligible else _("No application is eligible.")


def _none_eligible(c: Challenge, ctx: Context) -> str | None:
    if not ctx.all_reviewed:
        return _("Decide the eligibility of every application first.")
    return None if not ctx.any_eligible else _("Some applications are eligible.")


def _all_scored(c: Challenge, ctx: Context) -> str | None:
    return None if ctx.all_scored else _("Not every score sheet is in yet.")


def _selecting(c: Challenge, ctx: Context) -> str | None:
    return _reason(c, ctx) or (None if ctx.selecting else _("Select an application."))


def _none_selected(c: Challenge, ctx: Context) -> str | None:
    return _reason(c, ctx) or (None if not ctx.selecting else _("An application is selected."))


def _may_sign(c: Challenge, ctx: Context) -> str | None:
    return None if ctx.may_sign else _("The public notice is not over.")


def _all_signed(c: Challenge, ctx: Context) -> str | None:
    return None if ctx.all_signed else _("Both the team lead and the department must sign.")


def _all_accepted(c: Challenge, ctx: Context) -> str | None:
    return None if ctx.all_accepted else _("Not every milestone is accepted.")


def _payouts_confirmed(c: Challenge, ctx: Context) -> str | None:
    return None if ctx.payouts_confirmed else _("Not every payout is confirmed yet.")


def _remediation(c: Challenge, ctx: Context) -> str | None:
    if not ctx.remediation_left:
        return _("The one remediation period has been used.")
    return _reason(c, ctx)


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    role: str
    action: str
    guard: Guard | None = None


T = Transition
BEFORE_SIGNING = (
    S.DRAFT,
    S.SUBMITTED,
    S.PUBLISHED,
    S.QUALIFICATION_REVIEW,
    S.EVALUATION,
    S.SELECTION,
    S.PUBLICITY,
    S.SIGNING,
)

TABLE: tuple[Transition, ...] = (
    T(S.DRAFT, S.SUBMITTED, ISSUER, "submit", _complete),
    T(S.SUBMITTED, S.DRAFT, DEPARTMENT, "return", _reason),
    T(S.SUBMITTED, S.PUBLISHED, DEPARTMENT, "approve"),
    T(S.PUBLISHED, S.QUALIFICATION_REVIEW, DEPARTMENT, "close_applications", _window_closed),
    T(S.PUBLISHED, S.QUALIFICATION_REVIEW, SYSTEM, "close_applications", _window_closed),
    T(S.QUALIFICATION_REVIEW, S.EVALUATION, DEPARTMENT, "start_evaluation", _reviewed),
    T(S.QUALIFICATION_REVIEW, S.FAILED, DEPARTMENT, "fail", _none_eligible),
    T(S.EVALUATION, S.SELECTION, SYSTEM, "close_evaluation", _all_scored),
    T(S.SELECTION, S.PUBLICITY, DEPARTMENT, "select", _selecting),
    T(S.SELECTION, S.FAILED, DEPARTMENT, "select", _none_selected),
    T(S.PUBLICITY, S.SIGNING, DEPARTMENT, "start_signing", _may_sign),
    T(S.SIGNING, S.IN_PROGRESS, SYSTEM, "signed", _all_signed),
    T(S.IN_PROGRESS, S.FINAL_ACCEPTANCE, SYSTEM, "milestones_accepted", _all_accepted),
    # 中期检查: the department records a mid-term check; the challenge stays in progress.
    T(S.IN_PROGRESS, S.IN_PROGRESS, DEPARTMENT, "midterm_check", _reason),
    T(S.FINAL_ACCEPTANCE, S.REWARDED, DEPARTMENT, "accept_final"),
    T(S.FINAL_ACCEPTANCE, S.IN_PROGRESS, DEPARTMENT, "remediate", _remediation),
    T(S.REWARDED, S.CLOSED, DEPARTMENT, "close", _payouts_confirmed),
    T(S.REWARDED, S.CLOSED, SYSTEM, "close", _payouts_confirmed),
    *(T(state, S.CANCELLED, ISSUER, "cancel", _reason) for state in BEFORE_SIGNING[:3]),
    *(T(state, S.CANCELLED, DEPARTMENT, "cancel", _reason) for state in BEFORE_SIGNING),
    T(S.IN_PROGRESS, S.TERMINATED, DEPARTMENT, "terminate", _reason),
    T(S.FINAL_ACCEPTANCE, S.TERMINATED, DEPARTMENT, "terminate", _reason),
)

# Moves a person asks for by name on the page or through the API (the others happen as
# consequences of other use cases: a score sheet, a signature, a milestone's acceptance).
ASKED = frozenset(
    {
        "submit",
        "return",
        "approve",
        "close_applications",
        "start_evaluation",
        "fail",
        "start_signing",
        "accept_final",
        "remediate",
        "close",
        "cancel",
        "terminate",
    }
)
# The challenge may be edited only as a draft: frozen from submission on (CONSUL #2159).
EDITABLE = frozenset({S.DRAFT})


def moves(challenge: Challenge, roles: Iterable[str]) -> list[str]:
    held = set(roles)
    seen: list[str] = []
    for row in TABLE:
        if (
            row.source == challenge.status
            and row.role in held
            and row.action in ASKED
            and row.action not in seen
        ):
            seen.append(row.action)
    return seen


def _label(state: str) -> str:
    return str(S(state).label)


def check(challenge: Challenge, action: str, roles: Iterable[str], ctx: Context) -> Transition:
    """The row that allows ``action`` now, or a refusal: 409 ``transition_not_allowed`` when
    no one may do it in this state, 403 ``role_not_allowed`` when others may, 409
    ``condition_not_met`` when the guard fails."""
    held = set(roles)
    rows = [r for r in TABLE if r.source == challenge.status and r.action == action]
    if not rows:
        raise Conflict(
            _("A challenge that is “%(state)s” does not allow this.")
            % {"state": _label(challenge.status)},
            code="transition_not_allowed",
        )
    allowed = [r for r in rows if r.role in held]
    if not allowed:
        names = " / ".join(dict.fromkeys(str(ROLE_LABELS[r.role]) for r in rows))
        raise Forbidden(
            _("When a challenge is “%(state)s”, only %(allowed)s may do this.")
            % {"state": _label(challenge.status), "allowed": names},
            code="role_not_allowed",
        )
    problem = ""
    for row in allowed:
        refusal = row.guard(challenge, ctx) if row.guard else None
        if refusal is None:
            return row
        problem = refusal
    raise Conflict(
        _("The challenge stays “%(state)s”: %(problem)s")
        % {"state": _label(challenge.status), "problem": problem},
        code="condition_not_met",
    )


# --- milestones -------------------------------------------------------------------------------
#
#   planned ─▶ submitted ─▶ accepted
#      ▲           │ ├──▶ changes_requested (≤ 3 rounds) ─▶ submitted
#      │           │ ├──▶ escalated (review window passed; never approved by silence)
#      │           │ └──▶ rejected ─▶ disputed ─▶ accepted | changes_requested | rejected
#      └───────────┘                 (decided by the department with reasons; once)

M = Milestone.Status
REVIEWER = (ISSUER, DEPARTMENT)
MILESTONE_TABLE: tuple[Transition, ...] = (
    T(M.PLANNED, M.SUBMITTED, TEAM, "submit"),
    T(M.CHANGES_REQUESTED, M.SUBMITTED, TEAM, "submit"),
    *(T(M.SUBMITTED, M.ACCEPTED, r, "accept") for r in REVIEWER),
    *(T(M.SUBMITTED, M.CHANGES_REQUESTED, r, "request_changes", _reason) for r in REVIEWER),
    *(T(M.SUBMITTED, M.REJECTED, r, "reject", _reason) for r in REVIEWER),
    T(M.SUBMITTED, M.ESCALATED, SYSTEM, "escalate"),
    T(M.ESCALATED, M.ACCEPTED, DEPARTMENT, "accept"),
    T(M.ESCALATED, M.CHANGES_REQUESTED, DEPARTMENT, "request_changes", _reason),
    T(M.ESCALATED, M.REJECTED, DEPARTMENT, "reject", _reason),
    T(M.REJECTED, M.DISPUTED, TEAM, "dispute", _reason),
    T(M.DISPUTED, M.DISPUTED, ISSUER, "respond", _reason),
    T(M.DISPUTED, M.ACCEPTED, DEPARTMENT, "decide_accept", _reason),
    T(M.DISPUTED, M.CHANGES_REQUESTED, DEPARTMENT, "decide_redo", _reason),
    T(M.DISPUTED, M.REJECTED, DEPARTMENT, "decide_uphold", _reason),
)


def check_milestone(
    milestone: Milestone, action: str, roles: Iterable[str], ctx: Context
) -> Transition:
    """The milestone row that allows ``action``, refused with the same codes as ``check``."""
    held = set(roles)
    rows = [r for r in MILESTONE_TABLE if r.source == milestone.status and r.action == action]
    state = str(M(milestone.status).label)
    if not rows:
        raise Conflict(
            _("A milestone that is “%(state)s” does not allow this.") % {"state": state},
            code="transition_not_allowed",
        )
    allowed = [r for r in rows if r.role in held]
    if not allowed:
        names = " / ".join(dict.fromkeys(str(ROLE_LABELS[r.role]) for r in rows))
        raise Forbidden(
            _("When a milestone is “%(state)s”, only %(allowed)s may do this.")
            % {"state": state, "allowed": names},
            code="role_not_allowed",
        )
    problem = ""
    for row in allowed:
        refusal = row.guard(milestone.challenge, ctx) if row.guard else None
        if refusal is None:
            return row
        problem = refusal
    raise Conflict(
        _("The milestone stays “%(state)s”: %(problem)s") % {"state": state, "problem": problem},
        code="condition_not_met",
    )


def milestone_moves(milestone: Milestone, roles: Iterable[str]) -> list[str]:
    held = set(roles)
    seen: list[str] = []
    for row in MILESTONE_TABLE:
        if (
            row.source == milestone.status
            and row.role in held
            and row.role != SYSTEM
            and row.action not in seen
        ):
            seen.append(row.action)
    return seen
