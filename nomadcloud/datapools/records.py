"""The catalogue records (models.CatalogueRecord, decision 0050): per pool, what the CKAN
search sorts, filters and facets on, and its CKAN package as JSON text in each language,
written by ``refresh`` in the transaction of each use case that changes a pool's versions or
charter (the proposal, a charter revision, a release; no signals). ``nomadcloud
refresh_catalogue`` rewrites them all (after a bulk load, or to fill the packages of records
made by the migration)."""

from __future__ import annotations

from collections.abc import Sequence

from nomadcloud.datapools import catalogue, ckan
from nomadcloud.datapools.models import CatalogueRecord, Pool

LANGUAGES = ("zh-Hans", "en")


def refresh(pool_ids: Sequence[int]) -> None:
    """Write the records of these pools (whatever their status): three queries for the
    entries, one for the source values, one upsert."""
    if not pool_ids:
        return
    expressions = catalogue.source_expressions()
    sources = {
        pk: catalogue.source_of(values)
        for pk, *values in Pool.objects.filter(pk__in=pool_ids)
        .annotate(**expressions)
        .values_list("pk", *expressions)
    }
    records = []
    for entry in catalogue.entries(pool_ids, public_only=False):
        zh, en = (ckan.dumps(ckan.package(entry, ckan.PAGES, lang)) for lang in LANGUAGES)
        records.append(
            CatalogueRecord(
                pool_id=entry.pk,
                modified_at=entry.modified,
                released=bool(entry.versions),
                access_modes=entry.access_modes,
                package_zh=zh,
                package_en=en,
                source=sources[entry.pk],
            )
        )
    CatalogueRecord.objects.bulk_create(
        records,
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["pool"],
        update_fields=[
            "modified_at",
            "released",
            "access_modes",
            "package_zh",
            "package_en",
            "source",
        ],
    )


def refresh_all(batch: int = 2000) -> int:
    """Rewrite every pool's record; the number of pools."""
    pks = list(Pool.objects.order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(pks), batch):
        refresh(pks[start : start + batch])
    return len(pks)
