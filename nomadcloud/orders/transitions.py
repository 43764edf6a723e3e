"""The order state machine: ONE table of the allowed moves (from state, to state, role),
each with an optional guard. Everything that changes an order's state goes through
``check``; a refusal names the state and the role, in the reader's language.

    draft ─▶ open ─▶ applied ─▶ assigned ─▶ in_progress ─▶ delivered ─▶ accepted ─▶ settled
                ▲       │                      ▲    │            │  (the last milestone)
                └───────┘ (last application     └────┼── revision, or a milestone accepted
                           withdrawn)                 ▼            ▼    with others left
    draft/open/applied/assigned ─▶ cancelled     in_progress/delivered ─▶ disputed ─▶ resolved

Work is delivered and accepted milestone by milestone: ``delivered`` means one milestone
awaits review. Accepting it moves the order back to ``in_progress`` while other milestones
are left, and to ``accepted`` when it was the last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.orders.models import ROLE_LABELS, Order, OrderApplication, Role

S = Order.Status
DEFAULT_REVIEW_WINDOW_DAYS = 7


def review_window() -> timedelta:
    return timedelta(
        days=int(getattr(settings, "ORDER_REVIEW_WINDOW_DAYS", DEFAULT_REVIEW_WINDOW_DAYS))
    )


@dataclass(frozen=True)
class Context:
    """What a guard may look at besides the order."""

    now: datetime
    reason: str = ""
    has_milestones: bool = False
    has_deliverable_this_round: bool = False
    has_pending_applications: bool = False
    application_pending: bool = False
    decision_given: bool = False
    accepting: bool = False  # the delivered milestone is being accepted
    milestones_left: int = 0  # milestones not accepted besides the one being accepted


Guard = Callable[[Order, Context], str | None]


def _reason(order: Order, ctx: Context) -> str | None:
    return None if ctx.reason.strip() else _("Give a reason.")


def _publishable(order: Order, ctx: Context) -> str | None:
    if not ctx.has_milestones or order.total <= 0:
        return _("Add at least one milestone with an amount before opening the order.")
    return None


def _application_pending(order: Order, ctx: Context) -> str | None:
    return None if ctx.application_pending else _("Choose an application that awaits a decision.")


def _no_pending_applications(order: Order, ctx: Context) -> str | None:
    return None if not ctx.has_pending_applications else _("Other applications still wait.")


def _has_delivery(order: Order, ctx: Context) -> str | None:
    if ctx.has_deliverable_this_round:
        return None
    return _("Add at least one file or link as the deliverable before delivering.")


def _review_window_passed(order: Order, ctx: Context) -> str | None:
    if order.delivered_at is not None and order.delivered_at + review_window() <= ctx.now:
        return None
    return _("The review window has not passed yet.")


def _made_for_a_nomad(order: Order, ctx: Context) -> str | None:
    # An order made from an application or an invitation names its nomad from the start
    # (orders/services/contracting.py); it goes from draft straight to assigned.
    if order.nomad_id is None or (order.application_id is None and order.invitation_id is None):
        return _("Only an order made from an application or an invitation is assigned at once.")
    return _publishable(order, ctx)


def _revision(order: Order, ctx: Context) -> str | None:
    if ctx.accepting:
        return _("Accept the other milestones first.")
    return _reason(order, ctx)


def _accepting(ctx: Context) -> str | None:
    return None if ctx.accepting else _("Accept the delivered milestone.")


def _milestone_accepted_others_left(order: Order, ctx: Context) -> str | None:
    if not ctx.accepting:
        return _("Give a reason.")  # not an acceptance: a revision, which needs one
    return None if ctx.milestones_left > 0 else _("This was the last milestone.")


def _last_milestone_accepted(order: Order, ctx: Context) -> str | None:
    refusal = _accepting(ctx)
    if refusal is None and ctx.milestones_left > 0:
        refusal = _("Accept the other milestones first.")
    return refusal


def _overdue_milestone_others_left(order: Order, ctx: Context) -> str | None:
    return _review_window_passed(order, ctx) or _milestone_accepted_others_left(order, ctx)


def _overdue_last_milestone(order: Order, ctx: Context) -> str | None:
    return _review_window_passed(order, ctx) or _last_milestone_accepted(order, ctx)


def _decision_given(order: Order, ctx: Context) -> str | None:
    return None if ctx.decision_given else _("Record a decision.")


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    role: Role
    guard: Guard | None = None


T = Transition
E, A, N, OP, SYS = Role.ENTERPRISE, Role.APPLICANT, Role.NOMAD, Role.OPERATOR, Role.SYSTEM

# THE table: one row per allowed (from, to, role); the row's guard must pass as well.
TABLE: tuple[Transition, ...] = (
    T(S.DRAFT, S.OPEN, E, _publishable),
    T(S.DRAFT, S.ASSIGNED, E, _made_for_a_nomad),
    T(S.OPEN, S.APPLIED, A, _application_pending),
    T(S.APPLIED, S.OPEN, A, _no_pending_applications),  # the last application withdrawn
    T(S.APPLIED, S.ASSIGNED, E, _application_pending),
    T(S.ASSIGNED, S.IN_PROGRESS, N),
    T(S.IN_PROGRESS, S.DELIVERED, N, _has_delivery),
    T(S.DELIVERED, S.IN_PROGRESS, E, _milestone_accepted_others_left),  # a milestone accepted
    T(S.DELIVERED, S.IN_PROGRESS, E, _revision),  # a revision request, with its reason
    T(S.DELIVERED, S.IN_PROGRESS, SYS, _overdue_milestone_others_left),
    T(S.DELIVERED, S.ACCEPTED, E, _last_milestone_accepted),  # the last milestone accepted
    T(S.DELIVERED, S.ACCEPTED, SYS, _overdue_last_milestone),
    T(S.ACCEPTED, S.SETTLED, E),
    T(S.ACCEPTED, S.SETTLED, OP),
    T(S.DRAFT, S.CANCELLED, E, _reason),
    T(S.OPEN, S.CANCELLED, E, _reason),
    T(S.APPLIED, S.CANCELLED, E, _reason),
    T(S.ASSIGNED, S.CANCELLED, E, _reason),
    T(S.IN_PROGRESS, S.DISPUTED, E, _reason),
    T(S.IN_PROGRESS, S.DISPUTED, N, _reason),
    T(S.DELIVERED, S.DISPUTED, E, _reason),
    T(S.DELIVERED, S.DISPUTED, N, _reason),
    T(S.DISPUTED, S.RESOLVED, OP, _decision_given),
)

TERMINAL = frozenset({S.SETTLED, S.CANCELLED, S.RESOLVED})


def targets_from(state: str, roles: Iterable[Role]) -> list[str]:
    """The states the holder of ``roles`` may move an order to from ``state`` (guards
    aside), in table order."""
    held = set(roles)
    seen: list[str] = []
    for row in TABLE:
        if row.source == state and row.role in held and row.target not in seen:
            seen.append(row.target)
    return seen


# --- applications for an order ----------------------------------------------------------------
# The moves on one application (from state, to state, role). The applicant is the person whose
# application it is (Role.APPLICANT); the enterprise selects one (``assign``, which also needs
# the order's own move to ``assigned``) and the others are declined with it.
AS = OrderApplication.Status
APPLICATION_TABLE: tuple[tuple[str, str, Role], ...] = (
    (AS.PENDING, AS.SELECTED, E),
    (AS.PENDING, AS.DECLINED, E),
    (AS.PENDING, AS.WITHDRAWN, A),
    (AS.WITHDRAWN, AS.PENDING, A),  # applying again after withdrawing
)


def application_moves(status: str, roles: Iterable[Role]) -> list[str]:
    """The states the holder of ``roles`` may move an application in ``status`` to."""
    held = set(roles)
    return [t for s, t, r in APPLICATION_TABLE if s == status and r in held]


def _label(state: str) -> str:
    return str(S(state).label)


def _roles_text(roles: Iterable[Role], *, both: bool = False) -> str:
    """“the enterprise or the zone operator”; with ``both``, “… and …”."""
    names = [str(ROLE_LABELS[r]) for r in dict.fromkeys(roles)]
    if not names:
        return _("nobody")
    text = names[0]
    for name in names[1:]:
        pattern = _("%(first)s and %(second)s") if both else _("%(first)s or %(second)s")
        text = pattern % {"first": text, "second": name}
    return text


def check(order: Order, target: str, roles: Iterable[Role], ctx: Context) -> Transition:
    """The table row that allows this move, or a refusal naming the state and the role:
    409 ``transition_not_allowed`` when no one may make it from this state, 403
    ``role_not_allowed`` when others may but not the asker's role, 409 ``condition_not_met``
    when the guard fails."""
    if target not in S.values:
        raise Conflict(
            _("Unknown order status %(status)s.") % {"status": str(target)[:20]},
            code="unknown_status",
        )
    held = list(dict.fromkeys(roles))
    rows = [r for r in TABLE if r.source == order.status and r.target == target]
    if not rows:
        raise Conflict(
            _("An order that is “%(state)s” cannot become “%(target)s”.")
            % {"state": _label(order.status), "target": _label(target)},
            code="transition_not_allowed",
        )
    allowed = [r for r in rows if r.role in held]
    if not allowed:
        raise Forbidden(
            _(
                "When an order is “%(state)s”, only %(allowed)s may make it “%(target)s”; "
                "you act as %(role)s."
            )
            % {
                "state": _label(order.status),
                "target": _label(target),
                "allowed": _roles_text(r.role for r in rows),
                "role": _roles_text(held, both=True)
                if held
                else _("someone with no part in this order"),
            },
            code="role_not_allowed",
        )
    problem = ""
    for row in allowed:
        refusal = row.guard(order, ctx) if row.guard else None
        if refusal is None:
            return row
        problem = refusal
    raise Conflict(
        _("The order stays “%(state)s”: %(problem)s")
        % {"state": _label(order.status), "problem": problem},
        code="condition_not_met",
    )
