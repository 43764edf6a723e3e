"""C. Speed and scale: a pool of N synthetic nomads (built like pool.py, one random
occupation per nomad, seeded by the nomad's key so any nomad can be rebuilt on demand),
1,000 demands made from random occupations (required and optional skills with levels, the
title as text, filters: available, English ≥ B1, day rate ≤ budget, on-site for 30 %).

Measures: index build time, p50/p95/p99 latency of a top-20 query with filters and
explanations of the 20, peak memory (ru_maxrss) and how long an updated nomad takes to
show in results. Run one size per process: ``python -m benchmarks.matching.task_c 100000``.

With semantics on (``… 100000 semantic``, the default of ``run``), every nomad and demand
also carries a 512-dimension int8 sentence vector (the size of USE-multilingual's), made
without a model so that a million nomads stay cheap to build: each skill has a fixed random
direction, a nomad's vector is the normalised sum of its skills' directions plus noise, a
demand's that of its requirements, so that cosines behave as between related texts. With
semantics on it also measures recall@20 of the search (prefiltered past its thresholds,
docs/decisions/0066) against the exact search, for C's first 200 demands and for the same
demands by meaning alone.
"""

from __future__ import annotations

import json
import os
import random
import resource
import sys
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from benchmarks.matching import data
from nomadcloud.matching.engine.index import ProfileIndex
from nomadcloud.matching.engine.model import (
    DemandFeatures,
    Filters,
    Holding,
    ProfileFeatures,
    Requirement,
    Vector,
    Weights,
    quantize,
)
from nomadcloud.matching.engine.scoring import Links

SEED = 2026
DEMANDS = 1000
RECALL_DEMANDS = 200  # demands whose top 20 is also searched exactly (recall of the prefilter)
DIM = 512
SEMANTIC = False  # set by the command line
PLACES = ("儋州", "洋浦", "海口", "三亚", "Lisbon")


@lru_cache(maxsize=1)
def _occupations() -> tuple[list[data.EscoOccupation], dict[str, int]]:
    occupations = data.occupations()
    labels = sorted({s for o in occupations for s in (*o.essential, *o.optional)})
    return occupations, {label: i for i, label in enumerate(labels)}


# A nomad's noise is a row of a fixed table rolled by a number of places (a generator each is
# slow): row key mod NOISE_ROWS, shift key div NOISE_ROWS, so no two of the first 2 million
# nomads share it (a rolled Gaussian row is as good as a fresh one: their cosine is ~0 ± 0.04).
# Demands take theirs from a second table. Before docs/decisions/0066 the noise was the row
# alone, shared by the demand and every 4,093rd nomad: a demand was "close in meaning" to
# ~250 unrelated nomads at a million, an artefact no index by meaning could find.
NOISE_ROWS = 4093


@lru_cache(maxsize=1)
def _directions() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    skill_id = _occupations()[1]
    rng = np.random.default_rng(SEED)
    table = rng.standard_normal((len(skill_id), DIM)).astype(np.float32)
    noise = rng.standard_normal((2, NOISE_ROWS, DIM)).astype(np.float32) / np.float32(DIM**0.5)
    return table / np.linalg.norm(table, axis=1, keepdims=True), noise[0], noise[1]


def _vector(concepts: list[int], seed: int, *, demand: bool = False) -> Vector | None:
    if not SEMANTIC or not concepts:
        return None
    directions, nomad_noise, demand_noise = _directions()
    row, shift = divmod(seed, NOISE_ROWS)[::-1]
    noise = np.roll((demand_noise if demand else nomad_noise)[row], shift % DIM)
    return quantize(directions[concepts].sum(axis=0) + noise * len(concepts) ** 0.5)


def nomad(key: int) -> ProfileFeatures:
    occupations, skill_id = _occupations()
    rng = random.Random(SEED * 1_000_003 + key)
    occupation = occupations[rng.randrange(len(occupations))]
    chosen = [s for s in occupation.essential if rng.random() < 0.7]
    chosen += [s for s in occupation.optional if rng.random() < 0.3]
    skills = tuple(
        Holding(
            skill_id[s],
            rng.choice((5, 4, 4, 3, 3, 2, 1)),
            rng.choice(("self", "self", "self", "certified", "verified")),
            rng.randint(0, 2000),
        )
        for s in dict.fromkeys(chosen)
    )
    return ProfileFeatures(
        key=key,
        skills=skills,
        languages={"zh": 7, "en": rng.randint(1, 6)},
        availability=2 if rng.random() < 0.1 else 0,
        location=rng.choice(PLACES),
        rate_per_day=float(rng.randint(300, 3000)),
        certified=rng.random() < 0.3,
        text=occupation.title if rng.random() < 0.5 else "",
        vector=_vector([h.concept for h in skills], key),
    )


