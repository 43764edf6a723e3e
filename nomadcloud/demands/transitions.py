"""The demand's and the application's state machines: ONE table each of the moves allowed
(from state, to state, role). Services ask them before any write; views ask ``moves_for`` /
``demand_moves`` and templates test ``{% if "shortlisted" in moves %}``, never a status.

A demand (``DEMAND_TABLE``; the enterprise's editors move it) and what its state opens
(``DEMAND_ACTIONS``: a published demand takes applications from people outside the
enterprise and shows its matched candidates to the enterprise's members):

    draft ─▶ published ⇄ paused ─▶ closed / filled       closed ─▶ published

An application:

    submitted ─▶ shortlisted ─▶ ordered        (the enterprise turns it into an order)
        │             │
        ├─────────────┴──▶ declined            (the enterprise)
        └─────────────┴──▶ withdrawn           (the nomad)

``declined``, ``withdrawn`` and ``ordered`` are final: a decided application cannot be
withdrawn, and a second order from one application is refused.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.demands.models import Demand, DemandApplication

S = DemandApplication.Status
D = Demand.Status


class Role(StrEnum):
    NOMAD = "nomad"
    ENTERPRISE = "enterprise"


ROLE_LABELS = {
    Role.NOMAD: gettext_lazy("the nomad"),
    Role.ENTERPRISE: gettext_lazy("the enterprise"),
}


@dataclass(frozen=True)
class Transition:
    source: str
    target: str
    role: Role


T = Transition
N, E = Role.NOMAD, Role.ENTERPRISE

# --- the demand -----------------------------------------------------------------------------
# Role.ENTERPRISE: an editor of the demand's organisation for the status moves, any member for
# the actions; Role.NOMAD: anyone outside the organisation (signed in or not).
DEMAND_TABLE: tuple[tuple[str, str], ...] = (
    (D.DRAFT, D.PUBLISHED),
    (D.DRAFT, D.CLOSED),
    (D.PUBLISHED, D.PAUSED),
    (D.PUBLISHED, D.CLOSED),
    (D.PUBLISHED, D.FILLED),
    (D.PAUSED, D.PUBLISHED),
    (D.PAUSED, D.CLOSED),
    (D.PAUSED, D.FILLED),
    (D.CLOSED, D.PUBLISHED),
)
APPLY, CANDIDATES = "apply", "candidates"
DEMAND_ACTIONS: tuple[tuple[str, str, Role], ...] = (
    (D.PUBLISHED, APPLY, N),
    (D.PUBLISHED, CANDIDATES, E),
)


def demand_targets(status: str) -> list[str]:
    """The states an editor may move a demand in ``status`` to, in table order."""
    return [target for source, target in DEMAND_TABLE if source == status]


def demand_actions(status: str, roles: Iterable[Role]) -> list[str]:
    """What a demand in ``status`` lets the holder of ``roles`` do (``apply``,
    ``candidates``)."""
    held = set(roles)
    return [action for source, action, role in DEMAND_ACTIONS if source == status and role in held]


TABLE: tuple[Transition, ...] = (
    T(S.SUBMITTED, S.SHORTLISTED, E),
    T(S.SUBMITTED, S.DECLINED, E),
    T(S.SHORTLISTED, S.DECLINED, E),
    T(S.SHORTLISTED, S.ORDERED, E),
    T(S.SUBMITTED, S.WITHDRAWN, N),
    T(S.SHORTLISTED, S.WITHDRAWN, N),
)

FINAL = frozenset({S.ORDERED, S.DECLINED, S.WITHDRAWN})
OPEN = frozenset({S.SUBMITTED, S.SHORTLISTED})


def moves_for(status: str, roles: Iterable[Role]) -> list[str]:
    held = set(roles)
    return [row.target for row in TABLE if row.source == status and row.role in held]


def _label(status: str) -> str:
    return str(S(status).label)


def check(application: DemandApplication, target: str, roles: Iterable[Role]) -> Transition:
    """The row that allows this move, or a refusal: 409 ``application_decided`` when the
    application is final, 409 ``transition_not_allowed`` when nobody may make this move
    from its state, 403 ``role_not_allowed`` when others may but not the asker."""
    rows = [r for r in TABLE if r.source == application.status and r.target == target]
    if application.status in FINAL:
        raise Conflict(
            _("This application is already “%(state)s”; it can no longer change.")
            % {"state": _label(application.status)},
            code="application_decided",
        )
    if not rows:
        raise Conflict(
            _("An application that is “%(state)s” cannot become “%(target)s”.")
            % {"state": _label(application.status), "target": _label(target)},
            code="transition_not_allowed",
        )
    held = set(roles)
    for row in rows:
        if row.role in held:
            return row
    raise Forbidden(
        _("Only %(role)s may make an application “%(target)s”.")
        % {"role": ROLE_LABELS[rows[0].role], "target": _label(target)},
        code="role_not_allowed",
    )
