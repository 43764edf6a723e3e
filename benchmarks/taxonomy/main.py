"""Times lookup.search (taxonomy/lookup.py) as the picker calls it, vocabulary stamp check
included, in a throwaway SQLite database: the shipped vocabulary, then the ESCO and O*NET
files when present. Queries (seeded): Chinese labels and their first characters, English
labels, words and prefixes, other names, full pinyin and pinyin initials. The last line is
one JSON object: {"p50_ms", "p95_ms", "concepts", …}."""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
QUERIES = 1000
SEED = 14


def _environment(directory: str) -> None:
    # A throwaway database and test-only keys: nothing here touches a real deployment.
    os.environ["NOMADCLOUD_DATA_DIR"] = directory
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key-0123456789-abcdefghijklmnop")
    os.environ.setdefault("NOMADCLOUD_FIELD_KEYS", "dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI=")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomadcloud.settings")


def _data() -> Path:
    base = os.environ.get("NOMADCLOUD_EVAL_DATA") or str(ROOT.parent / "shared" / "data")
    return Path(base) / "matching"


def _queries(rng: random.Random) -> list[str]:
    from nomadcloud.taxonomy.lookup import pinyin_keys
    from nomadcloud.taxonomy.models import Alias, Concept

    rows = list(Concept.objects.filter(is_active=True).values_list("label_zh", "label_en"))
    aliases = list(Alias.objects.values_list("label", flat=True)[:50000])
    chinese = [zh for zh, _en in rows if zh]
    english = [en for _zh, en in rows if en]
    queries: list[str] = []
    while len(queries) < QUERIES:
        pick = rng.randrange(8)
        if pick == 0 and chinese:
            queries.append(rng.choice(chinese))
        elif pick == 1 and chinese:
            zh = rng.choice(chinese)
            queries.append(zh[: rng.randint(1, max(1, min(3, len(zh))))])
        elif pick == 2 and chinese:
            queries.append(pinyin_keys(rng.choice(chinese))[1][: rng.randint(2, 4)])
        elif pick == 3 and chinese:
            full = pinyin_keys(rng.choice(chinese))[0]
            queries.append(full[: rng.randint(3, 10)])
        elif pick == 4 and english:
            queries.append(rng.choice(english))
        elif pick == 5 and english:
            queries.append(rng.choice(rng.choice(english).split()))
        elif pick == 6 and english:
            en = rng.choice(english)
            queries.append(en[: rng.randint(2, 6)])
        elif aliases:
            queries.append(rng.choice(aliases))
    return queries


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="nc-taxonomy-bench-") as directory:
        _environment(directory)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from nomadcloud.taxonomy import lookup, services
        from nomadcloud.taxonomy.models import Alias, Concept

        call_command("migrate", verbosity=0)
        call_command("load_vocabulary", verbosity=0)
        data = _data()
        imported = []
        for source in ("esco", "onet"):
            if (data / source).is_dir():
                started = time.perf_counter()
                services.import_taxonomy(source=source, directory=data / source)
                imported.append(source)
                print(f"imported {source} in {time.perf_counter() - started:.0f} s")
        if not imported:
            print(f"no ESCO/O*NET files in {data}: the shipped vocabulary only")
        concepts = Concept.objects.filter(is_active=True).count()
        started = time.perf_counter()
        lookup.index()
        build_s = time.perf_counter() - started
        print(
            f"{concepts} concepts, {Alias.objects.count()} other names;"
            f" index built in {build_s:.1f} s"
        )
        queries = _queries(random.Random(SEED))
        for q in queries[:20]:  # warm-up
            lookup.search(q, need=11)
        times = []
        empty = 0
        for q in queries:
            started = time.perf_counter()
            hits = lookup.search(q, need=11)[:10]  # as the API with limit=10
            times.append((time.perf_counter() - started) * 1000)
            empty += not hits
        times.sort()
        p50 = statistics.median(times)
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{len(queries)} queries: p50 {p50:.2f} ms, p95 {p95:.2f} ms, max {times[-1]:.2f} ms")
        print(f"queries with no result: {empty}")
        from benchmarks.baseline import indexed_lookup_ms, ratio, sqlite_lookup_ms

        # Baselines: a plain indexed lookup on the same database (SQLite here) through
        # Django, and on an in-memory SQLite table (the search's index is in memory).
        lookup = indexed_lookup_ms()
        plain = sqlite_lookup_ms()
        print(f"baseline: an indexed lookup {lookup} ms through Django, {plain} ms in memory;"
              f" p50 ÷ lookup {ratio(p50, lookup)}, p95 ÷ lookup {ratio(p95, lookup)}")  # fmt: skip
        print(
            json.dumps(
                {
                    "p50_ms": round(p50, 2),
                    "p95_ms": round(p95, 2),
                    "concepts": concepts,
                    "queries": len(queries),
                    "sources": ["nomadcloud", *imported],
                    "index_build_s": round(build_s, 1),
                    "baseline_lookup_ms": lookup,
                    "baseline_memory_lookup_ms": plain,
                    "p50_to_lookup_ratio": ratio(p50, lookup),
                    "p95_to_lookup_ratio": ratio(p95, lookup),
                }
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
