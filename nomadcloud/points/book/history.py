"""What a line of a holder's history means, in the reader's language.

Transfers carry a business reason ``code`` (e.g. ``proof_of_work``); ``label`` turns it into a
message, falling back to one per transfer kind. Other parts of the points app register their
codes with ``register(code, label)`` at import time (e.g. payments, refunds)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nomadcloud.points.ledger import Kind

# Codes of the exchange side (wallet/services/).
PROOF_OF_WORK = "proof_of_work"
PROOF_OF_WORK_REVOKED = "proof_of_work_revoked"
EXCHANGE_WORK_UNITS = "exchange_work_units"
EXCHANGE_POINTS = "exchange_points"
EXCHANGE_BONUS = "exchange_bonus"
LOCK_RELEASE = "lock_release"

CODE_LABELS: dict[str, Promise] = {
    PROOF_OF_WORK: _("Work units for a proof of work"),
    PROOF_OF_WORK_REVOKED: _("Work units taken back: the proof of work was revoked"),
    EXCHANGE_WORK_UNITS: _("Work units exchanged for points"),
    EXCHANGE_POINTS: _("Points from an exchange of work units"),
    EXCHANGE_BONUS: _("Campaign bonus on an exchange"),
    LOCK_RELEASE: _("Locked points released"),
}

KIND_LABELS: dict[str, Promise] = {
    Kind.TRANSFER: _("Transfer"),
    Kind.HOLD: _("Held"),
    Kind.POST: _("Hold confirmed"),
    Kind.VOID: _("Hold cancelled"),
    Kind.REVERSAL: _("Correction (reversal)"),
    Kind.EXPIRE_PENDING: _("Hold timed out"),
    Kind.EXPIRE_LOT: _("Points expired"),
}


def register(code: str, label: Promise) -> None:
    """Name a reason code for history lines (call at import time)."""
    CODE_LABELS[code] = label


def label(kind: str, code: str) -> str:
    """The localized reason of a transfer: its code's label, else its kind's."""
    found = CODE_LABELS.get(code)
    if found is not None:
        return str(found)
    return str(KIND_LABELS.get(kind, kind))
