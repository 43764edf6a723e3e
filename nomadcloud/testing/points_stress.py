"""The points ledger under concurrency and crashes (docs/points.md, "Ledger performance /
stress"). Used by ``tests/test_points_stress.py`` (small) and ``benchmarks/points/stress``
(full size, ``benchmarks/points/stress_lib.py``); never imported by the product. It lives
here, not under ``benchmarks/``, because a test imports it.

Worker processes (forked, each with its own database connection) send random traffic through
``DatabaseLedger``: exchanges (a linked pair: work units to the exchange account, points
issued to the holder's lot account, some lots expiring within seconds), payments (direct, or
a hold with a timeout later posted in full or in part, or voided, or left to time out),
refunds (reversals, in part or in full), expiry runs (lots and holds), retries of their own
earlier requests — unchanged (must answer ``exists`` once applied) and with a changed amount
(must be refused, naming the field) — and requests with ids shared by all workers (the same
fields from everyone: applied at most once). The parent kills workers at random moments with
SIGKILL and starts them again; a restarted worker first re-sends what it had in flight, as a
client that lost its connection would.

Every worker journals each batch before sending it and its results after (``*.jsonl``, one
line each, appended with a single ``write``). The check then compares the database with the
journals and runs the ledger's invariants (``check_invariants``) and the same rules in SQL:
per asset the total is conserved; no constrained account is beyond its limit; every client id
is applied at most once and only as sent; every balance equals the sum of its entries; the
lots add up to the balances.
"""

from __future__ import annotations

import dataclasses
import json
import multiprocessing
import os
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

PTS = "SPTS"
WU = "SWU"
CLIENT_KINDS = {"transfer", "hold", "post", "void", "reversal"}


@dataclass
class Config:
    workers: int = 4
    seconds: float = 8.0
    holders: int = 30
    merchants: int = 3
    kill_every: tuple[float, float] = (0.3, 1.0)
    """Seconds between two kills (uniform)."""
    shared_ids: int = 20
    seed: int = 1


@dataclass
class Report:
    database: str
    operations: int = 0
    requests: int = 0
    created: int = 0
    kills: int = 0
    restarts: int = 0
    replayed: int = 0
    replay_answers: dict[str, int] = field(default_factory=dict)
    """What the re-sent requests got: ``exists`` (the killed worker's transaction had
    committed), ``created`` (it had not: rolled back, or not yet sent), ``refused``."""
    ops: dict[str, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)
    transfers: int = 0
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "operations": self.operations,
            "requests": self.requests,
            "created": self.created,
            "transfers": self.transfers,
            "kills": self.kills,
            "restarts": self.restarts,
            "replayed": self.replayed,
            "replay_answers": dict(sorted(self.replay_answers.items())),
            "violations": len(self.violations),
            "seconds": round(self.seconds, 1),
        }


def holder(i: int) -> str:
    return f"h{i}"


def pts(i: int) -> str:
    return f"h{i}:{PTS}"


def wu(i: int) -> str:
    return f"h{i}:{WU}"


def merchant(j: int) -> str:
    return f"m{j}:{PTS}"


# ---- the world ----------------------------------------------------------------------------


def setup(using: str, config: Config) -> None:
    """Assets and accounts through the ledger's API; every holder gets work units (as the
    proof-of-work issue credits them)."""
    from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore
    from nomadcloud.points.ledger import (
        AccountFlags,
        Asset,
        ExpiryRule,
        Kind,
        SystemRole,
        TransferRequest,
    )

    lots = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.LOTS
    lg = DatabaseLedger(DatabaseStore(using))
    lg.create_asset(Asset(PTS, scale=2, expiry=ExpiryRule(days=365), shards=4))
    lg.create_asset(Asset(WU, scale=2, shards=4))
    for i in range(config.holders):
        lg.open_account(pts(i), PTS, holder(i), lots)
        lg.open_account(wu(i), WU, holder(i), lots)
    for j in range(config.merchants):
        lg.open_account(merchant(j), PTS, f"m{j}")
    results = lg.submit(
        [
            TransferRequest(
                f"setup-wu-{i}",
                Kind.TRANSFER,
                lg.system_account(SystemRole.ISSUANCE, WU, wu(i)),
                wu(i),
                1_000_000,
                code="proof_of_work",
            )
            for i in range(config.holders)
        ]
    )
    assert all(r.ok for r in results), results


# ---- workers ------------------------------------------------------------------------------


class _Journal:
    def __init__(self, path: Path) -> None:
        self.fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def write(self, record: dict[str, Any]) -> None:
        os.write(self.fd, (json.dumps(record) + "\n").encode())


