"""Data-pools benchmark (docs/datapools.md, issue 20 "Real parts and checks").

Seeds a throwaway PostgreSQL server with ``DATASETS`` public pools (each with its charter and
one or two released versions) and ``CONTRIBUTIONS`` contributions spread over them (bulk
inserts), then requests through Django's test client, ``REQUESTS`` times each after a
warm-up: CKAN ``package_search`` with ``rows=1000`` (alternating no filter, a ``q`` word with
an ``fq`` group, and a facet request with a ``metadata_modified`` range), and one page (100
datasets) of the DCAT-AP export in Turtle. Then writes a Parquet file of ``PARQUET_ROWS``
rows (day, area, mode) as a released version of one pool and times the aggregate service
(DuckDB GROUP BY two columns, the k-anonymity check, the usage log) under an agreement.
Prints the figures and ends with one line of JSON, e.g. ``{"datasets": 10000,
"contributions": 1000000, "search_p95_ms": …, "dcat_p95_ms": …, "aggregate_s": …}``.
Targets: search and export p95 ≤ 300 ms; aggregate ≤ 2 s.

The machine may be shared: the JSON also holds the load average at the start and the end,
a baseline timed in the same run (``baseline_indexed_lookup_ms``: the median primary-key
lookup through Django's connection, benchmarks/baseline.py) and each p95 as a multiple of it
(``*_ratio``), which moves much less with the load than the absolute figures; and, as
information, the p95 of the same DCAT page in JSON-LD and RDF/XML."""

from __future__ import annotations

import json
import os
import random
import statistics
import time
from datetime import timedelta
from typing import Any

from benchmarks.baseline import indexed_lookup_ms, ratio
from benchmarks.points import common

DATASETS = int(os.environ.get("DATAPOOLS_BENCH_DATASETS", "10000"))
CONTRIBUTIONS = int(os.environ.get("DATAPOOLS_BENCH_CONTRIBUTIONS", "1000000"))
PARQUET_ROWS = int(os.environ.get("DATAPOOLS_BENCH_PARQUET_ROWS", "10000000"))
REQUESTS = int(os.environ.get("DATAPOOLS_BENCH_REQUESTS", "30"))
BATCH = 10_000
AREAS = ["yangpu", "baimajing", "sandu", "nada", "haitou", "zhonghe", "wangwu", "dongcheng"]
MODES = ["car", "bus", "bike", "walk"]
WORDS = ["交通", "消费", "文旅", "出行", "元宇宙", "traffic", "tourism", "spending", "assets"]
COLUMNS: list[dict[str, Any]] = [
    {"name": "day", "type": "date", "required": True},
    {"name": "area", "type": "enum", "values": AREAS, "required": True},
    {"name": "mode", "type": "enum", "values": MODES, "required": True},
]


