"""Runs benchmarks A (demand text → skill tags), B (demand → nomads), C (speed and scale),
D (Chinese demands → occupations and skills) and E (vacancy title → occupation, lexical and
semantic fused) and prints a table with 95 % bootstrap intervals, the product beside its
baselines, ending with one line of JSON of the headline figures. ``--quick`` runs C at
100,000 nomads only."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from typing import Any

from benchmarks.matching import task_a, task_b, task_d, task_e


def _row(name: str, figures: tuple[float, float, float]) -> str:
    mean, low, high = figures
    return f"  {name:<10} {mean:.4f}  [{low:.4f}, {high:.4f}]"


def _table(title: str, result: dict[str, dict[str, tuple[float, float, float]]]) -> None:
    print(title)
    for system, metrics in result.items():
        print(f" {system}")
        for metric, figures in metrics.items():
            print(_row(metric, figures))


def _scale(size: int, semantic: bool = True) -> dict[str, Any]:
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.matching.task_c", str(size)]
        + (["semantic"] if semantic else []),
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def _skills() -> dict[str, Any]:
    """D for skills, in its own process (it needs the platform's settings and database)."""
    output = subprocess.run(
        [sys.executable, "-m", "benchmarks.matching.task_d_skills"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return dict(json.loads(output.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="C at 100,000 nomads only")
    parser.add_argument(
        "--only", choices=["A", "B", "C", "D", "E"], action="append", help="run only these tasks"
    )
    parser.add_argument(
        "--e-limit", type=int, default=None, help="E on the first N validation titles only"
    )
    parser.add_argument(
        "--no-d-skills",
        action="store_true",
        help="D without its skills half (that needs a database holding the vocabulary)",
    )
    parser.add_argument(
        "--b-limit", type=int, default=None, help="B alone: on this many sampled titles"
    )
    parser.add_argument("--b-seed", type=int, default=2026, help="B alone: the sample's seed")
    parser.add_argument(
        "--b-meaning", default="0.05,0.2", help="B alone: extra weights of 'close in meaning'"
    )
    parser.add_argument("--b-semantic-only", action="store_true", help="B alone: skip lexical")
    parser.add_argument(
        "--c-only-semantic", action="store_true", help="C with semantics on only (no A or B)"
    )
    options = parser.parse_args()

    only = set(options.only or ["A", "B", "C", "D", "E"])
    headline: dict[str, Any] = {}
    if "D" in only:
        d = task_d.run()
        figures = d.pop("figures")
        _table("D. Chinese demands → ESCO occupations (demands_zh.csv, hand-labelled)", figures)
        print(f"  {d}")
        product = figures.get("fused", figures["lexical"])
        headline.update(
            {
                "backend": d["backend"],
                "D_n": d["n"],
                "D_occ_hit10": round(product["hit10"][0], 4),
                "D_occ_mrr": round(product["mrr"][0], 4),
                "D_occ_ndcg10": round(product["ndcg10"][0], 4),
                "D_lexical_occ_hit10": round(figures["lexical"]["hit10"][0], 4),
                "D_tfidf_occ_hit10": round(figures["tfidf"]["hit10"][0], 4),
                "D_tfidf_occ_mrr": round(figures["tfidf"]["mrr"][0], 4),
            }
        )
        if "fused_odd_rows" in figures:
            headline["D_occ_hit10_odd"] = round(figures["fused_odd_rows"]["hit10"][0], 4)
    if "D" in only and not options.no_d_skills:
        skills = _skills()
        print(f"D. Chinese demands → vocabulary skills (tagging.propose): {skills}")
        product_skills = skills.get("proposed", skills["lexical"])
        headline.update(
            {
                "D_skill_hit10": product_skills["hit10"],
                "D_skill_recall10": product_skills["recall10"],
                "D_skill_mrr": product_skills["mrr"],
                "D_lexical_skill_hit10": skills["lexical"]["hit10"],
            }
        )
    if "E" in only:
        e = task_e.run(limit=options.e_limit)
        figures = e.pop("figures")
        _table("E. vacancy title → ESCO occupation (JobBERT validation titles)", figures)
        print(f"  {e}")
        fused = figures.get("fused", figures["lexical"])
        tfidf = figures.get("tfidf_odd", figures["tfidf"])
        print(f"  fused MRR ratio {fused['mrr'][0] / tfidf['mrr'][0]:.2f} (target ≥ 1.2), "
              f"R@10 {fused['r10'][0]:.4f} (target ≥ 0.58)")  # fmt: skip
        headline.update(
            {
                "backend": e["backend"],
                "E_mrr": round(fused["mrr"][0], 4),
                "E_tfidf_mrr": round(tfidf["mrr"][0], 4),
                "E_r10": round(fused["r10"][0], 4),
                "E_r1": round(fused["r1"][0], 4),
                "E_semantic_weight": e.get("weight"),
                "E_character_weight": e.get("character_weight"),
                "E_short_texts_per_s": e.get("short_texts_per_s"),
                "E_texts_300_per_s": e.get("texts_300_per_s"),
            }
        )
    if only == {"B"}:
        # B alone, on a seeded sample of titles: lexical (no model) and with semantics on.
        grid = tuple(float(w) for w in options.b_meaning.split(",") if w)
        for semantic in (False, True) if not options.b_semantic_only else (True,):
            b = task_b.run(
                options.b_limit,
                semantic=semantic,
                meaning_weights=grid if semantic else (),
                seed=options.b_seed,
            )
            name = "semantic" if semantic else "lexical"
            _table(f"B. demand → nomads, {name}", b)
            ratio_b = b["product"]["mrr"][0] / b["baseline"]["mrr"][0]
            headline[f"B_{name}_mrr"] = round(b["product"]["mrr"][0], 4)
            headline[f"B_{name}_bm25_mrr"] = round(b["baseline"]["mrr"][0], 4)
            headline[f"B_{name}_ratio"] = round(ratio_b, 3)
            for key, figures in b.items():
                if key.startswith("product_meaning_"):
                    headline[f"B_{name}_{key[8:]}_mrr"] = round(figures["mrr"][0], 4)
        headline["B_n"] = options.b_limit
        headline["B_seed"] = options.b_seed
        print(json.dumps(headline))
        return 0
    if only == {"C"} or options.c_only_semantic:
        # C alone: semantics on (int8 vectors) and off, for the memory per million nomads.
        sizes = [100_000] if options.quick else [100_000, 1_000_000]
        for size in sizes:
            on = _scale(size, semantic=True)
            print(f"  C {size:>9,} nomads, semantics on: {on}")
            key = "1m" if size == 1_000_000 else "100k"
            headline |= {
                f"C_semantic_p50_ms_{key}": on["p50_ms"],
                f"C_semantic_p95_ms_{key}": on["p95_ms"],
                f"C_semantic_p99_ms_{key}": on["p99_ms"],
                f"C_semantic_cpu_p95_ms_{key}": on["cpu_p95_ms"],
                f"C_semantic_build_s_{key}": on["build_s"],
                f"C_semantic_build_cpu_s_{key}": on["build_cpu_s"],
                f"C_semantic_prefilter_build_s_{key}": on.get("prefilter_build_s"),
                f"C_semantic_recall20_{key}": on.get("recall20"),
                f"C_semantic_recall20_meaning_only_{key}": on.get("recall20_meaning_only"),
                f"C_semantic_load_{key}": on["load_1min"],
                f"C_semantic_peak_mb_{key}": on["peak_mb"],
                f"C_semantic_update_visible_ms_{key}": on["update_visible_ms"],
                f"C_vectors_mb_per_million_{key}": round(512 * 1_000_000 / 2**20, 1),
            }
        print(json.dumps(headline))
        return 0
    if only & {"A", "B", "C"} != {"A", "B", "C"}:
        print(json.dumps(headline))
        return 0

    a = task_a.run()
    _table("A. demand text → skill tags (ESCO occupations, 5-fold CV)", a)
    a_ratio = a["product"]["ndcg10"][0] / a["baseline"]["ndcg10"][0]
    a_apart = a["product"]["ndcg10"][1] > a["baseline"]["ndcg10"][2]
    print(f"  nDCG@10 ratio {a_ratio:.2f} (target ≥ 1.5); intervals apart: {a_apart}")

    b = task_b.run()
    _table("B. demand → nomads (JobBERT titles, pool from ESCO occupations)", b)
    b_ratio = b["product"]["mrr"][0] / b["baseline"]["mrr"][0]
    print(f"  MRR ratio {b_ratio:.2f} (target ≥ 1.3)")

    sizes = [100_000] if options.quick else [100_000, 1_000_000]
    c = {size: _scale(size) for size in sizes}
    print("C. speed and scale (top-20 with filters and explanations, 1,000 demands)")
    for size, figures in c.items():
        print(f"  {size:>9,} nomads: {figures}")

    headline |= {
        "A_ndcg10": round(a["product"]["ndcg10"][0], 4),
        "A_baseline_ndcg10": round(a["baseline"]["ndcg10"][0], 4),
        "A_mrr": round(a["product"]["mrr"][0], 4),
        "A_recall10": round(a["product"]["recall10"][0], 4),
        "B_mrr": round(b["product"]["mrr"][0], 4),
        "B_bm25_mrr": round(b["baseline"]["mrr"][0], 4),
        "B_ndcg10": round(b["product"]["ndcg10"][0], 4),
        "B_recall10": round(b["product"]["recall10"][0], 4),
        "C_p95_ms_100k": c[100_000]["p95_ms"],
        "C_p95_ms_1m": c[1_000_000]["p95_ms"] if 1_000_000 in c else None,
        "C_build_s_1m": c[1_000_000]["build_s"] if 1_000_000 in c else None,
        "C_peak_mb_1m": c[1_000_000]["peak_mb"] if 1_000_000 in c else None,
        "C_update_visible_ms_100k": c[100_000]["update_visible_ms"],
        "C_semantic": c[100_000].get("semantic"),
    }
    # Issue 21 §4: a ratio to a plain indexed lookup timed in the same run (benchmarks/baseline.py).
    from benchmarks.baseline import ratio, sqlite_lookup_ms

    lookup = sqlite_lookup_ms()
    headline["baseline_lookup_ms"] = lookup
    for size, key in ((100_000, "100k"), (1_000_000, "1m")):
        if size in c:
            headline[f"C_p95_to_lookup_ratio_{key}"] = ratio(c[size]["p95_ms"], lookup)
    print(f"baseline: an indexed lookup (in-memory SQLite) {lookup} ms;"
          f" C p95 ÷ lookup {headline['C_p95_to_lookup_ratio_100k']}")  # fmt: skip
    print(json.dumps(headline))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
