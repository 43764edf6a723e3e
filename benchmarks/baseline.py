"""Baselines measured in the same run as a benchmark, so that its figures compare across
machines (issue 21 §4: absolute rates differ by about 1.5× between machines of one kind; a
ratio to a simple operation of the same stack, timed under the same load, moves much less).

- ``indexed_lookup_ms``: the median of a primary-key lookup through Django's connection on
  the benchmark's own database (PostgreSQL or SQLite) — what any page pays per query;
- ``sqlite_lookup_ms``: the same on an in-memory SQLite table with an index, for benchmarks
  that run without a database (search over an in-memory index);
- ``ed25519_rates``: the raw Ed25519 sign and verify rate of ``cryptography`` (the library the
  proofs use), one process;
- ``python_count_s``: a plain ``Counter`` pass over a list (for pure-Python computations).

Every benchmark keeps its absolute keys and adds ``baseline_*`` keys and ``*_ratio`` keys.
Never imported by the product.

**Targets as ratios** (decision 0054). An absolute target (2,000 issued/s) is turned into a
ratio to the baseline *of the slowest machine of this kind it must hold on*: issue 21 puts
that machine about 1.5× below this one, so the reference baseline is this machine's quiet
rate ÷ 1.5. The quiet rates were measured per CPU-second (``time.process_time``, which the
load of a shared machine barely moves) on 2026-12-07: raw Ed25519 50,000 signatures and
15,500 verifications per second on one core; pgbench TPC-B-like at 8 clients 6,442 tps
(docs/points.md, load 4–7). A benchmark meets a ratio target when its figure ÷ the baseline
measured in the same run reaches it, on any machine and under any steady load."""

from __future__ import annotations

import random
import sqlite3
import statistics
import time
from collections import Counter
from collections.abc import Hashable, Sequence

MACHINE_SPREAD = 1.5  # issue 21: machines of one kind differ by about this factor
QUIET_ED25519_SIGN_PER_S = 50_000.0  # one core, per CPU-second, 2026-12-07
QUIET_ED25519_VERIFY_PER_S = 15_500.0
QUIET_PGBENCH_TPS_8 = 6_442.0  # docs/points.md


def ratio_target(absolute: float, quiet_baseline: float) -> float:
    """The ratio to the same run's baseline that an absolute target means on the slowest
    machine of this kind (its baseline ``quiet_baseline / MACHINE_SPREAD``)."""
    return round(absolute / (quiet_baseline / MACHINE_SPREAD), 3)


def indexed_lookup_ms(using: str = "default", rounds: int = 2000) -> float:
    """Median milliseconds of ``SELECT … WHERE id = %s`` on ``django_content_type`` (a small
    table every database of the project has) through Django's cursor."""
    from django.db import connections

    with connections[using].cursor() as cursor:
        cursor.execute("SELECT id FROM django_content_type")
        ids = [row[0] for row in cursor.fetchall()] or [1]
        samples = []
        for i in range(rounds):
            began = time.perf_counter()
            cursor.execute("SELECT id, app_label, model FROM django_content_type WHERE id = %s",
                           [ids[i % len(ids)]])  # fmt: skip
            cursor.fetchone()
            samples.append(time.perf_counter() - began)
    return round(statistics.median(samples) * 1000, 4)


def sqlite_lookup_ms(rows: int = 100_000, rounds: int = 5000) -> float:
    """Median milliseconds of an indexed lookup by a text key in an in-memory SQLite table."""
    db = sqlite3.connect(":memory:")
    db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, label TEXT)")
    db.executemany("INSERT INTO t (label) VALUES (?)", ((f"label-{i}",) for i in range(rows)))
    db.execute("CREATE INDEX t_label ON t (label)")
    rng = random.Random(7)
    samples = []
    for _ in range(rounds):
        key = f"label-{rng.randrange(rows)}"
        began = time.perf_counter()
        db.execute("SELECT id, label FROM t WHERE label = ?", (key,)).fetchone()
        samples.append(time.perf_counter() - began)
    db.close()
    return round(statistics.median(samples) * 1000, 4)


def ed25519_rates(seconds: float = 1.5) -> tuple[float, float]:
    """Raw Ed25519 signatures and verifications per second (``cryptography``, 200-byte
    messages), one process."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    messages = [random.Random(i).randbytes(200) for i in range(256)]
    signed = 0
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        for m in messages:
            key.sign(m)
        signed += len(messages)
    sign_rate = signed / (time.perf_counter() - began)
    signatures = [(m, key.sign(m)) for m in messages]
    verified = 0
    began = time.perf_counter()
    while time.perf_counter() - began < seconds:
        for m, s in signatures:
            public.verify(s, m)
        verified += len(signatures)
    verify_rate = verified / (time.perf_counter() - began)
    return round(sign_rate, 1), round(verify_rate, 1)


def python_count_s(items: Sequence[Hashable]) -> float:
    """Seconds of one ``Counter`` pass over ``items`` (best of three)."""
    best = float("inf")
    for _ in range(3):
        began = time.perf_counter()
        Counter(items)
        best = min(best, time.perf_counter() - began)
    return best


def ratio(value: float | None, base: float) -> float | None:
    return None if value is None or not base else round(value / base, 3)
