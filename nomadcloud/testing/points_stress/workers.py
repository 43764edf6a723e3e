"""The worker processes: each journals a batch before sending it through ``DatabaseLedger`` and
its results after, and a restarted worker first re-sends what it had in flight."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from nomadcloud.testing.points_stress.model import PTS, WU, Config, merchant, pts, wu

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
