"""What payouts hold about a person (core/privacy.py): payments to them (payee kind
``accounts.user``, payee id their public id) and the payouts they approved or confirmed as
a finance officer. Erasure keeps all of it: payments are financial records the law requires
to be kept (会计档案), and they then name only the pseudonymous person."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from nomadcloud.core import privacy
from nomadcloud.payouts.models import Payout

PERSON = "accounts.user"


def export(user: Any) -> dict[str, Any]:
    mine = Payout.objects.filter(payee_kind=PERSON, payee_id=str(user.public_id))
    acted = Payout.objects.filter(Q(approved_by=user) | Q(confirmed_by=user))
    fields = ["amount", "status", "external_reference", "created_at", "confirmed_at"]
    return {
        "payments_to_you": privacy.rows(mine, fields, public_id=lambda p: p.public_id),
        "payouts_you_approved_or_confirmed": privacy.rows(
            acted, fields, public_id=lambda p: p.public_id
        ),
    }


def erase(user: Any) -> None:
    """Nothing is erased: see the module's docstring."""
