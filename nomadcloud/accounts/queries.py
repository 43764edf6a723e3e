"""Reads, always scoped to who is asking."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from nomadcloud.accounts.access import DECIDING_ROLES, is_zone_operator
from nomadcloud.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.models import AuditEvent


def organisations_visible_to(principal: Principal) -> QuerySet[Organisation]:
    key_org = principal.key_organisation
    if key_org is not None:
        return Organisation.objects.filter(pk=key_org.pk)
    if principal.user is None:
        return Organisation.objects.none()
    if is_zone_operator(principal.user):
        return Organisation.objects.all()
    return Organisation.objects.filter(memberships__user=principal.user).distinct()


def memberships_of(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user).select_related("organisation").order_by("id")


def members_of(organisation: Organisation) -> QuerySet[Membership]:
    return (
        Membership.objects.filter(organisation=organisation).select_related("user").order_by("id")
    )


def open_invitations_of(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
    ).order_by("-id")


def personal_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(kind=ApiToken.Kind.PERSONAL, user=user).order_by("-id")


def keys_of(organisation: Organisation) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(
        kind=ApiToken.Kind.ORGANISATION, organisation=organisation
    ).order_by("-id")


def review_queue_for(user: User) -> QuerySet[Organisation]:
    """Organisations awaiting verification by a department where the user decides."""
    return (
        Organisation.objects.filter(
            verification_status=Organisation.Verification.PENDING,
            reviewing_department__memberships__user=user,
            reviewing_department__memberships__role__in=DECIDING_ROLES,
        )
        .select_related("reviewing_department")
        .distinct()
        .order_by("id")
    )


def audit_events(
    *,
    action: str = "",
    object_type: str = "",
    actor_public_id: str = "",
    organisation_public_id: str = "",
) -> QuerySet[AuditEvent]:
    """The audit log with optional filters; callers check the operator role first."""
    events = AuditEvent.objects.select_related("actor", "organisation", "api_token")
    if action:
        events = events.filter(action__startswith=action)
    if object_type:
        events = events.filter(object_type=object_type)
    if actor_public_id:
        events = events.filter(actor__public_id=actor_public_id)
    if organisation_public_id:
        events = events.filter(organisation__public_id=organisation_public_id)
    return events.order_by("-id")


# ---- workspace figures (accounts/desk.py) ----------------------------------------------


def organisation_summary(organisation: Organisation) -> dict[str, int]:
    """Members and open invitations of an organisation, in one query."""
    return Organisation.objects.filter(pk=organisation.pk).aggregate(
        members=Count("memberships", distinct=True),
        invitations=Count(
            "invitations",
            filter=Q(invitations__accepted_at__isnull=True, invitations__revoked_at__isnull=True),
            distinct=True,
        ),
    )


def review_queue_summary(user: User) -> tuple[int, datetime | None]:
    """How many organisations wait for the user's decision, and since when the oldest has
    waited (its latest verification request, or its registration when none is recorded)."""
    requested = (
        AuditEvent.objects.filter(
            action="accounts.organisation.request_verification",
            organisation=OuterRef("pk"),
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    queue = review_queue_for(user).annotate(
        waiting_since=Coalesce(Subquery(requested), "created_at")
    )
    row = queue.aggregate(n=Count("pk"), oldest=Min("waiting_since"))
    return int(row["n"] or 0), row["oldest"]


def nomads_registered() -> int:
    """People registered as digital nomads (erased accounts excepted), for the home page."""
    return User.objects.filter(is_nomad=True, erased_at__isnull=True).count()
