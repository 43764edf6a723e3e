"""Reads for the cross-border pages and workspace tools."""

from __future__ import annotations

from django.db.models import Count, Q

from nomadcloud.accounts.models import Organisation
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
