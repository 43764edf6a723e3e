"""Reads scoped to who asks (the access checks are in access.py)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Case, Count, QuerySet, Sum, Value, When

from nomadcloud.accounts.models import Organisation
from nomadcloud.incentives.models import Claim, Entitlement, Introduction, Policy

S = Claim.Status


def organisation_summary(organisation: Organisation) -> dict[str, Any]:
    found = Entitlement.objects.filter(organisation=organisation, eligible=True).aggregate(
        n=Count("id"), amount=Sum("amount")
    )
    supplements = Claim.objects.filter(
        organisation=organisation, status=S.SUPPLEMENT_REQUESTED
    ).count()
    return {
        "entitlements": found["n"] or 0,
        "amount": found["amount"] or Decimal("0.00"),
        "supplements": supplements,
    }


def department_has_policies(code: str) -> bool:
    return Policy.objects.filter(department_code=code).exists()


def claims_to_verify(code: str) -> int:
    return Claim.objects.filter(
        policy__department_code=code, status__in=(S.SUBMITTED, S.VERIFYING)
    ).count()


def claims_in_publicity() -> int:
    return Claim.objects.filter(status=S.PUBLICITY).count()


def entitlements_of(organisation: Organisation) -> QuerySet[Entitlement]:
    return (
        Entitlement.objects.filter(organisation=organisation)
        .select_related("policy")
        .order_by("-year", "policy_id")
    )


def claims_of(organisation: Organisation) -> QuerySet[Claim]:
    return Claim.objects.filter(organisation=organisation).select_related("policy")


def introductions_of(organisation: Organisation) -> QuerySet[Introduction]:
    return Introduction.objects.filter(introducer=organisation).select_related("nomad")


def policies() -> QuerySet[Policy]:
    return Policy.objects.order_by("id")


def review_queue(codes: set[str] | None) -> QuerySet[Claim]:
    query = Claim.objects.select_related("organisation", "policy").exclude(
        status__in=(S.DRAFT, S.WITHDRAWN)
    )
    if codes is not None:
        query = query.filter(policy__department_code__in=codes)
    waiting = Case(
        When(status__in=(S.SUBMITTED, S.VERIFYING, S.APPEAL_REVIEW, S.PUBLICITY), then=Value(0)),
        default=Value(1),
    )
    return query.order_by(waiting, "-id")
