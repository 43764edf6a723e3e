"""Reads scoped to who asks: open programmes, an organisation's vouchers (held or to
redeem), a department's review queue, and the small counts of the workspace tools."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.vouchers import access
from nomadcloud.vouchers.models import Programme, Provider, Redemption, Voucher

V = Voucher.Status
R = Redemption.Status
VOUCHER_RELATED = ("programme__department", "enterprise", "provider__organisation", "service")


def programmes_visible_to(principal: Principal) -> QuerySet[Programme]:
    """Open programmes for everyone; closed ones too for their departments and the operator."""
    rows = Programme.objects.select_related("department").order_by("-year", "-id")
    if is_zone_operator(principal):
        return rows
    departments = [d.pk for d in access.departments_of(principal)]
    return rows.filter(Q(status=Programme.Status.OPEN) | Q(department_id__in=departments))


def registered_providers(programme: Programme) -> QuerySet[Provider]:
    return (
        Provider.objects.filter(programme=programme, status=Provider.Status.REGISTERED)
        .select_related("organisation", "programme")
        .prefetch_related("services")
        .order_by("id")
    )


def providers_of(principal: Principal, programme: Programme) -> QuerySet[Provider]:
    """The asker's own registrations on the programme (any state)."""
    orgs = [o.pk for o in access.editable_organisations(principal, Organisation.Kind.values)]
    return Provider.objects.filter(programme=programme, organisation_id__in=orgs).select_related(
        "organisation"
    )


def vouchers_visible_to(principal: Principal) -> QuerySet[Voucher]:
    """Vouchers the asker's organisations hold or provide, those of the departments where
    the asker decides, and all of them for the zone operator."""
    rows = Voucher.objects.select_related(*VOUCHER_RELATED).order_by("-id")
    if is_zone_operator(principal):
        return rows
    if principal.key_organisation is not None:
        org = principal.key_organisation.pk
        return rows.filter(Q(enterprise_id=org) | Q(provider__organisation_id=org))
    if principal.user is None:
        return rows.none()
    mine = Q(enterprise__memberships__user=principal.user) | Q(
        provider__organisation__memberships__user=principal.user
    )
    departments = [d.pk for d in access.departments_of(principal)]
    return rows.filter(mine | Q(programme__department_id__in=departments)).distinct()


def vouchers_of(organisation: Organisation) -> QuerySet[Voucher]:
    return (
        Voucher.objects.filter(Q(enterprise=organisation) | Q(provider__organisation=organisation))
        .select_related(*VOUCHER_RELATED)
        .order_by("-id")
    )


def provider_registrations_of(organisation: Organisation) -> QuerySet[Provider]:
    return (
        Provider.objects.filter(organisation=organisation)
        .select_related("programme")
        .order_by("-id")
    )


def review_queue(departments: list[Organisation]) -> dict[str, QuerySet[Any]]:
    ids = [d.pk for d in departments]
    return {
        "providers": Provider.objects.filter(
            programme__department_id__in=ids, status=Provider.Status.APPLIED
        ).select_related("organisation", "programme"),
        "applications": Voucher.objects.filter(
            programme__department_id__in=ids, status=V.APPLIED
        ).select_related(*VOUCHER_RELATED),
        "redemptions": Redemption.objects.filter(
            voucher__programme__department_id__in=ids, status__in=[R.SUBMITTED, R.HELD]
        ).select_related("voucher", "provider__organisation", "voucher__enterprise"),
    }


def enterprise_counts(organisation: Organisation) -> dict[str, int]:
    counts = Voucher.objects.filter(
        Q(enterprise=organisation) | Q(provider__organisation=organisation)
    ).aggregate(
        held=Count("id", filter=Q(enterprise=organisation, status__in=[V.ISSUED, V.REDEEMING])),
        to_confirm=Count(
            "id",
            filter=Q(
                enterprise=organisation,
                redemptions__status=R.AWAITING_CONFIRMATION,
            ),
        ),
        to_redeem=Count("id", filter=Q(provider__organisation=organisation, status=V.ISSUED)),
    )
    return {k: int(v or 0) for k, v in counts.items()}


def department_counts(department: Organisation) -> dict[str, int]:
    providers = Provider.objects.filter(
        programme__department=department, status=Provider.Status.APPLIED
    ).count()
    vouchers = Voucher.objects.filter(programme__department=department).aggregate(
        applications=Count("id", filter=Q(status=V.APPLIED)),
        to_verify=Count("id", filter=Q(redemptions__status__in=[R.SUBMITTED, R.HELD])),
        held=Count("id", filter=Q(redemptions__status=R.HELD)),
    )
    return {"providers": providers, **{k: int(v or 0) for k, v in vouchers.items()}}


def open_programme_count() -> int:
    today = timezone.localdate()
    return Programme.objects.filter(
        status=Programme.Status.OPEN,
        applications_from__lte=today,
        applications_until__gte=today,
    ).count()
