"""The voucher and redemption state machines: ONE table each of the allowed moves
(cross-cutting §3.1: ``TRANSITIONS[(state, action)] = (next state, side)``). Services call
``check`` before every move (under a row lock) and pages show the buttons ``moves_for``
gives; a refusal names the state in the reader's language.

Voucher::

    applied ─approve▶ issued ─redeem▶ redeeming ─verify▶ redeemed   (payout through payouts)
       │                 │  ▲             │
       ├─reject▶ rejected│  └─reject──────┘ (the redemption refused: redeem again)
       └─cancel▶ cancelled├─expire▶ expired (the job; budget released)
                         └─revoke▶ revoked  (fraud; also from redeeming)

Redemption::

    awaiting ─confirm▶ submitted | held ─verify▶ verified
        └─dispute▶ rejected        └──────reject▶ rejected
"""

from __future__ import annotations

from collections.abc import Collection
from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.core.errors import Conflict
from nomadcloud.vouchers.models import Redemption, Voucher


class Side(StrEnum):
    ENTERPRISE = "enterprise"  # the voucher's holder (its editors)
    PROVIDER = "provider"  # the registered provider named on the voucher (its editors)
    DEPARTMENT = "department"  # a deciding member of the programme's department
    SYSTEM = "system"  # the expiry job


V = Voucher.Status
R = Redemption.Status

VOUCHER: dict[tuple[str, str], tuple[str, Side]] = {
    (V.APPLIED, "approve"): (V.ISSUED, Side.DEPARTMENT),
    (V.APPLIED, "reject"): (V.REJECTED, Side.DEPARTMENT),
    (V.APPLIED, "cancel"): (V.CANCELLED, Side.ENTERPRISE),
    (V.ISSUED, "redeem"): (V.REDEEMING, Side.PROVIDER),
    (V.ISSUED, "expire"): (V.EXPIRED, Side.SYSTEM),
    (V.ISSUED, "revoke"): (V.REVOKED, Side.DEPARTMENT),
    (V.REDEEMING, "verify"): (V.REDEEMED, Side.DEPARTMENT),
    (V.REDEEMING, "reject_redemption"): (V.ISSUED, Side.DEPARTMENT),
    (V.REDEEMING, "dispute"): (V.ISSUED, Side.ENTERPRISE),
    (V.REDEEMING, "revoke"): (V.REVOKED, Side.DEPARTMENT),
}

REDEMPTION: dict[tuple[str, str], tuple[str, Side]] = {
    (R.AWAITING_CONFIRMATION, "confirm"): (R.SUBMITTED, Side.ENTERPRISE),  # or HELD
    (R.AWAITING_CONFIRMATION, "dispute"): (R.REJECTED, Side.ENTERPRISE),
    (R.SUBMITTED, "verify"): (R.VERIFIED, Side.DEPARTMENT),
    (R.HELD, "verify"): (R.VERIFIED, Side.DEPARTMENT),
    (R.SUBMITTED, "reject"): (R.REJECTED, Side.DEPARTMENT),
    (R.HELD, "reject"): (R.REJECTED, Side.DEPARTMENT),
}

# The redemption's moves that also move its voucher, and the voucher's action for them.
VOUCHER_ACTION_OF = {"verify": "verify", "reject": "reject_redemption", "dispute": "dispute"}
TERMINAL = frozenset({V.REDEEMED, V.REJECTED, V.EXPIRED, V.REVOKED, V.CANCELLED})


def check_voucher(voucher: Voucher, action: str) -> str:
    """The voucher's next state for ``action``, or 409 ``transition_not_allowed``."""
    row = VOUCHER.get((voucher.status, action))
    if row is None and action == "redeem" and voucher.status in {V.REDEEMING, V.REDEEMED}:
        raise Conflict(_("This voucher has already been redeemed."), code="already_redeemed")
    if row is None:
        raise Conflict(
            _("A voucher that is “%(state)s” cannot be %(action)s.")
            % {"state": V(voucher.status).label, "action": action_label(action)},
            code="transition_not_allowed",
        )
    return row[0]


def check_redemption(redemption: Redemption, action: str) -> str:
    row = REDEMPTION.get((redemption.status, action))
    if row is None:
        raise Conflict(
            _("A redemption that is “%(state)s” cannot be %(action)s.")
            % {"state": R(redemption.status).label, "action": action_label(action)},
            code="transition_not_allowed",
        )
    return row[0]


def voucher_moves(voucher: Voucher, sides: Collection[Side]) -> frozenset[str]:
    return frozenset(
        action
        for (state, action), (_target, side) in VOUCHER.items()
        if state == voucher.status and side in sides and action not in VOUCHER_ACTION_OF.values()
    )


def redemption_moves(redemption: Redemption, sides: Collection[Side]) -> frozenset[str]:
    return frozenset(
        action
        for (state, action), (_target, side) in REDEMPTION.items()
        if state == redemption.status and side in sides
    )


def action_label(action: str) -> str:
    labels = {
        "approve": _("approved"),
        "reject": _("rejected"),
        "cancel": _("cancelled"),
        "redeem": _("redeemed"),
        "expire": _("expired"),
        "revoke": _("revoked"),
        "verify": _("verified by the department"),
        "reject_redemption": _("refused redemption"),
        "dispute": _("disputed"),
        "confirm": _("confirmed"),
    }
    return labels.get(action, action)
