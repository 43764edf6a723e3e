"""Reads of challenges scoped to who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.bounties.access import PRIVATE
from nomadcloud.bounties.models import Application, Assignment, Challenge


def public_challenges() -> QuerySet[Challenge]:
    return (
        Challenge.objects.exclude(status__in=PRIVATE)
        .select_related("issuer", "department")
        .prefetch_related("phases")
        .order_by("-pk")
    )


def challenges_of(organisation: Organisation) -> QuerySet[Challenge]:
    return (
        Challenge.objects.filter(issuer=organisation)
        .select_related("issuer", "department")
        .prefetch_related("phases")
        .order_by("-pk")
    )


def to_approve(department: Organisation) -> QuerySet[Challenge]:
    return Challenge.objects.filter(
        department=department, status=Challenge.Status.SUBMITTED
    ).select_related("issuer")


def assignments_of(user: User) -> QuerySet[Assignment]:
    return (
        Assignment.objects.filter(expert__user=user)
        .select_related("application__challenge", "application__team", "expert")
        .order_by("-pk")
    )


def applications_of(challenge: Challenge) -> QuerySet[Application]:
    return challenge.applications.select_related("team").order_by("rank", "pk")
