"""D (skills). Chinese demands → skills and tools of the shipped vocabulary: the product's
``taxonomy.tagging.propose`` (the tags a text names, then skills and tools close in meaning
to its clauses) against the hand-labelled ``skills`` column of ``demands_zh.csv`` (rows with
an empty column are left out). "Lexical" is ``extract_tags`` alone (what runs without a
model). Figures: hit@10 (a right skill among the first ten proposals), recall@10 (the share
of the labelled skills among them), MRR.

It needs a database holding the vocabulary, so it runs as its own process with the
platform's settings: ``NOMADCLOUD_DATA_DIR`` (default ``var/benchmarks/d-skills``); a
database without the vocabulary is migrated and loaded first (minutes, once). Prints one line
of JSON.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def _figures(ranked: list[list[str]], gold: list[set[str]]) -> dict[str, float]:
    hit = [float(bool(set(r[:10]) & g)) for r, g in zip(ranked, gold, strict=True)]
    recall = [len(set(r[:10]) & g) / len(g) for r, g in zip(ranked, gold, strict=True)]
    rr = [
        next((1.0 / (i + 1) for i, code in enumerate(r) if code in g), 0.0)
        for r, g in zip(ranked, gold, strict=True)
    ]
    n = len(gold)
    return {
        "hit10": round(sum(hit) / n, 4),
        "recall10": round(sum(recall) / n, 4),
        "mrr": round(sum(rr) / n, 4),
    }


def main() -> dict[str, Any]:
    os.environ.setdefault("NOMADCLOUD_DATA_DIR", str(ROOT / "var" / "benchmarks" / "d-skills"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomadcloud.settings")
    from benchmarks.matching.vectors import backend

    os.environ["MATCHING_EMBEDDINGS"], os.environ["MATCHING_EMBEDDING_MODEL"] = backend()
    Path(os.environ["NOMADCLOUD_DATA_DIR"]).mkdir(parents=True, exist_ok=True)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    from benchmarks.matching.task_d import demands
    from nomadcloud.taxonomy import semantic, tagging
    from nomadcloud.taxonomy.models import Concept

    call_command("migrate", verbosity=0)
    if not Concept.objects.filter(code__startswith="nc.").exists():
        call_command("load_vocabulary", verbosity=0)
    rows = [r for r in demands() if r["skills"].strip()]
    gold = [set(r["skills"].split("|")) for r in rows]
    lexical = [[t.code for t in tagging.extract_tags(r["text"])] for r in rows]
    result: dict[str, Any] = {
        "n": len(rows),
        "backend": semantic.status().active,
        "lexical": _figures(lexical, gold),
    }
    if settings.MATCHING_EMBEDDINGS != "none" and semantic.encoder() is not None:
        semantic.vectors()  # encode the vocabulary once, before timing anything
        proposed = [[t.code for t in tagging.propose(r["text"])] for r in rows]
        result["proposed"] = _figures(proposed, gold)
    return result


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    print(json.dumps(main()))
