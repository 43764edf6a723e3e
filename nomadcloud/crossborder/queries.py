"""Reads for the cross-border pages and workspace tools."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from nomadcloud.accounts.access import MANAGERS
from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.crossborder.models import ExportCounter, ExportRequest, WhitelistEntry

R = ExportRequest.State
E = WhitelistEntry.Status


def exporter_summary(organisation: Organisation) -> dict[str, int]:
    """Requests waiting on the exporter and entries needing attention, in one query each."""
    requests = ExportRequest.objects.filter(exporter=organisation).aggregate(
        open=Count("id", filter=Q(state__in=(R.OBLIGATIONS_PENDING, R.RETURNED))),
        total=Count("id"),
    )
    entries = WhitelistEntry.objects.filter(exporter=organisation).aggregate(
        active=Count("id", filter=Q(status__in=(E.ACTIVE, E.RENEWAL_DUE))),
        attention=Count("id", filter=Q(status__in=(E.RENEWAL_DUE, E.REASSESSMENT_REQUIRED))),
    )
    return {**requests, **entries}


def to_precheck(department: Organisation) -> int:
    return ExportRequest.objects.filter(department=department, state=R.EVIDENCE_SUBMITTED).count()


def counters_of(organisation: Organisation) -> list[ExportCounter]:
    return list(ExportCounter.objects.filter(exporter=organisation).order_by("-year"))


def zone_totals() -> dict[str, int]:
    return WhitelistEntry.objects.aggregate(
        active=Count("id", filter=Q(status__in=(E.ACTIVE, E.RENEWAL_DUE))),
        attention=Count("id", filter=Q(status__in=(E.RENEWAL_DUE, E.REASSESSMENT_REQUIRED))),
    ) | {"to_precheck": ExportRequest.objects.filter(state=R.EVIDENCE_SUBMITTED).count()}


def whitelist_hub(principal: Principal) -> list[dict[str, Any]]:
    """The one-card hub's page (数据出境白名单, decision 0064): each enterprise the person
    belongs to, with its whitelist entries and whether they may start an assessment."""
    if principal.user is None:
        return []
    memberships = (
        Membership.objects.filter(
            user=principal.user, organisation__kind=Organisation.Kind.ENTERPRISE
        )
        .select_related("organisation")
        .order_by("organisation__name_zh", "organisation_id")
    )
    seats = [(m.organisation, m.role) for m in memberships[:20]]
    entries: dict[int, list[WhitelistEntry]] = {org.pk: [] for org, _role in seats}
    for entry in WhitelistEntry.objects.filter(exporter_id__in=list(entries)).order_by(
        "-valid_to", "-id"
    ):
        entries[entry.exporter_id].append(entry)
    return [
        {
            "organisation": org,
            "entries": entries[org.pk][:50],
            "may_edit": principal.can_write and role in MANAGERS,
            "summary": exporter_summary(org),
        }
        for org, role in seats
    ]