def demands() -> list[DemandFeatures]:
    occupations, skill_id = _occupations()
    rng = random.Random(SEED + 1)
    result = []
    for key in range(DEMANDS):
        occupation = occupations[rng.randrange(len(occupations))]
        requirements = [Requirement(skill_id[s], rng.choice((5, 4, 3)), "required", 2.0)
                        for s in occupation.essential[:12]]  # fmt: skip
        optional = [s for s in occupation.optional[:6] if s not in occupation.essential]
        requirements += [Requirement(skill_id[s], 5, "optional", 1.0) for s in optional]
        onsite = rng.random() < 0.3
        result.append(
            DemandFeatures(
                key=key,
                requirements=tuple(requirements),
                text=occupation.title,
                vector=_vector([r.concept for r in requirements], key, demand=True),
                filters=Filters(
                    locations=(rng.choice(PLACES),) if onsite else (),
                    languages=(("en", 3),),
                    max_rate_per_day=float(rng.randint(800, 3000)),
                ),
            )
        )
    return result


def _peak_mb() -> float:
    """This process's peak resident memory (VmHWM: unlike ru_maxrss, not inherited from the
    parent that started it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def measure(size: int) -> dict[str, float]:
    _occupations()
    weights = Weights()
    index = ProfileIndex(Links(weights=weights), weights)
    started = time.perf_counter()
    began = time.process_time()
    for key in range(size):  # what add_many does, with the prefilter's part timed apart
        index.upsert(nomad(key))
    prefilter_started = time.perf_counter()
    index.ensure_prefilter()
    prefilter = time.perf_counter() - prefilter_started
    build = time.perf_counter() - started
    build_cpu = time.process_time() - began
    workload = demands()
    latencies = []
    cpu = []  # this process's CPU time per query: what the wall clock shows on idle cores
    for demand in workload:
        started = time.perf_counter()
        began = time.process_time()
        hits = index.search(demand, 20)
        for hit in hits:
            index.explain(nomad(hit.key), demand)
        latencies.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - began) * 1000)
    recall = _recall(index, workload[:RECALL_DEMANDS]) if SEMANTIC else {}
    # An edited nomad: give one the first demand's skills at the top level, then look.
    demand = workload[0]
    target = size // 2
    old = nomad(target)
    edited = ProfileFeatures(
        key=target,
        skills=tuple(Holding(r.concept, 1, "verified", 0) for r in demand.requirements),
        languages={"zh": 7, "en": 6},
        location=demand.filters.locations[0] if demand.filters.locations else old.location,
        rate_per_day=300.0,
        text=demand.text,
        vector=demand.vector,
    )
    started = time.perf_counter()
    index.upsert(edited)
    shown = any(hit.key == target for hit in index.search(demand, 20))
    update = time.perf_counter() - started
    return {
        "size": size,
        "semantic": SEMANTIC,
        "build_s": round(build, 2),
        "build_cpu_s": round(build_cpu, 2),
        "prefilter_build_s": round(prefilter, 2),
        "prefilter_lists": len(index.coarse.lists) if index.coarse is not None else 0,
        "p50_ms": round(float(np.percentile(latencies, 50)), 2),
        "p95_ms": round(float(np.percentile(latencies, 95)), 2),
        "p99_ms": round(float(np.percentile(latencies, 99)), 2),
        "cpu_p50_ms": round(float(np.percentile(cpu, 50)), 2),
        "cpu_p95_ms": round(float(np.percentile(cpu, 95)), 2),
        "load_1min": round(os.getloadavg()[0], 1),
        "peak_mb": _peak_mb(),
        "update_visible_ms": round(update * 1000, 2) if shown else -1.0,
        **recall,
    }


def _recall(index: ProfileIndex, workload: list[DemandFeatures]) -> dict[str, float]:
    """Recall@20 of the search (prefiltered past its thresholds) against the exact search,
    for C's demands and for the same demands by meaning alone (no skills, no text: the
    ranking is the cosine's, so the prefilter alone decides who is found), and the latter's
    latency (docs/decisions/0066)."""
    figures: dict[str, float] = {}
    alone = [DemandFeatures(key=d.key, filters=d.filters, vector=d.vector) for d in workload]
    for name, demands_ in (("recall20", workload), ("recall20_meaning_only", alone)):
        found, latencies = [], []
        for demand in demands_:
            exact = {hit.key for hit in index.search(demand, 20, exact=True)}
            started = time.process_time()
            hits = index.search(demand, 20)
            latencies.append((time.process_time() - started) * 1000)
            if exact:
                found.append(len(exact & {hit.key for hit in hits}) / len(exact))
        figures[name] = round(float(np.mean(found)), 4) if found else 1.0
        figures[f"{name}_min"] = round(float(np.min(found)), 4) if found else 1.0
        if name == "recall20_meaning_only":
            figures["meaning_only_cpu_p95_ms"] = round(float(np.percentile(latencies, 95)), 2)
    return figures


if __name__ == "__main__":
    SEMANTIC = "semantic" in sys.argv[2:]
    print(json.dumps(measure(int(sys.argv[1]))))