def _read_journal(path: Path) -> Iterator[dict[str, Any]]:
    if not path.exists():
        return
    for line in path.read_text().splitlines():
        try:
            yield json.loads(line)
        except ValueError:
            continue  # a line cut short by SIGKILL


def _in_flight(path: Path) -> dict[str, list[dict[str, Any]]]:
    """Batches sent without a result (the worker was killed meanwhile) and not re-sent since,
    in order, by key."""
    sent: dict[str, list[dict[str, Any]]] = {}
    for record in _read_journal(path):
        if record["t"] == "send":
            sent[record["k"]] = record["batch"]
        elif record["t"] in ("result", "replayed"):
            sent.pop(record["k"], None)
    return sent


class _Worker:
    def __init__(
        self, slot: int, generation: int, using: str, journal: Path, config: Config
    ) -> None:
        from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore

        self.slot = slot
        self.generation = generation
        self.config = config
        self.rng = random.Random(config.seed * 1_000_003 + slot * 1009 + generation)
        self.lg = DatabaseLedger(DatabaseStore(using))
        self.journal_path = journal
        if journal.exists() and not journal.read_bytes().endswith(b"\n"):
            _Journal(journal).write({"t": "cut"})  # ends a line cut short, if a kill did that
        self.journal = _Journal(journal)
        self.n = 0
        self.batches = 0
        self.sent: list[dict[str, Any]] = []
        self.payments: list[str] = []
        self.holds: list[str] = []

    # -- sending --

    def _id(self, tag: str) -> str:
        self.n += 1
        return f"w{self.slot}.{self.generation}.{self.n}-{tag}"

    def submit(self, batch: list[Any], op: str) -> list[Any]:
        from nomadcloud.points.book.rows import request_to_json

        k = f"{self.slot}.{self.generation}.{self.batches}"
        self.batches += 1
        wire = [request_to_json(r) for r in batch]
        self.journal.write({"t": "send", "k": k, "op": op, "batch": wire})
        results = self.lg.submit(batch)
        if self.rng.random() < 0.2:
            # A client does something with the answer before recording it: widens the window
            # in which a kill finds the batch committed but not known to be.
            time.sleep(self.rng.uniform(0, 0.02))
        self.journal.write(
            {
                "t": "result",
                "k": k,
                "results": [
                    [r.id, r.status.value, r.reason.value if r.reason else None, r.field]
                    for r in results
                ],
            }
        )
        for request, result in zip(wire, results, strict=True):
            self.sent.append(request)
            paid = request["kind"] == "post" or (
                request["kind"] == "transfer" and request["credit_account"].startswith("m")
            )
            if result.status.value == "created" and paid:
                self.payments.append(request["id"])
            if result.status.value == "created" and request["kind"] == "hold":
                self.holds.append(request["id"])
        return results

    def replay(self) -> int:
        """Re-send, unchanged, what the previous process of this slot had in flight."""
        from nomadcloud.points.book.rows import request_from_json

        batches = _in_flight(self.journal_path)
        for k, wire in batches.items():
            self.submit([request_from_json(r) for r in wire], "replay")
            self.journal.write({"t": "replayed", "k": k})
        return len(batches)

    # -- operations --

    def run(self, deadline: float) -> None:
        ops = [
            (0.22, self.exchange),
            (0.18, self.pay),
            (0.16, self.hold),
            (0.12, self.resolve),
            (0.10, self.refund),
            (0.06, self.expire),
            (0.08, self.retry_same),
            (0.04, self.retry_changed),
            (0.04, self.shared),
        ]
        total = sum(w for w, _ in ops)
        while time.monotonic() < deadline:
            x = self.rng.random() * total
            for weight, op in ops:
                x -= weight
                if x <= 0:
                    op()
                    break

    def _holder(self) -> int:
        return self.rng.randrange(self.config.holders)

    def exchange(self) -> None:
        from nomadcloud.points.ledger import Kind, SystemRole, TransferRequest

        i = self._holder()
        units = self.rng.randint(1, 3000)
        expires = None
        if self.rng.random() < 0.3:  # a campaign lot that expires within seconds
            expires = datetime.now(UTC) + timedelta(seconds=self.rng.uniform(0.5, 4))
        self.submit(
            [
                TransferRequest(
                    self._id("xwu"),
                    Kind.TRANSFER,
                    wu(i),
                    self.lg.system_account(SystemRole.EXCHANGE, WU, wu(i)),
                    units,
                    linked=True,
                    code="exchange",
                ),
                TransferRequest(
                    self._id("xpts"),
                    Kind.TRANSFER,
                    self.lg.system_account(SystemRole.ISSUANCE, PTS, pts(i)),
                    pts(i),
                    units * 10,
                    lot_expires_at=expires,
                    code="exchange",
                ),
            ],
            "exchange",
        )

    def pay(self) -> None:
        from nomadcloud.points.ledger import Kind, TransferRequest

        i = self._holder()
        target = merchant(self.rng.randrange(self.config.merchants))
        if self.rng.random() < 0.3:  # to another holder
            target = pts(
                (i + 1 + self.rng.randrange(self.config.holders - 1)) % self.config.holders
            )
        amount = self.rng.randint(1, 20_000)
        self.submit(
            [TransferRequest(self._id("pay"), Kind.TRANSFER, pts(i), target, amount, code="pay")],
            "pay",
        )

    def hold(self) -> None:
        from nomadcloud.points.ledger import Kind, TransferRequest

        i = self._holder()
        target = merchant(self.rng.randrange(self.config.merchants))
        timeout = self.rng.choice([0, 1, 2, 3, 30])
        amount = self.rng.randint(1, 15_000)
        request = TransferRequest(
            self._id("hold"), Kind.HOLD, pts(i), target, amount, timeout=timeout, code="pay"
        )
        if self.rng.random() < 0.2:  # hold and post in one batch, linked
            post = TransferRequest(self._id("post"), Kind.POST, pending_id=request.id)
            self.submit([dataclasses.replace(request, linked=True), post], "hold")
        else:
            self.submit([request], "hold")

    def resolve(self) -> None:
        from nomadcloud.points.ledger import Kind, TransferRequest

        if not self.holds:
            return self.hold()
        hold_id = self.holds.pop(self.rng.randrange(len(self.holds)))
        x = self.rng.random()
        if x < 0.4:
            request = TransferRequest(self._id("post"), Kind.POST, pending_id=hold_id)
        elif x < 0.7:
            amount = self.rng.randint(1, 15_000)  # partial (or more than held: refused)
            request = TransferRequest(
                self._id("post"), Kind.POST, pending_id=hold_id, amount=amount
            )
        else:
            request = TransferRequest(self._id("void"), Kind.VOID, pending_id=hold_id)
        self.submit([request], "resolve")
        return None

    def refund(self) -> None:
        from nomadcloud.points.ledger import Kind, TransferRequest

        if not self.payments:
            return self.pay()
        original = self.rng.choice(self.payments)
        amount = None if self.rng.random() < 0.4 else self.rng.randint(1, 5_000)
        self.submit(
            [
                TransferRequest(
                    self._id("refund"), Kind.REVERSAL, reverses=original, amount=amount, code="r"
                )
            ],
            "refund",
        )
        return None

    def expire(self) -> None:
        from nomadcloud.points.book.rows import request_to_json

        k = f"{self.slot}.{self.generation}.{self.batches}"
        self.batches += 1
        self.journal.write({"t": "send", "k": k, "op": "expire", "batch": []})
        results = self.lg.expire_lots(limit=20) + self.lg.expire_holds(limit=20)
        self.journal.write(
            {
                "t": "result",
                "k": k,
                "internal": [
                    [request_to_json(r.transfer.request), r.status.value]
                    for r in results
                    if r.transfer is not None
                ],
            }
        )

    def retry_same(self) -> None:
        from nomadcloud.points.book.rows import request_from_json

        if not self.sent:
            return self.exchange()
        request = request_from_json(self.rng.choice(self.sent))
        if request.linked:
            return None  # a chain member alone is refused (linked_chain_open): nothing to learn
        self.submit([request], "retry")
        return None

    def retry_changed(self) -> None:
        from nomadcloud.points.book.rows import request_from_json

        if not self.sent:
            return self.exchange()
        request = request_from_json(self.rng.choice(self.sent))
        changed = dataclasses.replace(request, amount=(request.amount or 0) + 1, linked=False)
        self.submit([changed], "retry_changed")
        return None

    def shared(self) -> None:
        """A request every worker may send under the same id with the same fields."""
        from nomadcloud.points.ledger import Kind, SystemRole, TransferRequest

        k = self.rng.randrange(self.config.shared_ids)
        i = k % self.config.holders
        self.submit(
            [
                TransferRequest(
                    f"shared-{k}",
                    Kind.TRANSFER,
                    self.lg.system_account(SystemRole.ISSUANCE, PTS, pts(i)),
                    pts(i),
                    100 + k,
                    code="bonus",
                )
            ],
            "shared",
        )


