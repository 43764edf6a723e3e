"""The payout state machine: ONE table of the allowed moves. Services go through ``check``;
views compute the moves shown from ``moves``.

    approved ─▶ scheduled ─▶ paying ─▶ paid ─▶ confirmed
                    ▲           │        │
                    │           ▼        ▼
                 retried ◀── failed ◀────┘ (the bank rejected or returned it)
                                │
    approved/scheduled/retried/failed ─▶ reversed (the money goes back to the commitment)

``paying`` is the outbox state of the payment adapter (the order was handed to the bank);
``paid`` is what the bank reported and is never displayed as paid: only ``confirmed`` is,
after a person confirms it against the bank's reference.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.core.errors import Conflict
from nomadcloud.payouts.models import Payout

S = Payout.Status

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.APPROVED, "schedule"): S.SCHEDULED,
    (S.SCHEDULED, "send"): S.PAYING,
    (S.RETRIED, "send"): S.PAYING,
    (S.PAYING, "mark_paid"): S.PAID,
    (S.PAYING, "fail"): S.FAILED,
    (S.PAID, "fail"): S.FAILED,
    (S.PAID, "confirm"): S.CONFIRMED,
    (S.FAILED, "retry"): S.RETRIED,
    (S.APPROVED, "reverse"): S.REVERSED,
    (S.SCHEDULED, "reverse"): S.REVERSED,
    (S.RETRIED, "reverse"): S.REVERSED,
    (S.FAILED, "reverse"): S.REVERSED,
}

ACTIONS = ("schedule", "send", "mark_paid", "confirm", "fail", "retry", "reverse")
# Money still counts as "being paid" in these states (between approval and confirmation).
IN_FLIGHT = frozenset({S.APPROVED, S.SCHEDULED, S.PAYING, S.PAID, S.FAILED, S.RETRIED})


def moves(status: str) -> list[str]:
    """The actions allowed from ``status``, in a stable order."""
    return [action for action in ACTIONS if (status, action) in TRANSITIONS]


def check(payout: Payout, action: str) -> str:
    """The state ``action`` leads to, or ``Conflict`` (``invalid_transition``)."""
    target = TRANSITIONS.get((payout.status, action))
    if target is None:
        raise Conflict(
            _("A payout in state “%(status)s” cannot be moved that way (%(action)s).")
            % {"status": Payout.Status(payout.status).label, "action": action},
            code="invalid_transition",
        )
    return target
