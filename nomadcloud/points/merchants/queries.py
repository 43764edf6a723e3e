"""Reads of the merchants wing: merchants of a person and the registry, payments and
statements of a merchant. The caller has passed the chokepoint (``points/access.py``):
reads of one merchant take the merchant it returned."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import parse_public_id
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core.errors import NotFound
from nomadcloud.points import models as m
from nomadcloud.points.merchants.services.registry import masked_name
from nomadcloud.points.merchants.services.settlement import day_bounds

Status = m.Payment.Status

# ---- merchants ---------------------------------------------------------------------------


def merchants_of(user: User) -> list[m.Merchant]:
    """The merchants the person is a member of."""
    return list(
        m.Merchant.objects.select_related("organisation", "scenario", "scenario__asset")
        .filter(organisation__memberships__user=user)
        .distinct()
        .order_by("id")
    )


def registry() -> list[m.Merchant]:
    return list(
        m.Merchant.objects.select_related("organisation", "scenario", "scenario__asset").order_by(
            "id"
        )
    )


def unregistered_merchant_organisations() -> list[Organisation]:
    """Verified merchant organisations not yet registered in a scenario."""
    return list(
        Organisation.objects.filter(
            kind=Organisation.Kind.MERCHANT,
            verification_status=Organisation.Verification.VERIFIED,
            points_merchant__isnull=True,
        ).order_by("id")
    )


def balance_of(merchant: m.Merchant) -> int:
    """What the merchant's account holds in its scenario's asset: points accepted and not yet
    settled."""
    row = m.Account.objects.filter(
        id=f"o:{merchant.organisation.public_id.hex}:{merchant.scenario.asset_id}"
    ).first()
    return row.credits_posted - row.debits_posted if row else 0


# ---- payments ----------------------------------------------------------------------------


def shown_status(payment: m.Payment, now: datetime | None = None) -> str:
    """The status to show: a hold past its timeout has timed out even before anyone tried
    to confirm it."""
    if payment.status == Status.HELD and payment.expires_at <= (now or timezone.now()):
        return Status.EXPIRED
    return str(payment.status)


def recent_payments_of(user: User, limit: int = 10) -> list[m.Payment]:
    """The person's own latest payments at merchants, newest first (the Pay page)."""
    return list(
        m.Payment.objects.filter(person=user)
        .select_related("merchant__organisation", "asset")
        .prefetch_related("refunds")
        .order_by("-created_at", "-id")[:limit]
    )


def payments_on(merchant: m.Merchant, day: date) -> list[m.Payment]:
    """The payments taken at the merchant on a zone day, newest first."""
    start, end = day_bounds(day)
    return list(
        m.Payment.objects.filter(merchant=merchant, created_at__gte=start, created_at__lt=end)
        .select_related("person", "asset", "cashier")
        .prefetch_related("refunds")
        .order_by("-created_at", "-id")
    )


def payment_for(merchant: m.Merchant, payment_id: object) -> m.Payment:
    key = parse_public_id(payment_id, message=_("No such payment."))
    payment = (
        m.Payment.objects.select_related("merchant__organisation", "person", "asset", "cashier")
        .filter(merchant=merchant, public_id=key)
        .first()
    )
    if payment is None:
        raise NotFound(_("No such payment."))
    return payment


def masked_person(payment: m.Payment) -> str:
    return masked_name(payment.person)


# ---- statements --------------------------------------------------------------------------


def statements_of(merchant: m.Merchant) -> list[m.Statement]:
    return list(
        m.Statement.objects.filter(merchant=merchant)
        .select_related("asset")
        .order_by("-day", "asset_id")
    )


def statements_on(day: date) -> list[m.Statement]:
    return list(
        m.Statement.objects.filter(day=day)
        .select_related("merchant__organisation", "merchant__scenario", "asset")
        .order_by("merchant_id", "asset_id")
    )


def statement_for(merchant: m.Merchant, statement_id: object) -> m.Statement:
    key = parse_public_id(statement_id, message=_("No such statement."))
    statement = (
        m.Statement.objects.select_related("merchant__organisation", "asset")
        .filter(merchant=merchant, public_id=key)
        .first()
    )
    if statement is None:
        raise NotFound(_("No such statement."))
    return statement


def pending_of(merchant: m.Merchant) -> dict[str, Any]:
    """What the merchant has accepted that awaits settlement (confirmed, not yet settled)."""
    totals = m.Payment.objects.filter(
        merchant=merchant, status=m.Payment.Status.CONFIRMED, statement__isnull=True
    ).aggregate(amount=Sum("amount"), refunded=Sum("refunded"))
    return {"amount": (totals["amount"] or 0) - (totals["refunded"] or 0)}


# ---- workspace figures (points/workspace.py) ---------------------------------------------


def merchant_of(organisation: Organisation) -> m.Merchant | None:
    return (
        m.Merchant.objects.select_related("organisation", "scenario__asset")
        .filter(organisation=organisation)
        .first()
    )


def takings_on(merchant: m.Merchant, day: date) -> tuple[int, int]:
    """Payments confirmed at the merchant on a zone day and their amount less refunds
    (one query)."""
    start, end = day_bounds(day)
    row = m.Payment.objects.filter(
        merchant=merchant,
        status=Status.CONFIRMED,
        created_at__gte=start,
        created_at__lt=end,
    ).aggregate(n=Count("pk"), amount=Sum("amount"), refunded=Sum("refunded"))
    return int(row["n"] or 0), int(row["amount"] or 0) - int(row["refunded"] or 0)


def payment_of_code(code: m.PaymentCode) -> m.Payment | None:
    """The payment a cashier took with the person's code (the first of theirs in that asset
    since the code was used), or None while it is unused."""
    if code.used_at is None:
        return None
    return (
        m.Payment.objects.filter(person_id=code.person_id, asset_id=code.asset_id)
        .filter(created_at__gte=code.used_at)
        .select_related("merchant__organisation", "asset")
        .order_by("created_at", "id")
        .first()
    )
