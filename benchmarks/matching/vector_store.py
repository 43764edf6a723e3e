"""The matching index's build with a model, with an empty store of text vectors and with a
warm one (docs/decisions/0067): what a worker's first build after a restart costs.

``python -m benchmarks.matching.vector_store [N] [postgres]`` (default 20,000 nomads): a
database of its own (``NOMADCLOUD_DATA_DIR``, default ``var/benchmarks/vector-store``;
SQLite, migrated on first use; with ``postgres`` a throwaway PostgreSQL server) gets N
demo-like nomad profiles, each with its own headline and bio in Chinese and English (so
every text is distinct: N encodings on an empty store); the active backend
(``NOMADCLOUD_EMBEDDING``, default the packaged model) encodes them. Two builds, each after
forgetting the process's cache and index as a restart does: the store emptied first, then
warm; and one without a model, for the part of the build that is not about vectors. Prints
one line of JSON: wall and CPU seconds of each build, the texts encoded, the rows and bytes
stored.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

ROLES = [
    ("跨境电商运营", "cross-border e-commerce operator"),
    ("直播带货主播", "live-streaming host"),
    ("游戏本地化译员", "game localisation translator"),
    ("数据标注质检员", "data annotation QC"),
    ("数据清洗工程师", "data cleaning engineer"),
    ("短视频剪辑师", "short-video editor"),
    ("平面设计师", "graphic designer"),
    ("民宿运营", "homestay operations"),
    ("英语家教", "English tutor"),
    ("记账会计", "bookkeeper"),
    ("三维建模师", "3D modeller"),
    ("全栈开发工程师", "full-stack developer"),
]
PLACES = ["海南", "大理", "成都", "厦门", "三亚", "杭州", "深圳", "丽江"]
FIELDS = ("headline_zh", "headline_en", "bio_zh", "bio_en")
TOOLS = ["Figma", "Premiere", "Blender", "Python", "Excel", "Shopify", "TikTok Shop", "Unity"]


def _texts(n: int) -> tuple[str, str, str, str]:
    rng = random.Random(n)
    zh, en = ROLES[n % len(ROLES)]
    place, tool = rng.choice(PLACES), rng.choice(TOOLS)
    years = 1 + n % 12
    return (
        f"{zh}（{years}年经验）",
        f"{en}, {years} years",
        f"在{place}远程工作，擅长{tool}，完成过{10 + n % 90}个项目，编号{n}。",
        f"Remote from {place}; {tool} every day; {10 + n % 90} projects delivered (#{n}).",
    )


def _seed(n: int) -> None:
    from django.db import transaction

    from nomadcloud.accounts.models import User
    from nomadcloud.talent.models import Profile

    have = Profile.objects.count()
    with transaction.atomic():
        for start in range(have, n, 5_000):
            stop = min(n, start + 5_000)
            users = User.objects.bulk_create(
                User(email=f"bench{i}@example.com", display_name=f"Nomad {i}", is_nomad=True)
                for i in range(start, stop)
            )
            Profile.objects.bulk_create(
                Profile(
                    user=user,
                    **dict(zip(FIELDS, _texts(i), strict=True)),
                )
                for i, user in zip(range(start, stop), users, strict=True)
            )


def _build() -> dict[str, float]:
    from nomadcloud.matching import matcher, vectors

    vectors._cache.clear()  # a restart: nothing cached in the process
    matcher.reset()
    wall, cpu = time.perf_counter(), time.process_time()
    state = matcher.current()
    return {
        "wall_s": round(time.perf_counter() - wall, 1),
        "cpu_s": round(time.process_time() - cpu, 1),
        "nomads": len(state.index),
    }


def main(n: int) -> dict[str, Any]:
    os.environ.setdefault("NOMADCLOUD_DATA_DIR", str(ROOT / "var" / "benchmarks" / "vector-store"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomadcloud.settings")
    from benchmarks.matching.vectors import backend

    os.environ["MATCHING_EMBEDDINGS"], os.environ["MATCHING_EMBEDDING_MODEL"] = backend()
    Path(os.environ["NOMADCLOUD_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from unittest import mock

    from django.core.management import call_command
    from django.test import override_settings

    from nomadcloud.matching.models import TextVector
    from nomadcloud.taxonomy import embedding, semantic

    call_command("migrate", verbosity=0)
    _seed(n)
    enc = semantic.encoder()
    assert enc is not None, semantic.status().problem
    given: list[int] = []
    real = embedding.encode_all

    def counted(encoder: Any, texts: list[str], *args: Any, **kw: Any) -> Any:
        given.append(len(texts))
        return real(encoder, texts, *args, **kw)

    result: dict[str, Any] = {"n": n, "backend": enc.name, "load_before": os.getloadavg()[0]}
    with mock.patch.object(embedding, "encode_all", side_effect=counted):
        TextVector.objects.all().delete()
        result["empty_store"] = {**_build(), "encoded": sum(given)}
        given.clear()
        result["warm_store"] = {**_build(), "encoded": sum(given)}
    with override_settings(MATCHING_EMBEDDINGS="none"):
        result["no_model"] = _build()  # the rest of the build (features, certificates)
    rows = TextVector.objects.filter(backend=enc.name)
    result["rows"] = rows.count()
    result["vector_bytes"] = sum(len(bytes(v)) for v in rows.values_list("vector", flat=True))
    result["load_after"] = os.getloadavg()[0]
    return result


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    if "postgres" in sys.argv[2:]:  # a throwaway PostgreSQL server instead of SQLite
        from nomadcloud.testing.pgcluster import PostgresCluster

        cluster = PostgresCluster().start()
        os.environ["DATABASE_URL"] = cluster.url
        try:
            print(json.dumps({"database": "postgresql", **main(size)}))
        finally:
            cluster.stop()
    else:
        print(json.dumps({"database": "sqlite", **main(size)}))
