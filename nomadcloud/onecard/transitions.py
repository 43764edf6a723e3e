"""The state machines of the one card, one table each (cross-cutting §3.1): the catalogue
item's life and the application's (办件). Services call ``check`` before every move; pages
show the moves ``moves_for`` allows the asker.

Application (the table below is the whole truth; this is its outline)::

    draft ─submit▶ submitted ─receive | accept_with_gaps▶ received ─review▶ under_review
    submitted ─refuse▶ not_accepted
    submitted | received ─request_supplement▶ supplement_requested ─resubmit▶ received
    received ─forward▶ forwarding ─forwarded▶ forwarded ─decide (system)▶ approved
    under_review ─decide▶ approved | rejected;  approved ─issue▶ result_issued
    any open ─withdraw▶ withdrawn | ─terminate▶ terminated;  suspended ⇄ received
    result_issued | rejected ─rate▶ closed
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.onecard.models import Application, ServiceItem


class Role(StrEnum):
    APPLICANT = "applicant"  # the applicant, or an agent authorised for the item
    OFFICER = "officer"  # a window officer of the competent department (受理)
    REVIEWER = "reviewer"
    APPROVER = "approver"
    EDITOR = "editor"  # the department's catalogue editor
    OPERATOR = "operator"  # the zone operator
    SYSTEM = "system"


ROLE_LABELS = {
    Role.APPLICANT: gettext_lazy("the applicant"),
    Role.OFFICER: gettext_lazy("a window officer"),
    Role.REVIEWER: gettext_lazy("a reviewer"),
    Role.APPROVER: gettext_lazy("an approver"),
    Role.EDITOR: gettext_lazy("the catalogue editor"),
    Role.OPERATOR: gettext_lazy("the zone operator"),
    Role.SYSTEM: gettext_lazy("the system"),
}

S = Application.Status
I = ServiceItem.Status  # noqa: E741


@dataclass(frozen=True)
class Move:
    action: str
    source: str
    target: str
    roles: frozenset[Role]


def _m(action: str, source: str, target: str, *roles: Role) -> Move:
    return Move(action, source, target, frozenset(roles))


A, OF, R, P, ED, OP, SYS = (
    Role.APPLICANT,
    Role.OFFICER,
    Role.REVIEWER,
    Role.APPROVER,
    Role.EDITOR,
    Role.OPERATOR,
    Role.SYSTEM,
)
OPEN = (
    S.SUBMITTED,
    S.RECEIVED,
    S.SUPPLEMENT_REQUESTED,
    S.UNDER_REVIEW,
    S.FORWARDING,
    S.FORWARDED,
    S.SUSPENDED,
)

APPLICATION: tuple[Move, ...] = (
    _m("save", S.DRAFT, S.DRAFT, A),
    _m("submit", S.DRAFT, S.SUBMITTED, A),
    _m("receive", S.SUBMITTED, S.RECEIVED, OF),
    _m("accept_with_gaps", S.SUBMITTED, S.RECEIVED, OF),
    _m("refuse", S.SUBMITTED, S.NOT_ACCEPTED, OF),
    _m("request_supplement", S.SUBMITTED, S.SUPPLEMENT_REQUESTED, OF),
    _m("request_supplement", S.RECEIVED, S.SUPPLEMENT_REQUESTED, OF, R),
    _m("resubmit", S.SUPPLEMENT_REQUESTED, S.RECEIVED, A),
    _m("forward", S.RECEIVED, S.FORWARDING, OF, SYS),
    _m("forwarded", S.FORWARDING, S.FORWARDED, SYS),
    _m("review", S.RECEIVED, S.UNDER_REVIEW, R),
    _m("decide", S.UNDER_REVIEW, S.APPROVED, P),
    _m("decide", S.FORWARDED, S.APPROVED, SYS),
    _m("issue", S.APPROVED, S.RESULT_ISSUED, OF, P, SYS),
    _m("suspend", S.RECEIVED, S.SUSPENDED, OF),
    _m("suspend", S.UNDER_REVIEW, S.SUSPENDED, OF, R),
    _m("resume", S.SUSPENDED, S.RECEIVED, OF, R),
    _m("rate", S.RESULT_ISSUED, S.CLOSED, A),
    _m("rate", S.REJECTED, S.CLOSED, A),
    *(_m("withdraw", s, S.WITHDRAWN, A) for s in (S.DRAFT, *OPEN)),
    *(_m("terminate", s, S.TERMINATED, OF) for s in OPEN),
)
# ``decide`` has two outcomes; the table names approval, and rejection shares its rows.
DECISION_TARGETS = frozenset({S.APPROVED, S.REJECTED})

ITEM: tuple[Move, ...] = (
    _m("edit", I.DRAFT, I.DRAFT, ED, OP),
    _m("edit", I.PUBLISHED, I.PUBLISHED, ED, OP),  # a draft version
    _m("edit", I.SUSPENDED, I.SUSPENDED, ED, OP),
    _m("publish_version", I.PUBLISHED, I.PUBLISHED, ED, OP),
    _m("publish_version", I.SUSPENDED, I.SUSPENDED, ED, OP),
    _m("submit_review", I.DRAFT, I.IN_REVIEW, ED, OP),
    _m("publish", I.IN_REVIEW, I.PUBLISHED, ED, OP),
    _m("return", I.IN_REVIEW, I.DRAFT, ED, OP),
    _m("suspend", I.PUBLISHED, I.SUSPENDED, ED, OP),
    _m("resume", I.SUSPENDED, I.PUBLISHED, ED, OP),
    _m("retire", I.PUBLISHED, I.RETIRED, OP),
    _m("retire", I.SUSPENDED, I.RETIRED, OP),
)


def _label(table: tuple[Move, ...], state: str) -> str:
    return str((S if table is APPLICATION else I)(state).label)


def _roles_text(roles: Iterable[Role]) -> str:
    names = [str(ROLE_LABELS[r]) for r in sorted(set(roles))]
    return " / ".join(names) if names else _("nobody")


def check(table: tuple[Move, ...], state: str, action: str, roles: Iterable[Role]) -> Move:
    """The row allowing ``action`` from ``state`` for one of ``roles``; otherwise 409
    ``transition_not_allowed`` (no one may do it now) or 403 ``role_not_allowed``."""
    rows = [m for m in table if m.source == state and m.action == action]
    if not rows:
        raise Conflict(
            _("Nothing can be done by “%(action)s” while it is “%(state)s”.")
            % {"action": action, "state": _label(table, state)},
            code="transition_not_allowed",
        )
    held = set(roles)
    for row in rows:
        if row.roles & held:
            return row
    allowed = set().union(*(r.roles for r in rows))
    raise Forbidden(
        _("While it is “%(state)s”, only %(allowed)s may do this.")
        % {"state": _label(table, state), "allowed": _roles_text(allowed)},
        code="role_not_allowed",
    )


def moves_for(table: tuple[Move, ...], state: str, roles: Iterable[Role]) -> frozenset[str]:
    """The actions the holder of ``roles`` may take from ``state`` (guards aside)."""
    held = set(roles)
    return frozenset(m.action for m in table if m.source == state and m.roles & held)