def _worker_main(
    slot: int, generation: int, using: str, journal: str, config: Config, deadline: float
) -> None:
    from django.db import connections

    path = Path(journal)
    try:
        worker = _Worker(slot, generation, using, path, config)
        worker.replay()
        worker.run(deadline)
    except BaseException as exc:  # journaled: the check reports it
        _Journal(path).write({"t": "error", "error": f"{type(exc).__name__}: {exc}"})
        raise
    finally:
        connections[using].close()


# ---- the run ------------------------------------------------------------------------------


def run(using: str, journal_dir: Path, config: Config, database: str = "") -> Report:
    """Set up, run the workers while killing and restarting them, then check."""
    from django.db import connections

    report = Report(database or using)
    started = time.monotonic()
    setup(using, config)
    connections.close_all()  # the workers must not share this process's connections
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(config.seed)
    deadline = time.monotonic() + config.seconds
    generations = [0] * config.workers

    def start(slot: int) -> Any:
        process = ctx.Process(
            target=_worker_main,
            args=(
                slot,
                generations[slot],
                using,
                str(journal_dir / f"w{slot}.jsonl"),
                config,
                deadline,
            ),
        )
        process.start()
        return process

    processes = [start(slot) for slot in range(config.workers)]
    while True:
        wait = rng.uniform(*config.kill_every)
        if time.monotonic() + wait >= deadline:
            break
        time.sleep(wait)
        slot = rng.randrange(config.workers)
        victim = processes[slot]
        if victim.is_alive():
            os.kill(victim.pid, signal.SIGKILL)
            victim.join()
            report.kills += 1
        generations[slot] += 1
        processes[slot] = start(slot)
        report.restarts += 1
    for process in processes:
        process.join(timeout=config.seconds + 120)
        if process.is_alive():
            process.kill()
            process.join()
            report.violations.append("a worker did not stop")
    # Whatever the last generations left in flight is re-sent, as their clients would.
    for slot in range(config.workers):
        generations[slot] += 1
        process = ctx.Process(
            target=_worker_main,
            args=(slot, generations[slot], using, str(journal_dir / f"w{slot}.jsonl"), config, 0),
        )
        process.start()
        process.join()
        if process.exitcode:
            report.violations.append(f"the replay of worker {slot} failed")
    check(using, journal_dir, report)
    report.seconds = time.monotonic() - started
    return report


