"""The public catalogue read by the CKAN Action API and the DCAT-AP export: one CKAN
package / DCAT dataset per public pool (open, closed or archived), its released dataset
versions as resources / distributions. Metadata only: the rows stay inside (可用不可见).

Both read a page of the catalogue through ``entries``: three queries of plain column values
(the pools with their steward and lead department, the newest charter of each, their
released versions), no model instances — a CKAN search answers up to 1,000 packages, and
building them from ORM objects was most of its time (decision 0050)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import F, Prefetch, QuerySet, TextField
from django.db.models.functions import Cast

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
    Pool.Kind.LABELLED: Group("labelled", "标注数据", "Labelled data"),
}


# --- a page of the catalogue as plain values (decision 0050) ------------------------------


@dataclass(frozen=True, slots=True)
class Agent:
    """What the catalogue shows of a steward or lead department."""

    public_id: str
    code: str
    name_zh: str
    name_en: str
    created_at: datetime

    @property
    def name(self) -> str:
        """The CKAN-safe name, as ``organisation_name``."""
        return (self.code or f"org-{self.public_id}").lower()


@dataclass(frozen=True, slots=True)
class Version:
    public_id: str
    number: int
    row_count: int
    contributor_count: int
    quality_score: int
    released_at: datetime


@dataclass(frozen=True, slots=True)
class Entry:
    """One public pool as the catalogue shows it; ``versions`` oldest first."""

    pk: int
    public_id: str
    kind: str
    title: dict[str, Any]
    description: dict[str, Any]
    created_at: datetime
    steward: Agent
    lead_department: Agent
    charter_version: int
    classification: str
    grade: str
    access_modes: list[str]
    versions: list[Version]
    registration_code: str = ""
    # The scenario library's entries using the pool (应用场景库), newest first.
    scenarios: tuple[str, ...] = ()

    @property
    def modified(self) -> datetime:
        """The newest release, else the proposal (as ``modified``)."""
        return self.versions[-1].released_at if self.versions else self.created_at


VERSION_FIELDS = (
    "pool_id",
    "public_id",
    "number",
    "row_count",
    "contributor_count",
    "quality_score",
    "released_at",
)
_ORG = ("public_id", "code", "name_zh", "name_en", "created_at")


def _organisation(row: dict[str, Any], prefix: str) -> Agent:
    return Agent(
        public_id=str(row[f"{prefix}__public_id"]),
        code=row[f"{prefix}__code"] or "",
        name_zh=row[f"{prefix}__name_zh"] or "",
        name_en=row[f"{prefix}__name_en"] or "",
        created_at=row[f"{prefix}__created_at"],
    )


def entries(pks: Sequence[int], *, public_only: bool = True) -> list[Entry]:
    """The public pools among ``pks`` (all of them with ``public_only=False``), in that
    order, in three queries whatever their number."""
    if not pks:
        return []
    pools = Pool.objects.filter(pk__in=pks)
    if public_only:
        pools = pools.filter(status__in=PUBLIC_STATES)
    rows = pools.values(
        "pk",
        "public_id",
        "kind",
        "title",
        "description",
        "created_at",
        "registration_code",
        *(f"steward__{f}" for f in _ORG),
        *(f"lead_department__{f}" for f in _ORG),
    )
    scenarios: dict[int, list[str]] = {}
    for pool_id, scenario in (
        ApplicationScenario.pools.through.objects.filter(pool_id__in=pks)
        .order_by("-applicationscenario__created_at", "-applicationscenario__id")
        .values_list("pool_id", "applicationscenario__public_id")
    ):
        scenarios.setdefault(pool_id, []).append(str(scenario))
    charters: dict[int, tuple[int, str, str, Any]] = {}
    for pool_id, *charter in (
        Charter.objects.filter(pool_id__in=pks)
        .order_by("pool_id", "-version")
        .values_list("pool_id", "version", "classification", "grade", "access_modes")
    ):
        version, classification, grade, modes = charter
        charters.setdefault(pool_id, (version, classification, grade, modes))
    versions: dict[int, list[Version]] = {}
    for pool_id, public_id, number, row_count, contributors, score, released_at in (
        DatasetVersion.objects.filter(pool_id__in=pks)
        .order_by("pool_id", "number")
        .values_list(*VERSION_FIELDS)
    ):
        versions.setdefault(pool_id, []).append(
            Version(str(public_id), number, row_count, contributors, score, released_at)
        )
    found: dict[int, Entry] = {}
    for row in rows:
        charter_version, classification, grade, modes = charters[row["pk"]]
        found[row["pk"]] = Entry(
            pk=row["pk"],
            public_id=str(row["public_id"]),
            kind=row["kind"],
            title=row["title"] if isinstance(row["title"], dict) else {},
            description=row["description"] if isinstance(row["description"], dict) else {},
            created_at=row["created_at"],
            steward=_organisation(row, "steward"),
            lead_department=_organisation(row, "lead_department"),
            charter_version=charter_version,
            classification=classification,
            grade=grade,
            access_modes=list(modes or []),
            versions=versions.get(row["pk"], []),
            registration_code=row["registration_code"] or "",
            scenarios=tuple(scenarios.get(row["pk"], [])),
        )
    return [found[pk] for pk in pks if pk in found]


def listed() -> QuerySet[Pool]:
    """The public pools in the catalogue's order (as ``public_pools``), nothing prefetched:
    for reading column values."""
    return Pool.objects.filter(status__in=PUBLIC_STATES).order_by("created_at", "id")


# What a stored package (models.CatalogueRecord) is built from besides the versions and
# charters (whose use cases refresh it): compared with the live values when it is read.
SOURCE_FIELDS = (
    "kind",
    "created_at",
    "registration_code",
    *(f"steward__{f}" for f in _ORG),
    *(f"lead_department__{f}" for f in _ORG),
)


def source_expressions(prefix: str = "") -> dict[str, Any]:
    """The pool's values its stored package is built from, as query expressions (the titles
    and descriptions as JSON text, compared as stored), relative to ``prefix``."""
    return {
        "src_title": Cast(f"{prefix}title", TextField()),
        "src_description": Cast(f"{prefix}description", TextField()),
        **{f"src_{i}": F(f"{prefix}{name}") for i, name in enumerate(SOURCE_FIELDS)},
    }


def source_of(values: Sequence[Any]) -> str:
    """One text of the values of ``source_expressions`` (in their order)."""
    return "\x1f".join("" if v is None else str(v) for v in values)