def _seed() -> dict[str, Any]:
    from django.db import connection
    from django.utils import timezone

    from nomadcloud.accounts.models import Membership, Organisation, User
    from nomadcloud.datapools import records
    from nomadcloud.datapools.models import Charter, Contribution, DatasetVersion, Pool

    rng = random.Random(2026)
    steward_user = User.objects.create_user(email="steward@bench.example", password=None)
    stewards = [
        Organisation(kind="enterprise", name_zh=f"数据运营{i}", name_en=f"Steward {i}")
        for i in range(20)
    ]
    Organisation.objects.bulk_create(stewards)
    stewards = list(Organisation.objects.filter(name_en__startswith="Steward "))
    Membership.objects.bulk_create(
        [Membership(user=steward_user, organisation=o, role="owner") for o in stewards]
    )
    departments = {
        code: Organisation.objects.get_or_create(
            code=code, defaults={"kind": "department", "name_zh": code, "name_en": code}
        )[0]
        for code in ("kegongxin", "lvwen")
    }
    kinds = ["traffic", "consumption", "metaverse"]
    now = timezone.now()
    pools = []
    for i in range(DATASETS):
        kind = kinds[i % 3]
        word = WORDS[i % len(WORDS)]
        pools.append(
            Pool(
                kind=kind,
                title={"zh-Hans": f"{word}数据池 {i}", "en": f"{word} data pool {i}"},
                description={"zh-Hans": f"第 {i} 个{word}数据池。", "en": f"Pool {i} of {word}."},
                steward=stewards[i % len(stewards)],
                lead_department=departments["kegongxin" if kind == "traffic" else "lvwen"],
                status="open",
                proposed_by=steward_user,
            )
        )
    Pool.objects.bulk_create(pools, batch_size=BATCH)
    pools = list(Pool.objects.order_by("pk"))
    Pool.objects.update(created_at=now - timedelta(days=400))
    charters = [
        Charter(
            pool=p,
            version=1,
            purposes=["dpv:ResearchAndDevelopment"],
            data_categories=["pd:Location"],
            classification="general",
            grade="pi",
            consent_notice_version="2026-12",
            access_modes=["aggregate"] if p.pk % 2 else ["aggregate", "query_template"],
            points_per_row=2,
            fee_share_percent=30,
            distribution_period="month",
            retention_days=730,
            columns=COLUMNS,
            created_by=steward_user,
        )
        for p in pools
    ]
    Charter.objects.bulk_create(charters, batch_size=BATCH)
    charter_of = dict(Charter.objects.values_list("pool_id", "pk"))
    versions = []
    for p in pools:
        for number in range(1, 2 + (p.pk % 2)):
            versions.append(
                DatasetVersion(
                    pool=p,
                    number=number,
                    charter_id=charter_of[p.pk],
                    row_count=100 * number,
                    contributor_count=10,
                    excluded_withdrawn=0,
                    quality={},
                    quality_score=90,
                    released_by=steward_user,
                    released_at=now - timedelta(days=rng.randint(0, 365)),
                )
            )
    DatasetVersion.objects.bulk_create(versions, batch_size=BATCH)
    contributors = [User(email=f"c{i}@bench.example", display_name=f"C{i}") for i in range(2000)]
    for user in contributors:
        user.set_unusable_password()
    User.objects.bulk_create(contributors, batch_size=1000)
    contributor_ids = list(
        User.objects.filter(email__startswith="c", email__endswith="@bench.example").values_list(
            "pk", flat=True
        )
    )
    pool_ids = [p.pk for p in pools]
    made = 0
    while made < CONTRIBUTIONS:
        rows = []
        for _ in range(min(BATCH, CONTRIBUTIONS - made)):
            pool_id = rng.choice(pool_ids)
            rows.append(
                Contribution(
                    pool_id=pool_id,
                    charter_id=charter_of[pool_id],
                    contributor_id=rng.choice(contributor_ids),
                    source="upload",
                    status="accepted",
                    rows=[{"day": "2026-11-01", "area": rng.choice(AREAS), "mode": "bus"}],
                    row_count=1,
                    received_at=now - timedelta(days=rng.randint(0, 300)),
                )
            )
        Contribution.objects.bulk_create(rows, batch_size=BATCH)
        made += len(rows)
    # Bulk inserts bypass the use cases, which keep the catalogue records current: write
    # them as `nomadcloud refresh_catalogue` does after a bulk load (decision 0050).
    records.refresh_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"pools": pools, "steward": steward_user}


def _time(client: Any, paths: list[str]) -> list[float]:
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.content[:300])
    samples = []
    for i in range(REQUESTS):
        path = paths[i % len(paths)]
        start = time.perf_counter()
        response = client.get(path)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200, path
    return samples


def _p95(samples: list[float]) -> float:
    return round(statistics.quantiles(samples, n=20)[18], 1)