# ---- the check ----------------------------------------------------------------------------


def check(using: str, journal_dir: Path, report: Report) -> None:
    from nomadcloud.points.book.rows import request_from_json
    from nomadcloud.points.book.store import DatabaseStore
    from nomadcloud.points.ledger import check_invariants

    out = report.violations
    store = DatabaseStore(using)
    out.extend(f"invariant {v}" for v in check_invariants(store))
    out.extend(sql_violations(using))

    stored = {t.id: t for t in store.all_transfers()}
    report.transfers = len(stored)
    sent: dict[str, list[Any]] = {}
    outcomes: dict[str, list[tuple[str, str | None, str | None]]] = {}
    answered: set[str] = set()
    requests_by_batch: dict[str, list[dict[str, Any]]] = {}
    ops: Counter[str] = Counter()
    refusals: Counter[str] = Counter()
    replays: set[str] = set()
    for path in sorted(journal_dir.glob("*.jsonl")):
        for record in _read_journal(path):
            if record["t"] == "error":
                out.append(f"worker error: {record['error']}")
            elif record["t"] == "send":
                requests_by_batch[record["k"]] = record["batch"]
                if record["op"] == "replay":
                    replays.add(record["k"])
                ops[record["op"]] += 1
                report.replayed += record["op"] == "replay"
                for wire in record["batch"]:
                    sent.setdefault(wire["id"], []).append(request_from_json(wire))
            elif record["t"] == "replayed":
                answered.add(record["k"])  # its requests were answered by the replay
            elif record["t"] == "result":
                answered.add(record["k"])
                for tid, status, reason, _field in record.get("results", []):
                    outcomes.setdefault(tid, []).append((status, reason, _field))
                    if record["k"] in replays:
                        # exists: the kill came after the commit; created: before it
                        report.replay_answers[status] = report.replay_answers.get(status, 0) + 1
                    if reason:
                        refusals[reason] += 1
    report.operations = sum(ops.values())
    report.ops = dict(ops)
    report.refusals = dict(refusals)
    report.requests = sum(len(v) for v in outcomes.values())
    in_flight = {
        wire["id"] for k, batch in requests_by_batch.items() if k not in answered for wire in batch
    }
    created = Counter(
        tid for tid, results in outcomes.items() for s, _, _ in results if s == "created"
    )
    report.created = sum(created.values())

    for tid, n in created.items():
        if n > 1:
            out.append(f"{tid}: created {n} times")
    for tid, results in outcomes.items():
        found = stored.get(tid)
        for status, reason, _field in results:
            if status in ("created", "exists"):
                if found is None:
                    out.append(f"{tid}: answered {status} but not stored")
                elif not any(found.request == r for r in sent.get(tid, [])):
                    out.append(f"{tid}: stored with fields no worker sent")
            elif reason == "exists_with_different_fields" and found is None:
                out.append(f"{tid}: refused as existing, but not stored")
        refused_only = {status for status, _, _ in results} == {"refused"}
        existing = any(r == "exists_with_different_fields" for _, r, _ in results)
        if found is not None and refused_only and not existing and tid not in in_flight:
            out.append(f"{tid}: stored although every answer was a refusal")
    for tid, transfer in stored.items():
        if transfer.kind.value not in CLIENT_KINDS or tid.startswith("setup-"):
            continue
        if tid not in sent:
            out.append(f"{tid}: stored but never sent")
        elif not any(transfer.request == r for r in sent[tid]):
            out.append(f"{tid}: stored with fields no worker sent")
    shared = [tid for tid in stored if tid.startswith("shared-")]
    if len(shared) != len(set(shared)):
        out.append("a shared id stored twice")


