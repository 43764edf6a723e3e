"""The valuation state machine: ONE table of the allowed moves (cross-cutting §3.1).

::

    draft ─collect▶ data_collected ─legal_gate▶ legal_passed ─assess▶ quality_assessed
                                   └─legal_gate (no basis)▶ not_recognisable
    quality_assessed ─compute▶ computed ─reconcile▶ reconciled ─sign/review▶ reviewed
    reviewed ─issue▶ issued ─supersede▶ superseded
    any state before issued, and issued ─withdraw▶ withdrawn

``compute`` may be repeated from ``computed`` and ``reconcile`` from ``reconciled`` (the
valuer corrects before anyone signs); a correction after a signature clears the signatures.
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.core.errors import Conflict
from nomadcloud.valuation.models import Valuation

RULE_VERSION = "cas-2023-17/v1"


class Side(StrEnum):
    HOLDER = "holder"  # the asset holder's editors
    VALUER = "valuer"  # the valuation firm's editors
    DEPARTMENT = "department"  # a deciding member of the reviewing department


S = Valuation.State
BEFORE_ISSUE = (
    S.DRAFT,
    S.DATA_COLLECTED,
    S.LEGAL_PASSED,
    S.QUALITY_ASSESSED,
    S.COMPUTED,
    S.RECONCILED,
    S.REVIEWED,
)

TRANSITIONS: dict[tuple[str, str], tuple[str, Side]] = {
    (S.DRAFT, "collect"): (S.DATA_COLLECTED, Side.VALUER),
    (S.DATA_COLLECTED, "collect"): (S.DATA_COLLECTED, Side.VALUER),
    (S.DATA_COLLECTED, "legal_gate"): (S.LEGAL_PASSED, Side.VALUER),
    (S.LEGAL_PASSED, "assess"): (S.QUALITY_ASSESSED, Side.VALUER),
    (S.QUALITY_ASSESSED, "compute"): (S.COMPUTED, Side.VALUER),
    (S.COMPUTED, "compute"): (S.COMPUTED, Side.VALUER),
    (S.COMPUTED, "reconcile"): (S.RECONCILED, Side.VALUER),
    (S.RECONCILED, "reconcile"): (S.RECONCILED, Side.VALUER),
    (S.RECONCILED, "sign"): (S.RECONCILED, Side.VALUER),
    (S.RECONCILED, "review"): (S.RECONCILED, Side.DEPARTMENT),
    (S.REVIEWED, "issue"): (S.ISSUED, Side.VALUER),
    (S.RECONCILED, "issue"): (S.ISSUED, Side.VALUER),
    (S.ISSUED, "supersede"): (S.SUPERSEDED, Side.VALUER),
    **{(state, "withdraw"): (S.WITHDRAWN, Side.HOLDER) for state in (*BEFORE_ISSUE, S.ISSUED)},
}
ACTIONS = sorted({action for _state, action in TRANSITIONS})
PAGE_ACTIONS = ("sign", "review", "issue", "withdraw")


def check(valuation: Valuation, action: str) -> tuple[str, Side]:
    """The next state and the side that moves, or 409 ``transition_not_allowed``."""
    row = TRANSITIONS.get((valuation.state, action))
    if row is None:
        raise Conflict(
            _("A valuation that is “%(state)s” cannot be %(action)s.")
            % {"state": S(valuation.state).label, "action": action_label(action)},
            code="transition_not_allowed",
        )
    return row


def moves_for(valuation: Valuation, sides: Collection[Side]) -> list[str]:
    return [
        action
        for (state, action), (_target, side) in TRANSITIONS.items()
        if state == valuation.state and side in sides
    ]


def action_label(action: str) -> str:
    labels = {
        "collect": _("given its data"),
        "legal_gate": _("checked for its legal basis"),
        "assess": _("assessed for quality"),
        "compute": _("computed"),
        "reconcile": _("reconciled"),
        "sign": _("signed by the valuer"),
        "review": _("signed by the reviewer"),
        "issue": _("issued"),
        "supersede": _("superseded"),
        "withdraw": _("withdrawn"),
    }
    return labels.get(action, action)
