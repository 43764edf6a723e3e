"""The check after a run: the database against the workers' journals, the ledger's invariants
and the same rules in SQL."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from nomadcloud.testing.points_stress.model import CLIENT_KINDS, Report
from nomadcloud.testing.points_stress.workers import _read_journal

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