def sql_violations(using: str) -> list[str]:
    """The invariants again, as SQL over the tables (both databases)."""
    from django.db import connections

    checks = {
        "conservation": """SELECT asset_id, SUM(credits_posted - debits_posted),
                SUM(credits_pending - debits_pending) FROM points_account GROUP BY asset_id
            HAVING SUM(credits_posted - debits_posted) <> 0
                OR SUM(credits_pending - debits_pending) <> 0""",
        "negative_balance": """SELECT id FROM points_account
            WHERE debits_must_not_exceed_credits
              AND debits_pending + debits_posted > credits_posted""",
        "credit_limit": """SELECT id FROM points_account
            WHERE credits_must_not_exceed_debits
              AND credits_pending + credits_posted > debits_posted""",
        "duplicate_id": "SELECT tid FROM points_transfer GROUP BY tid HAVING COUNT(*) > 1",
        "entries_sum": """SELECT a.id FROM points_account a LEFT JOIN (
                SELECT account_id, SUM(debits_pending) dp, SUM(debits_posted) dq,
                    SUM(credits_pending) cp, SUM(credits_posted) cq
                FROM points_entry GROUP BY account_id) e ON e.account_id = a.id
            WHERE a.debits_pending <> COALESCE(e.dp, 0) OR a.debits_posted <> COALESCE(e.dq, 0)
               OR a.credits_pending <> COALESCE(e.cp, 0)
               OR a.credits_posted <> COALESCE(e.cq, 0)""",
        "entries_of_no_transfer": """SELECT e.transfer_tid FROM points_entry e
            LEFT JOIN points_transfer t ON t.tid = e.transfer_tid WHERE t.tid IS NULL""",
        "moves_of_no_transfer": """SELECT m.transfer_tid FROM points_lotmove m
            LEFT JOIN points_transfer t ON t.tid = m.transfer_tid WHERE t.tid IS NULL""",
        "transfer_asset": """SELECT t.tid FROM points_transfer t
            JOIN points_account a ON a.id = t.debit_account_id
            JOIN points_account b ON b.id = t.credit_account_id
            WHERE t.asset_id <> a.asset_id OR t.asset_id <> b.asset_id""",
        "unbalanced_transfer": """SELECT transfer_tid FROM points_entry GROUP BY transfer_tid
            HAVING SUM(credits_posted - debits_posted) <> 0
                OR SUM(credits_pending - debits_pending) <> 0""",
        "lots_balance": """SELECT a.id FROM points_account a LEFT JOIN (
                SELECT account_id, SUM(remaining) r FROM points_lot GROUP BY account_id) l
                ON l.account_id = a.id
            WHERE a.lots
              AND a.credits_posted - a.debits_posted - a.debits_pending <> COALESCE(l.r, 0)""",
        "lot_moves": """SELECT l.id FROM points_lot l LEFT JOIN (
                SELECT lot_id, SUM(amount) s FROM points_lotmove GROUP BY lot_id) m
                ON m.lot_id = l.id
            WHERE l.remaining <> l.amount + COALESCE(m.s, 0)
               OR l.remaining < 0 OR l.remaining > l.amount""",
    }
    out: list[str] = []
    with connections[using].cursor() as cursor:
        for rule, sql in checks.items():
            cursor.execute(sql)
            out.extend(f"sql {rule}: {row}" for row in cursor.fetchall()[:10])
    return out
