"""The proof-of-work figures on one database (run by ``main.py`` in a child process whose
environment names the throwaway database in DATABASE_URL).

    python -m benchmarks.proofs.phases TREE_FOLDER

Phases: migrate; issue credentials in batches through ``services.issue_credentials``;
publish a checkpoint; verify distinct credentials with ``services.verify_many`` (batches
of 500, as the batch API), ``services.verify`` and bundles with ``services.verify_offline``,
each in one process and then in one process per core (the headline: a server runs several
workers); then replace the log's node table by a tree of 1 million and
then 10 million leaves (read from TREE_FOLDER, built by ``tree.build``) and time
``services.inclusion_proof`` / ``services.consistency_proof``. The last stdout line is
``RESULT {json}``.
"""

from __future__ import annotations

import copy
import gc
import json
import os
import random
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

SEED = 2026
USERS = 40
# (batch size, number of batches), 9,000 credentials: as the product runs (event handlers
# connected), then proofs only; the verification phase uses them.
BATCHES = [(100, 10), (500, 6), (1000, 5)]
VERIFY_EACH = 3000  # distinct credentials per verification mode
INCLUSION_SAMPLES = 1000
CONSISTENCY_SAMPLES = 200
# PROOFSBENCH_QUICK=1 (development only) uses trees of 100,000 and 1 million leaves.
SIZES = [100_000, 1_000_000] if os.environ.get("PROOFSBENCH_QUICK") else [1_000_000, 10_000_000]

TITLES = [
    ("图像标注", "Image labelling"),
    ("语音转写", "Speech transcription"),
    ("文本分类", "Text classification"),
    ("点云标注", "Point-cloud annotation"),
    ("多语种翻译校对", "Multilingual translation review"),
    ("医疗影像勾画", "Medical image segmentation"),
]
ENTERPRISES = [
    ("洋浦云帆科技有限公司", "Yangpu Yunfan Technology Co., Ltd."),
    ("儋州数智港数据服务有限公司", "Danzhou Smart Harbour Data Services Co., Ltd."),
    ("海南椰风人工智能研究院", "Hainan Coconut Breeze AI Institute"),
    ("海花岛文旅度假区", "Ocean Flower Island Resort"),
    ("琼西跨境电商有限公司", "Qiongxi Cross-border E-commerce Co., Ltd."),
]
SKILLS = [
    ("nc.data-labelling", "数据标注", "data labelling"),
    ("nc.speech-transcription", "语音转写", "speech transcription"),
    ("nc.quality-review", "质量审核", "quality review"),
    ("nc.translation-zh-en", "中英翻译", "Chinese–English translation"),
    ("nc.computer-vision", "计算机视觉", "computer vision"),
    ("nc.medical-imaging", "医学影像", "medical imaging"),
]


def say(text: str) -> None:
    print(text, flush=True)


def setup() -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomadcloud.settings")
    django.setup()
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    say(f"  migrated a new database ({time.perf_counter() - started:.1f} s)")


def make_claims(rng: random.Random, count: int, prefix: str) -> list[Any]:
    """Realistic claims of accepted data-processing work (seeded)."""
    from django.utils import timezone

    from nomadcloud.proofs import services

    now = timezone.now()
    out = []
    for n in range(count):
        title = rng.choice(TITLES)
        enterprise_index = rng.randrange(len(ENTERPRISES))
        enterprise = ENTERPRISES[enterprise_index]
        items = rng.randint(20, 2500)
        accuracy = 1.0 if rng.random() < 0.1 else round(rng.uniform(0.82, 0.999), 4)
        out.append(
            services.Claims(
                kind="data",
                source=f"{prefix}-{n}",
                title_zh=title[0],
                title_en=title[1],
                enterprise_id=f"00000000-0000-4000-8000-{enterprise_index:012d}",
                enterprise_zh=enterprise[0],
                enterprise_en=enterprise[1],
                period_start=now - timedelta(days=rng.randint(1, 30), hours=rng.randint(0, 23)),
                period_end=now,
                work_units=(Decimal(items) * Decimal("0.08")).quantize(Decimal("0.01")),
                items=items,
                hours=Decimal(rng.randint(2, 160)) / 2 if rng.random() < 0.5 else None,
                accuracy=accuracy,
                rating=round(rng.uniform(3.5, 5.0), 1) if rng.random() < 0.5 else None,
                skills=rng.sample(SKILLS, rng.randint(1, 4)),
            )
        )
    return out


@contextmanager
def handlers_detached(event: Any) -> Iterator[list[str]]:
    """Run without the event's handlers (restored after); yields their uids."""
    saved = dict(event._handlers)  # the benchmark times proofs alone, then restores them
    for uid in saved:
        event.disconnect(uid)
    try:
        yield list(saved)
    finally:
        for uid, handler in saved.items():
            event.connect(handler, uid=uid)