def _aggregate(world: dict[str, Any]) -> dict[str, Any]:
    """A 10-million-row Parquet file as the newest version of one pool, and the aggregate
    service timed under an agreement (three runs; the slowest is reported)."""
    import numpy as np
    import pyarrow as pa
    from django.utils import timezone

    from nomadcloud.accounts.models import Membership, Organisation, User
    from nomadcloud.accounts.principal import Principal
    from nomadcloud.datapools import aggregates, negotiation, poolfiles
    from nomadcloud.datapools.models import DatasetVersion, Negotiation

    pool = world["pools"][0]
    version = DatasetVersion.objects.filter(pool=pool).order_by("-number").first()
    assert version is not None
    rng = np.random.default_rng(2026)
    days = np.array([f"2026-{m:02d}-{d:02d}" for m in range(1, 13) for d in range(1, 29)])
    started = time.perf_counter()
    table = pa.table(
        {
            "day": pa.array(days[rng.integers(0, len(days), PARQUET_ROWS)]),
            "area": pa.array(np.array(AREAS)[rng.integers(0, len(AREAS), PARQUET_ROWS)]),
            "mode": pa.array(np.array(MODES)[rng.integers(0, len(MODES), PARQUET_ROWS)]),
        }
    )
    # Through the storage API, where the aggregate reads it (decision 0048).
    poolfiles.save_table(poolfiles.release_name(version), table)
    written = time.perf_counter() - started
    user = User.objects.create_user(email="analyst@bench.example", password=None)
    consumer = Organisation.objects.create(
        kind="enterprise", name_zh="分析企业", name_en="Analyst Ltd", verification_status="verified"
    )
    Membership.objects.create(user=user, organisation=consumer, role="owner")
    now = timezone.now()
    agreed = Negotiation.objects.create(
        pool=pool,
        consumer=consumer,
        requested_by=user,
        state=Negotiation.State.AGREED,
        policy=negotiation.policy(
            kind="Agreement",
            pool=pool,
            consumer=consumer,
            purpose="dpv:ResearchAndDevelopment",
            access_mode="aggregate",
            duration_days=90,
            spatial="CN",
            at=now,
        ),
        agreed_at=now,
        expires_at=now + timedelta(days=90),
    )
    principal = Principal.for_user(user)
    runs = []
    groups = 0
    for _ in range(3):
        start = time.perf_counter()
        answer = aggregates.aggregate(
            principal=principal, negotiation=agreed, group_by=["area", "mode"]
        )
        runs.append(time.perf_counter() - start)
        groups = len(answer["groups"])
    return {"parquet_write_s": round(written, 1), "runs": runs, "groups": groups}


def main() -> None:
    with common.postgres() as cluster, common.workdir() as tmp:
        common.setup_django(cluster.url, tmp)
        from django.core.management import call_command
        from django.test import Client
        from django.test.utils import setup_test_environment

        setup_test_environment()
        load_at_start = round(os.getloadavg()[0], 2)
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        world = _seed()
        seeded = time.perf_counter() - started
        public = Client(HTTP_ACCEPT_LANGUAGE="en")
        search = "/api/3/action/package_search?rows=1000"
        figures = {
            "search": _time(
                public,
                [
                    search,
                    f"{search}&q=traffic&fq=groups:traffic&start=1000",
                    f"{search}&fq=metadata_modified:[2026-01-01T00:00:00Z TO *]"
                    '&facet.field=["organization","groups","tags"]&sort=metadata_modified desc',
                ],
            ),
            "dcat": _time(public, [f"/catalog.ttl?page={n}" for n in (1, 50, 100)]),
            "jsonld": _time(public, [f"/catalog.jsonld?page={n}" for n in (1, 50, 100)]),
            "rdfxml": _time(public, [f"/catalog.rdf?page={n}" for n in (1, 50, 100)]),
        }
        lookup_ms = indexed_lookup_ms()
        for name, samples in figures.items():
            print(
                f"{name:7} p50 {statistics.median(samples):7.1f} ms   p95 {_p95(samples):7.1f} ms"
            )
        print(f"baseline: indexed lookup {lookup_ms} ms (median, same run)")
        aggregate = _aggregate(world)
        print(
            f"aggregate over {PARQUET_ROWS:,} Parquet rows: "
            + ", ".join(f"{s:.2f} s" for s in aggregate["runs"])
            + f" ({aggregate['groups']} groups; file written in {aggregate['parquet_write_s']} s)"
        )
        result = {
            "datasets": DATASETS,
            "contributions": CONTRIBUTIONS,
            "parquet_rows": PARQUET_ROWS,
            "seed_seconds": round(seeded, 1),
            "search_p95_ms": _p95(figures["search"]),
            "dcat_p95_ms": _p95(figures["dcat"]),
            "aggregate_s": round(max(aggregate["runs"]), 2),
            "search_p50_ms": round(statistics.median(figures["search"]), 1),
            "dcat_p50_ms": round(statistics.median(figures["dcat"]), 1),
            "dcat_jsonld_p95_ms": _p95(figures["jsonld"]),
            "dcat_rdfxml_p95_ms": _p95(figures["rdfxml"]),
            "baseline_indexed_lookup_ms": lookup_ms,
            "search_p95_ratio": ratio(_p95(figures["search"]), lookup_ms),
            "dcat_p95_ratio": ratio(_p95(figures["dcat"]), lookup_ms),
            "load_average": [load_at_start, round(os.getloadavg()[0], 2)],
            "cpus": os.cpu_count(),
        }
        print(json.dumps(result))


if __name__ == "__main__":
    main()
