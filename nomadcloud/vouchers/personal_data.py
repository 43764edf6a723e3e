"""What the vouchers app holds about a person (core/privacy.py): the applications,
registrations and redemptions they made or decided for their organisations, and the voucher
history they acted in. These are the organisations' records (budget and payment records
rely on them), so erasure keeps them under the pseudonymous person; the texts they wrote
(a decision's reason, a delivery report) stay with the organisation's record."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.vouchers.models import Provider, Redemption, Voucher, VoucherEvent


def export(user: Any) -> dict[str, Any]:
    return {
        "vouchers_applied": privacy.dump(
            Voucher.objects.filter(applied_by=user),
            exclude=[
                "legal_representative_encrypted",
                "registered_address",
                "bank_account_encrypted",
            ],
        ),
        "provider_registrations": privacy.dump(
            Provider.objects.filter(applied_by=user),
            exclude=[
                "legal_representative_encrypted",
                "registered_address",
                "bank_account_encrypted",
            ],
        ),
        "redemptions_requested": privacy.dump(
            Redemption.objects.filter(requested_by=user), exclude=["report"]
        ),
        "voucher_events": privacy.dump(VoucherEvent.objects.filter(actor=user)),
    }


def erase(user: Any) -> None:
    """Nothing to remove: the rows above are organisations' records and name the person
    only through the account, which erasure makes pseudonymous."""