def issue_batches(
    rng: random.Random, users: list[Any], batches: list[tuple[int, int]], tag: str
) -> tuple[float, dict[int, float]]:
    """Issue the batches, one ``issue_credentials`` call each; (overall rate, rate by size)."""
    from nomadcloud.proofs import services

    by_size: dict[int, float] = {}
    total_count, total_seconds = 0, 0.0
    for size, repeats in batches:
        seconds = 0.0
        for n in range(repeats):
            claims = make_claims(rng, size, f"{tag}-{size}-{n}")
            user = users[(total_count // size + n) % len(users)]
            started = time.perf_counter()
            issued = services.issue_credentials(user, claims)
            seconds += time.perf_counter() - started
            if len(issued) != size:
                raise AssertionError(f"issued {len(issued)} of {size}")
        by_size[size] = size * repeats / seconds
        say(
            f"    batches of {size:>4} × {repeats:>2}: {by_size[size]:8,.0f} credentials/s "
            f"({seconds / repeats * 1000:7.1f} ms a batch)"
        )
        total_count += size * repeats
        total_seconds += seconds
    return total_count / total_seconds, by_size


def issuance(rng: random.Random) -> dict[str, Any]:
    from nomadcloud.accounts.models import User
    from nomadcloud.proofs import events, services

    users = [
        User.objects.create_user(f"nomad{n}@bench.invalid", None, display_name=f"Nomad {n}")
        for n in range(USERS)
    ]
    # Warm-up: creates the signing key and the points programme's assets; each person's
    # work-unit account is still created by their first credit, in the timed batches.
    services.issue_credentials(users[0], make_claims(rng, 50, "warmup"))
    figures: dict[str, Any] = {}
    handlers = events.credentials_issued.handlers
    say(
        f"  services.issue_credentials as the product runs it ({len(handlers)} handler(s) of "
        "credentials_issued connected, e.g. points crediting work units, in the same "
        "transaction):"
    )
    try:
        rate, _by_size = issue_batches(rng, users, BATCHES, "full")
    except Exception as exc:  # another app's receiver failing must not hide the rest
        say(f"    FAILED: {type(exc).__name__}: {exc}")
        figures["issued_per_s"] = None
    else:
        figures["issued_per_s"] = round(rate)
        say(f"    overall: {rate:,.0f} issued/s")
    with handlers_detached(events.credentials_issued) as names:
        say(
            "  the same, proofs only — sign, store, append to the log (handlers detached: "
            f"{', '.join(names) or 'none'}):"
        )
        rate, by_size = issue_batches(rng, users, BATCHES, "proofs")
    figures["issued_per_s_proofs_only"] = round(rate)
    for size, value in by_size.items():
        figures[f"issued_per_s_proofs_only_batch{size}"] = round(value)
    say(f"    overall: {rate:,.0f} issued/s")
    return figures


VERIFY_BATCH = 500  # credentials per verify_many call, as POST /api/v1/proofs/verify/batch


def verify_in_batches(items: list[Any]) -> list[Any]:
    from nomadcloud.proofs import services

    results = []
    for start in range(0, len(items), VERIFY_BATCH):
        results.extend(services.verify_many(items[start : start + VERIFY_BATCH]))
    return results


def timed_loop(items: list[Any], call: Callable[[Any], Any]) -> tuple[float, list[Any]]:
    if call is verify_in_batches:
        started = time.perf_counter()
        results = verify_in_batches(items)
        return time.perf_counter() - started, results
    results = []
    started = time.perf_counter()
    for item in items:
        results.append(call(item))
    return time.perf_counter() - started, results


def verification(rng: random.Random) -> dict[str, Any]:
    from nomadcloud.proofs import services
    from nomadcloud.proofs.core import ed25519
    from nomadcloud.proofs.models import Credential

    checkpoint = services.publish_checkpoint()
    say(f"  published a checkpoint of {checkpoint.size:,} entries")
    # Only the sampled credentials are loaded: a verifying server holds the documents of
    # the request, not the whole table (whose objects would slow every garbage collection).
    ids = list(Credential.objects.order_by("id").values_list("id", flat=True))
    rng.shuffle(ids)
    sample = Credential.objects.select_related("log_entry").in_bulk(ids[: 2 * VERIFY_EACH])
    online = [json.loads(json.dumps(sample[i].document)) for i in ids[:VERIFY_EACH]]
    offline_set = [sample[i] for i in ids[VERIFY_EACH : 2 * VERIFY_EACH]]
    bundles = [json.loads(json.dumps(services.bundle(c))) for c in offline_set]
    del sample, offline_set

    # Sanity, untimed: a changed byte fails the signature check, online and offline.
    tampered = copy.deepcopy(online[0])
    tampered["credentialSubject"]["work"]["workUnits"] += "0"
    codes = {c.name: c.code for c in services.verify(tampered).checks}
    if codes.get("signature") != "signature" or services.verify(tampered).valid:
        raise AssertionError(f"tampered credential not refused: {codes}")
    # An offline verifier takes the issuer's key from a trusted source: the zone's DID
    # document, saved once (as `nomadcloud proofs verify --did` reads it).
    _ZONE_DID.clear()
    _ZONE_DID.update(json.loads(json.dumps(services.did_document())))
    verify_offline = verify_offline_trusted

    tampered_bundle = copy.deepcopy(bundles[0])
    tampered_bundle["credential"]["credentialSubject"]["work"]["quantity"]["items"] += 1
    if verify_offline(tampered_bundle).valid:
        raise AssertionError("tampered bundle not refused offline")

    figures: dict[str, Any] = {}
    for name, call, items, what in (
        (
            "verified_per_s",
            verify_in_batches,
            online,
            f"services.verify_many in batches of {VERIFY_BATCH} (the batch API; issuer key, "
            "signature, status, log inclusion against the latest checkpoint)",
        ),
        (
            "verified_single_per_s",
            services.verify,
            online,
            "services.verify, one credential per call (the page and the single API)",
        ),
        (
            "verified_offline_per_s",
            verify_offline,
            bundles,
            "services.verify_offline (signature, checkpoint note, inclusion proof; no database)",
        ),
    ):
        ed25519.clear_caches()  # no memoised signature check of these documents
        gc.collect()
        seconds, results = timed_loop(items, call)
        bad = [r for r in results if not r.valid]
        if bad:
            raise AssertionError(f"{len(bad)} failed: {bad[0].checks}")
        del results
        one = round(len(items) / seconds)
        figures[f"{name}_1proc"] = figures[name] = one
        say(
            f"  {what}: {one:,}/s in one process ({seconds / len(items) * 1e6:.0f} µs "
            f"each, {len(items):,} distinct credentials, all valid)"
        )
        workers = os.cpu_count() or 1
        if workers > 1:
            # The headline: a server runs several worker processes (docs/operations.md runs
            # gunicorn with four); here one per core, each with its own connection.
            rate = parallel_rate(items, call.__name__, workers)
            figures[name] = figures[f"{name}_{workers}proc"] = round(rate)
            say(f"    with {workers} processes (one per core, as deployed): {rate:,.0f}/s")
    return figures


_ZONE_DID: dict[str, Any] = {}  # the zone's DID document, as an offline verifier saved it


def verify_offline_trusted(bundle: Any) -> Any:
    """``services.verify_offline`` with the issuer's key from the zone's saved DID document."""
    from nomadcloud.proofs import services

    return services.verify_offline(bundle, did=_ZONE_DID)


def _verify_worker(items: list[Any], call_name: str, barrier: Any, queue: Any) -> None:
    from django.db import connection

    from nomadcloud.proofs import services
    from nomadcloud.proofs.core import ed25519

    ed25519.clear_caches()  # the memo inherited from the parent process
    connection.ensure_connection()
    barrier.wait()
    if call_name == "verify_in_batches":
        queue.put(sum(1 for result in verify_in_batches(items) if result.valid))
    else:
        call = verify_offline_trusted if call_name == "verify_offline_trusted" else None
        call = call or getattr(services, call_name)
        queue.put(sum(1 for item in items if call(item).valid))
    connection.close()


def parallel_rate(items: list[Any], call_name: str, workers: int) -> float:
    """Throughput of ``workers`` forked processes sharing the items (each its own database
    connection), from the moment all are ready until the last finishes."""
    import multiprocessing

    from django.db import connections

    context = multiprocessing.get_context("fork")
    connections.close_all()
    barrier = context.Barrier(workers + 1)
    queue = context.Queue()
    processes = [
        context.Process(target=_verify_worker, args=(items[n::workers], call_name, barrier, queue))
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    barrier.wait()
    started = time.perf_counter()
    valid = sum(queue.get() for _ in processes)
    seconds = time.perf_counter() - started
    for process in processes:
        process.join()
    if valid != len(items):
        raise AssertionError(f"{len(items) - valid} failed in the parallel run")
    return len(items) / seconds


def _table(model: Any) -> tuple[str, str, str, str]:
    from django.db import connection

    quote = connection.ops.quote_name
    return (
        quote(model._meta.db_table),
        quote(model._meta.get_field("level").column),
        quote(model._meta.get_field("index").column),
        quote(model._meta.get_field("hash").column),
    )


def bulk_load(rows: Iterator[tuple[int, int, bytes]]) -> None:
    """Insert LogNode rows with the driver's bulk path: COPY on PostgreSQL, executemany on
    SQLite (the rows arrive in the unique index's order)."""
    from django.db import connection, transaction

    from nomadcloud.proofs.models import LogNode

    table, level, index, hash_ = _table(LogNode)
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(
                f"COPY {table} ({level}, {index}, {hash_}) FROM STDIN"
            ) as copy_:
                lines: list[str] = []
                for lvl, idx, value in rows:
                    lines.append(f"{lvl}\t{idx}\t\\\\x{value.hex()}\n")
                    if len(lines) >= 50_000:
                        copy_.write("".join(lines))
                        lines.clear()
                copy_.write("".join(lines))
        else:
            insert = f"INSERT INTO {table} ({level}, {index}, {hash_}) VALUES (%s, %s, %s)"  # noqa: S608
            cursor.cursor.executemany(insert, rows)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {table}")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def inclusion(tree_folder: Path, rng: random.Random) -> dict[str, Any]:
    from nomadcloud.proofs import services
    from nomadcloud.proofs.core import merkle
    from nomadcloud.proofs.models import Checkpoint, LogEntry, LogHead, LogNode

    from .tree import Levels

    levels = Levels(tree_folder)
    LogEntry.objects.all().delete()
    Checkpoint.objects.all().delete()
    LogNode.objects.all().delete()
    say(
        "  the log's LogNode table now holds a synthetic tree (leaf = SHA-256(0x00 ‖ "
        "'proofsbench leaf <i>')); only LogNode rows and LogHead.size are loaded — proofs "
        "read nothing else"
    )
    figures: dict[str, Any] = {}
    loaded = 0
    for size in SIZES:
        started = time.perf_counter()
        rows = levels.count(loaded, size)
        bulk_load(levels.rows(loaded, size))
        LogHead.objects.update_or_create(pk=1, defaults={"size": size})
        say(
            f"  loaded {rows:,} LogNode rows for {size:,} leaves "
            f"({time.perf_counter() - started:.1f} s)"
        )
        loaded = size
        root = levels.root(size)
        checkpoint = services.publish_checkpoint()
        if checkpoint.size != size or bytes(checkpoint.root) != root:
            raise AssertionError("the stored tree's root differs from the built tree's")
        label = f"{size // 1_000_000}m" if size % 1_000_000 == 0 else str(size)
        indices = [rng.randrange(size) for _ in range(INCLUSION_SAMPLES)]
        for index in indices[:20]:  # warm-up
            services.inclusion_proof(index, size)
        times = []
        for index in indices:
            started = time.perf_counter()
            proof = services.inclusion_proof(index, size)
            times.append((time.perf_counter() - started) * 1000)
            if not merkle.verify_inclusion(levels.read(0, index), index, size, proof, root):
                raise AssertionError(f"inclusion proof for {index} does not verify")
        figures[f"inclusion_ms_{label}"] = round(statistics.median(times), 3)
        figures[f"inclusion_p95_ms_{label}"] = round(percentile(times, 0.95), 3)
        say(
            f"  services.inclusion_proof at {size:,} entries ({INCLUSION_SAMPLES:,} random "
            f"indices, {len(proof)} hashes each, all verify against the checkpoint root): "
            f"median {statistics.median(times):.3f} ms, p95 {percentile(times, 0.95):.3f} ms, "
            f"max {max(times):.3f} ms"
        )
        times = []
        for _ in range(CONSISTENCY_SAMPLES):
            first = rng.randrange(1, size)
            started = time.perf_counter()
            proof = services.consistency_proof(first, size)
            times.append((time.perf_counter() - started) * 1000)
            if not merkle.verify_consistency(first, size, levels.root(first), root, proof):
                raise AssertionError(f"consistency proof {first}→{size} does not verify")
        figures[f"consistency_ms_{label}"] = round(statistics.median(times), 3)
        say(
            f"  services.consistency_proof (random older size → {size:,}, "
            f"{CONSISTENCY_SAMPLES} samples, all verify): median "
            f"{statistics.median(times):.3f} ms, p95 {percentile(times, 0.95):.3f} ms"
        )
    return figures


def main(argv: list[str]) -> int:
    tree_folder = Path(argv[0])
    rng = random.Random(SEED)
    setup()
    from django.db import connection

    figures: dict[str, Any] = {"database": connection.vendor}
    say("  issuing (one transaction per batch):")
    figures.update(issuance(rng))
    say("  verifying:")
    figures.update(verification(rng))
    say("  inclusion proofs:")
    figures.update(inclusion(tree_folder, rng))
    print("RESULT " + json.dumps(figures), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
