"""What points holds about a person (core/privacy.py): their accounts and balances, every
transfer on them, exchanges, work-unit credits, payments at merchants with their refunds, and
payment codes.

Erasure keeps the ledger (accounts ``u:<public id>``, transfers, exchanges, credits,
payments, refunds): a ledger is never rewritten, and it names the person only by the public
id of the now pseudonymous row. Payment codes (live or spent) are deleted."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from nomadcloud.core import privacy
from nomadcloud.points import book
from nomadcloud.points import models as m


def export(user: Any) -> dict[str, Any]:
    accounts = list(m.Account.objects.filter(holder=book.person_holder(user)))
    ids = [a.id for a in accounts]
    return {
        "accounts": privacy.dump(accounts, account=lambda a: a.id),
        "transfers": privacy.dump(
            m.Transfer.objects.filter(
                Q(debit_account_id__in=ids) | Q(credit_account_id__in=ids)
            ).order_by("seq")
        ),
        "exchanges": privacy.dump(m.Exchange.objects.filter(user=user), exclude=["user"]),
        "work_unit_credits": privacy.dump(
            m.WorkUnitCredit.objects.filter(user=user), exclude=["user"]
        ),
        "payments": privacy.dump(
            m.Payment.objects.filter(person=user).select_related("merchant__organisation"),
            exclude=["person", "cashier", "resolved_by", "statement"],
            merchant=lambda p: str(p.merchant.organisation),
        ),
        "refunds": privacy.dump(
            m.Refund.objects.filter(payment__person=user),
            exclude=["created_by", "statement", "request_key"],
        ),
        "payment_codes": privacy.dump(
            m.PaymentCode.objects.filter(person=user), exclude=["person", "digest"]
        ),
    }


def erase(user: Any) -> None:
    m.PaymentCode.objects.filter(person=user).delete()
