"""The public catalogue read by the CKAN Action API and the DCAT-AP export: one CKAN
package / DCAT dataset per public pool (open, closed or archived), its released dataset
versions as resources / distributions. Metadata only: the rows stay inside (可用不可见)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from nomadcloud.accounts.models import Organisation
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import ApplicationScenario, Charter, DatasetVersion, Pool


def public_pools() -> QuerySet[Pool]:
    return (
        Pool.objects.filter(status__in=PUBLIC_STATES)
        .select_related("steward", "lead_department")
        .prefetch_related(
            # Only what the catalogue shows: no schema, no quality breakdown (large JSON).
            Prefetch(
                "versions",
                queryset=DatasetVersion.objects.order_by("number").defer("quality"),
            ),
            Prefetch("scenarios", queryset=ApplicationScenario.objects.only("public_id")),
            Prefetch(
                "charters",
                queryset=Charter.objects.order_by("-version").defer(
                    "columns", "purposes", "data_categories"
                ),
            ),
        )
        .order_by("created_at", "id")
    )


def organisation_name(org: Organisation) -> str:
    """A CKAN-safe name (lower-case letters, digits, - and _): the code, else the id."""
    return (org.code or f"org-{org.public_id}").lower()


def charter_of(pool: Pool) -> Charter:
    """The newest charter from the prefetched list."""
    return next(iter(pool.charters.all()))


def modified(pool: Pool) -> datetime:
    versions = list(pool.versions.all())
    return versions[-1].released_at if versions else pool.created_at


@dataclass(frozen=True)
class Group:
    name: str
    title_zh: str
    title_en: str


GROUPS = {
    Pool.Kind.CONSUMPTION: Group("consumption", "文旅消费", "Culture and tourism consumption"),
    Pool.Kind.TRAFFIC: Group("traffic", "交通出行", "Traffic behaviour"),
    Pool.Kind.METAVERSE: Group("metaverse", "元宇宙数字资产", "Metaverse assets"),
}
