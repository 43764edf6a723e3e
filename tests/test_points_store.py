"""The points ledger on the database (``DatabaseStore``): the core's rule tests re-run against
it, plus what only a database shows — constraints, append-only history, retries from another
process's ledger, linked chains writing nothing, and concurrent workers (PostgreSQL).

Run on SQLite by default and on PostgreSQL with ``NOMADCLOUD_TEST_DB=postgres``."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import IntegrityError, connection, connections, transaction

import tests.test_points_ledger as core
from nomadcloud.points import models as m
from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore
from nomadcloud.points.ledger import (
    Account,
    AccountFlags,
    Asset,
    ExpiryRule,
    Kind,
    Ledger,
    Lot,
    MemoryStore,
    Reason,
    Status,
    SystemRole,
    Transfer,
    TransferRequest,
    check_invariants,
)
from tests.test_points_ledger import (  # the core's rule tests, re-run on the database
    Clock,
    test_account_limits,
    test_assets_and_accounts_are_idempotent_and_validated,
    test_bad_transfers_are_refused_and_change_nothing,
    test_expiry_run_and_statement,
    test_fifo_is_by_expiry_then_creation,
    test_hold_and_post_in_one_batch,
    test_hold_reserves_lots_and_void_returns_to_expired_lot,
    test_hold_then_partial_post,
    test_hold_timeout,
    test_linked_chain_applies_all_or_none,
    test_other_refusals,
    test_pending_credit_to_lot_account_forms_lot_on_post,
    test_refund_in_parts_restores_the_original_lots,
    test_retry_same_fields_returns_original,
    test_retry_with_different_field_is_refused_naming_it,
    test_reversal_needs_funds_and_takes_the_original_lot_first,
    test_reversing_a_hold_is_refused,
    test_system_accounts_are_sharded,
    test_transfer_moves_value_and_records_entries,
    test_unlinked_requests_in_a_batch_are_independent,
    test_void_then_post_refused,
    test_worked_example_fifo_lots,
)

__all__ = [
    "test_account_limits",
    "test_assets_and_accounts_are_idempotent_and_validated",
    "test_bad_transfers_are_refused_and_change_nothing",
    "test_expiry_run_and_statement",
    "test_fifo_is_by_expiry_then_creation",
    "test_hold_and_post_in_one_batch",
    "test_hold_reserves_lots_and_void_returns_to_expired_lot",
    "test_hold_then_partial_post",
    "test_hold_timeout",
    "test_linked_chain_applies_all_or_none",
    "test_other_refusals",
    "test_pending_credit_to_lot_account_forms_lot_on_post",
    "test_refund_in_parts_restores_the_original_lots",
    "test_retry_same_fields_returns_original",
    "test_retry_with_different_field_is_refused_naming_it",
    "test_reversal_needs_funds_and_takes_the_original_lot_first",
    "test_reversing_a_hold_is_refused",
    "test_system_accounts_are_sharded",
    "test_transfer_moves_value_and_records_entries",
    "test_unlinked_requests_in_a_batch_are_independent",
    "test_void_then_post_refused",
    "test_worked_example_fifo_lots",
]

LOTS = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.LOTS


def db_snapshot(lg: Ledger) -> tuple[object, ...]:
    """Everything the store holds, through the protocol (works for any store)."""
    s = lg.store
    return (
        sorted(
            (a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
            for a in s.all_accounts()
        ),
        [t.id for t in s.all_transfers()],
        len(s.all_entries()),
        len(s.all_lot_moves()),
        sorted((lot.id, lot.remaining) for lot in s.all_lots()),
        sorted((h.id, h.status, h.posted_amount) for h in s.all_holds()),
        s.all_reversed(),
    )


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(db: None, clock: Clock, monkeypatch: pytest.MonkeyPatch) -> Ledger:
    """The core tests' ledger, on the database."""
    monkeypatch.setattr(core, "snapshot", db_snapshot)
    lg = DatabaseLedger(DatabaseStore(), clock)
    lg.create_asset(Asset("PTS", scale=2, max_amount=1_000_000, expiry=ExpiryRule(days=30)))
    lg.create_asset(Asset("WU", scale=0, shards=4))
    lg.open_account("ann:PTS", "PTS", "ann", LOTS)
    lg.open_account("bob:PTS", "PTS", "bob", LOTS)
    lg.open_account("shop:PTS", "PTS", "shop")
    lg.open_account("ann:WU", "WU", "ann", LOTS)
    return lg


def test_worked_example_on_the_database(ledger: Ledger, clock: Clock) -> None:
    core.issue(ledger, "l1", "ann:PTS", 100)
    clock.advance(days=1)
    core.issue(ledger, "l2", "ann:PTS", 150)
    assert ledger.transfer("s1", "ann:PTS", "shop:PTS", 120).status == Status.CREATED
    # Read back through a fresh store: what is persisted, not what one instance remembers.
    fresh = DatabaseLedger(DatabaseStore(), clock)
    assert [(lot.id, lot.remaining) for lot in fresh.lots("ann:PTS")] == [("l2", 130)]
    assert m.Lot.objects.get(id="l1").remaining == 0
    assert fresh.account("ann:PTS").balance == 130  # type: ignore[union-attr]
    assert [t.id for t in fresh.history("ann:PTS")] == ["l1", "l2", "s1"]
    assert check_invariants(fresh.store) == []


def test_retry_from_another_ledger_instance_is_idempotent(ledger: Ledger, clock: Clock) -> None:
    core.issue(ledger, "i1", "ann:PTS", 500, code="exchange", reference="proof-1")
    first = ledger.transfer("pay-1", "ann:PTS", "shop:PTS", 200, code="payment")
    other = DatabaseLedger(DatabaseStore(), clock)  # e.g. another worker process
    clock.advance(seconds=5)
    again = other.transfer("pay-1", "ann:PTS", "shop:PTS", 200, code="payment")
    assert again.status == Status.EXISTS
    assert again.transfer == first.transfer  # the stored original, round-tripped exactly
    changed = other.transfer("pay-1", "ann:PTS", "shop:PTS", 201, code="payment")
    assert (changed.reason, changed.field) == (Reason.EXISTS_WITH_DIFFERENT_FIELDS, "amount")
    assert m.Transfer.objects.filter(tid="pay-1").count() == 1
    assert other.account("ann:PTS").balance == 300  # type: ignore[union-attr]
    assert check_invariants(other.store) == []


def test_lot_expiry_override_round_trips(ledger: Ledger, clock: Clock) -> None:
    expires = clock.now + timedelta(days=3)
    core.issue(ledger, "bonus", "ann:PTS", 50, lot_expires_at=expires)
    again = DatabaseLedger(DatabaseStore(), clock)
    src = again.system_account(SystemRole.ISSUANCE, "PTS", "ann:PTS")
    assert again.transfer("bonus", src, "ann:PTS", 50, lot_expires_at=expires).status == (
        Status.EXISTS
    )
    assert m.Lot.objects.get(id="bonus").expires_at == expires


def test_linked_chain_writes_nothing_when_refused(ledger: Ledger) -> None:
    core.issue(ledger, "i1", "ann:PTS", 100)
    counts = (m.Transfer.objects.count(), m.Entry.objects.count(), m.LotMove.objects.count())
    before = db_snapshot(ledger)
    results = ledger.submit(
        [
            TransferRequest("a", Kind.TRANSFER, "ann:PTS", "shop:PTS", 60, linked=True),
            TransferRequest("b", Kind.HOLD, "ann:PTS", "bob:PTS", 30, linked=True),
            TransferRequest("c", Kind.TRANSFER, "ann:PTS", "shop:PTS", 20),  # 110 > 100
        ]
    )
    assert [r.reason for r in results] == [
        Reason.LINKED_EVENT_FAILED,
        Reason.LINKED_EVENT_FAILED,
        Reason.INSUFFICIENT_FUNDS,
    ]
    assert db_snapshot(ledger) == before
    assert (m.Transfer.objects.count(), m.Entry.objects.count(), m.LotMove.objects.count()) == (
        counts
    )
    ok = ledger.submit(
        [
            TransferRequest("a", Kind.TRANSFER, "ann:PTS", "shop:PTS", 60, linked=True),
            TransferRequest("b", Kind.HOLD, "ann:PTS", "bob:PTS", 30),
        ]
    )
    assert [r.status for r in ok] == [Status.CREATED, Status.CREATED]
    assert check_invariants(ledger.store) == []


def _random_batch(
    rng: random.Random, n: int, tag: str, now: datetime, sent: list[TransferRequest]
) -> list[TransferRequest]:
    """A batch of every kind of request, many touching the same accounts and referring to
    each other: issues (some lots expiring soon), payments, holds posted or voided in the same
    batch or later, reversals, linked chains (some failing), retries with the same and with
    changed fields, and ids with the characters a literal must escape."""
    people = ["ann:PTS", "bob:PTS", "cy:PTS", "shop:PTS"]
    out: list[TransferRequest] = []
    odd = ['"', "\\", ",", "{", "}", "'", "~"]
    while len(out) < n:
        k = len(out)
        tid = f"{tag}-{k}{rng.choice(odd) if rng.random() < 0.3 else ''}"
        pick = rng.random()
        a, b = rng.sample(people, 2)
        earlier = [r for r in sent + out if r.kind in (Kind.TRANSFER, Kind.POST)]
        holds = [r.id for r in sent + out if r.kind == Kind.HOLD]
        if pick < 0.2:
            expires = now + timedelta(days=rng.choice([1, 2, 40])) if rng.random() < 0.5 else None
            src = f"issuance:PTS:{rng.randrange(4)}"
            request = TransferRequest(tid, Kind.TRANSFER, src, a, rng.randint(1, 900),
                                      lot_expires_at=expires)  # fmt: skip
        elif pick < 0.4:
            request = TransferRequest(tid, Kind.TRANSFER, a, b, rng.randint(1, 400))
        elif pick < 0.5:
            request = TransferRequest(tid, Kind.HOLD, a, b, rng.randint(1, 300),
                                      timeout=rng.choice([0, 3600, 5 * 86400]))  # fmt: skip
        elif pick < 0.6 and holds:
            amount = rng.choice([None, rng.randint(1, 300)])
            kind = rng.choice([Kind.POST, Kind.POST, Kind.VOID])
            request = TransferRequest(tid, kind, pending_id=rng.choice(holds),
                                      amount=amount if kind == Kind.POST else None)  # fmt: skip
        elif pick < 0.72 and earlier:
            request = TransferRequest(tid, Kind.REVERSAL, reverses=rng.choice(earlier).id,
                                      amount=rng.choice([None, rng.randint(1, 200)]))  # fmt: skip
        elif pick < 0.82:
            out.append(TransferRequest(tid, Kind.TRANSFER, a, b, rng.randint(1, 300), linked=True))
            request = TransferRequest(f"{tid}+", Kind.TRANSFER, b, a, rng.randint(1, 300))
        elif pick < 0.92 and sent:
            original = rng.choice(sent)
            if rng.random() < 0.5:
                request = original
            else:
                request = TransferRequest(original.id, original.kind, original.debit_account,
                                          original.credit_account, (original.amount or 0) + 1,
                                          pending_id=original.pending_id,
                                          reverses=original.reverses)  # fmt: skip
            if request.linked:
                continue
        else:
            request = TransferRequest(tid, Kind.TRANSFER, a, "nobody", 5)
        out.append(request)
    return out


@pytest.mark.parametrize("size", [40, 600])  # SQLite reads many keys through json_each
def test_large_mixed_batches_match_the_memory_ledger(db: None, size: int) -> None:
    """The database path reads in bulk and writes each batch at once; the memory store is the
    reference. The same batches give the same answers and leave the same state."""
    rng = random.Random(size)
    clocks = Clock(), Clock()
    ledgers = [Ledger(MemoryStore(), clocks[0]), DatabaseLedger(DatabaseStore(), clocks[1])]
    for lg in ledgers:
        lg.create_asset(Asset("PTS", expiry=ExpiryRule(days=30), shards=4))
        for account in ("ann:PTS", "bob:PTS", "cy:PTS"):
            lg.open_account(account, "PTS", account.split(":")[0], LOTS)
        lg.open_account("shop:PTS", "PTS", "shop")
    sent: list[TransferRequest] = []
    seen: set[tuple[Status, Reason | None]] = set()
    for round_ in range(4):
        batch = _random_batch(rng, size, f"r{round_}", clocks[0].now, sent)
        answers = [lg.submit(batch) for lg in ledgers]
        assert answers[0] == answers[1]
        seen.update((r.status, r.reason) for r in answers[0])
        sent.extend(batch)
        for clock in clocks:
            clock.advance(days=1, hours=13)
        swept = [lg.expire_holds() + lg.expire_lots() for lg in ledgers]
        assert swept[0] == swept[1]
        assert db_snapshot(ledgers[0]) == db_snapshot(ledgers[1])
        for lg in ledgers:
            assert check_invariants(lg.store) == []
    for status_reason in [
        (Status.CREATED, None),
        (Status.EXISTS, None),
        (Status.REFUSED, Reason.EXISTS_WITH_DIFFERENT_FIELDS),
        (Status.REFUSED, Reason.LINKED_EVENT_FAILED),
        (Status.REFUSED, Reason.CREDIT_ACCOUNT_UNKNOWN),
    ]:
        assert status_reason in seen
    fresh = DatabaseStore()  # read back, not remembered
    assert sorted(t.id for t in fresh.all_transfers()) == sorted(
        t.id for t in ledgers[0].store.all_transfers()
    )
    assert {t.id: t for t in fresh.all_transfers()} == {
        t.id: t for t in ledgers[0].store.all_transfers()
    }
    assert any(c in t.id for t in fresh.all_transfers() for c in '"\\,{')


@pytest.mark.parametrize(
    "rule",
    [
        ExpiryRule(days=30),
        ExpiryRule(months=1, at_end_of="month"),
        ExpiryRule(months=12, days=3, at_end_of="day"),
        ExpiryRule(at_end_of="year"),
    ],
)
def test_single_transfers_match_the_memory_ledger(db: None, rule: ExpiryRule) -> None:
    """One transfer per ``submit``: on PostgreSQL the plain ones go through the server-side
    function ``points_transfer_one`` (book/function.py), everything else through the core.
    Answers, state and the transfers read back equal the memory ledger's, and the function
    did the work (it is not silently left to the core)."""
    rng = random.Random(str(rule))
    clocks = Clock(), Clock()
    clocks[0].now = clocks[1].now = datetime.fromisoformat("2027-01-30T23:30:00+00:00")
    memory, database = Ledger(MemoryStore(), clocks[0]), DatabaseLedger(DatabaseStore(), clocks[1])
    people = ["ann:PTS", "bob:PTS", "cy:PTS", "shop:PTS", "closed:PTS"]
    for lg in (memory, database):
        lg.create_asset(Asset("PTS", max_amount=500, expiry=rule, shards=2))
        for account in people[:3]:
            lg.open_account(account, "PTS", account.split(":")[0], LOTS)
        lg.open_account("shop:PTS", "PTS", "shop")
        lg.open_account("cap:PTS", "PTS", "cap", AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS)
        lg.open_account("closed:PTS", "PTS", "closed", AccountFlags.CLOSED)
    fast = 0
    real = database._transfer_one

    def counted(r: TransferRequest) -> Any:
        nonlocal fast
        found = real(r)
        fast += found is not None
        return found

    database._transfer_one = counted  # type: ignore[method-assign]
    sent: list[TransferRequest] = []
    for k in range(160):
        a, b = rng.sample(people, 2)
        pick = rng.random()
        if pick < 0.3:
            expires = clocks[0].now + timedelta(hours=rng.choice([2, 30, 900]))
            request = TransferRequest(f"i{k}", Kind.TRANSFER, f"issuance:PTS:{k % 2}", a,
                                      rng.randint(1, 600), code="award", reference=f"r{k}",
                                      lot_expires_at=expires if k % 3 else None)  # fmt: skip
        elif pick < 0.8:
            request = TransferRequest(f"t{k}", Kind.TRANSFER, a, b, rng.randint(1, 300),
                                      asset=rng.choice(["", "", "PTS", "WU"]))  # fmt: skip
        elif pick < 0.88:
            request = TransferRequest(f"c{k}", Kind.TRANSFER, a, "cap:PTS", 5)
        elif pick < 0.95 and sent:
            request = rng.choice(sent)
        else:
            request = TransferRequest(f"h{k}", Kind.HOLD, a, b, rng.randint(1, 50))
        sent.append(request)
        answers = [lg.submit([request]) for lg in (memory, database)]
        assert answers[0] == answers[1], request
        hours = rng.choice([0, 1, 7, 26])
        for clock in clocks:
            clock.advance(hours=hours)
        if k % 40 == 39:
            assert memory.expire_lots() == database.expire_lots()
    assert db_snapshot(memory) == db_snapshot(database)
    assert {lot.id: lot for lot in DatabaseStore().all_lots()} == {
        lot.id: lot for lot in memory.store.all_lots()
    }
    assert {t.id: t for t in DatabaseStore().all_transfers()} == {
        t.id: t for t in memory.store.all_transfers()
    }
    assert check_invariants(database.store) == []
    if connection.vendor == "postgresql":
        assert fast > 40
    else:
        assert fast == 0


def _execute(sql: str) -> None:
    """Run raw SQL as another client of the database would, in its own savepoint."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)


def test_history_is_append_only(ledger: Ledger) -> None:
    core.issue(ledger, "i1", "ann:PTS", 100)
    assert ledger.transfer("s1", "ann:PTS", "shop:PTS", 10).status == Status.CREATED
    row = m.Transfer.objects.get(tid="i1")
    with pytest.raises(m.AppendOnlyError):
        row.save()
    with pytest.raises(m.AppendOnlyError):
        row.delete()
    with pytest.raises(m.AppendOnlyError):
        m.Entry.objects.filter(transfer_id="i1").update(credits_posted=5)
    with pytest.raises(m.AppendOnlyError):
        m.LotMove.objects.all().delete()
    # Other clients of the database are refused by the triggers.
    for statement in (
        "UPDATE points_transfer SET amount = 5",
        "UPDATE points_entry SET credits_posted = 0",
        "UPDATE points_lotmove SET amount = 1",
    ):
        with pytest.raises(Exception, match="append-only"):
            _execute(statement)
    if connection.vendor == "postgresql":
        with pytest.raises(Exception, match="append-only"):
            _execute("DELETE FROM points_entry")
    assert m.Transfer.objects.get(tid="i1").amount == 100


@pytest.mark.parametrize(
    "broken",
    [
        "UPDATE points_account SET debits_posted = credits_posted + 1 WHERE id = 'ann:PTS'",
        "UPDATE points_account SET debits_pending = credits_posted + 1 WHERE id = 'ann:PTS'",
        "UPDATE points_account SET credits_posted = -1 WHERE id = 'shop:PTS'",
        "UPDATE points_account SET lots = TRUE, debits_must_not_exceed_credits = FALSE"
        " WHERE id = 'ann:PTS'",
        "UPDATE points_lot SET remaining = amount + 1",
        "UPDATE points_lot SET remaining = -1",
    ],
)
def test_database_checks_refuse_broken_rows(ledger: Ledger, broken: str) -> None:
    core.issue(ledger, "i1", "ann:PTS", 100)
    with pytest.raises(IntegrityError):
        _execute(broken)
    bad = m.Transfer(
        tid="x",
        kind="transfer",
        debit_account_id="ann:PTS",
        credit_account_id="shop:PTS",
        asset_id="PTS",
        amount=0,
        timestamp=core.T0,
        request={},
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        bad.save()
    assert check_invariants(ledger.store) == []


def test_invariant_checker_sees_database_corruption(ledger: Ledger) -> None:
    core.issue(ledger, "i1", "ann:PTS", 100)
    m.Account.objects.filter(id="shop:PTS").update(credits_posted=7)
    rules = {v.rule for v in check_invariants(ledger.store)}
    assert {"conservation", "entries_sum"} <= rules


# ---- concurrency (PostgreSQL: real row locks between connections) ------------------------

HOLDERS = [f"h{i}:PTS" for i in range(4)]
SHOPS = ["shop0:PTS", "shop1:PTS"]


def _worker(
    seed: int, steps: int, errors: list[BaseException], using: str = "default"
) -> Callable[[], None]:
    def run() -> None:
        rng = random.Random(seed)
        lg = DatabaseLedger(DatabaseStore(using))
        try:
            for step in range(steps):
                holder = rng.choice(HOLDERS)
                op = rng.random()
                # Ids shared between workers: the same request raced from several workers.
                tid = f"t{rng.randrange(steps * 2)}-{holder}"
                if op < 0.3:
                    src = lg.system_account(SystemRole.ISSUANCE, "PTS", holder)
                    lg.transfer(f"iss-{tid}", src, holder, 50)
                elif op < 0.6:
                    lg.transfer(f"pay-{tid}", holder, rng.choice(SHOPS), rng.randint(1, 80))
                elif op < 0.75:
                    hid = f"hold-{seed}-{step}"
                    lg.hold(hid, holder, rng.choice(SHOPS), rng.randint(1, 40))
                    if rng.random() < 0.5:
                        lg.post(f"post-{hid}", hid, None)
                    else:
                        lg.void(f"void-{hid}", hid)
                elif op < 0.9:
                    lg.reverse(f"ref-{tid}", f"pay-{tid}", 1)
                else:
                    lg.submit(
                        [
                            TransferRequest(
                                f"l1-{tid}", Kind.TRANSFER, holder, SHOPS[0], 5, linked=True
                            ),
                            TransferRequest(f"l2-{tid}", Kind.TRANSFER, holder, SHOPS[1], 5),
                        ]
                    )
        except BaseException as exc:  # reported to the test thread
            errors.append(exc)
        finally:
            connections[using].close()

    return run


@pytest.mark.django_db(transaction=True)
def test_concurrent_workers_keep_the_invariants() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency runs on PostgreSQL (NOMADCLOUD_TEST_DB=postgres)")
    lg = DatabaseLedger(DatabaseStore())
    lg.create_asset(Asset("PTS", expiry=ExpiryRule(days=30), shards=4))
    for account in HOLDERS:
        lg.open_account(account, "PTS", account.split(":")[0], LOTS)
    for account in SHOPS:
        lg.open_account(account, "PTS", account.split(":")[0])
    errors: list[BaseException] = []
    threads = [threading.Thread(target=_worker(seed, 40, errors)) for seed in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert check_invariants(lg.store) == []
    assert m.Transfer.objects.count() > 0
    ids = list(m.Transfer.objects.values_list("tid", flat=True))
    assert len(ids) == len(set(ids))
    for row in lg.store.all_accounts():
        if row.has(AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS):
            assert row.available >= 0
    assert sum(a.balance for a in lg.store.all_accounts()) == 0


def test_every_reason_has_a_localized_message() -> None:
    from django.utils import translation

    from nomadcloud.points.book.reasons import MESSAGES, reason_message

    assert set(MESSAGES) == set(Reason)
    with translation.override("en"):
        assert reason_message(Reason.INSUFFICIENT_FUNDS) == "Not enough points."
        assert "amount" in reason_message(Reason.EXISTS_WITH_DIFFERENT_FIELDS, "amount")
    with translation.override("zh-hans"):
        assert reason_message(Reason.INSUFFICIENT_FUNDS) == "积分不足。"


def test_a_lost_race_on_the_transfer_id_is_retried(
    ledger: Ledger, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker applied the same id (on other accounts) between our look-up and our
    insert: the unique key refuses the insert and the retried batch answers from the stored
    transfer."""
    core.issue(ledger, "i1", "ann:PTS", 100)
    core.issue(ledger, "i2", "bob:PTS", 100)
    assert ledger.transfer("x", "ann:PTS", "shop:PTS", 10).status == Status.CREATED
    store = DatabaseStore()
    real = store.lock_and_load
    stale = {"left": 1}

    def lock_and_load_once_stale(
        ids: Sequence[str], transfer_ids: Sequence[str], lots_of: Sequence[str]
    ) -> tuple[dict[str, Account], dict[str, Transfer], list[Lot]]:
        accounts, transfers, lots = real(ids, transfer_ids, lots_of)
        if "x" in transfers and stale["left"]:
            stale["left"] -= 1
            del transfers["x"]  # as if read before the other worker committed
        return accounts, transfers, lots

    monkeypatch.setattr(store, "lock_and_load", lock_and_load_once_stale)
    other = DatabaseLedger(store, clock)
    result = other.transfer("x", "bob:PTS", "shop:PTS", 10)
    assert stale["left"] == 0
    assert (result.reason, result.field) == (
        Reason.EXISTS_WITH_DIFFERENT_FIELDS,
        "debit_account",
    )
    assert other.account("bob:PTS").balance == 100  # type: ignore[union-attr]
    assert check_invariants(store) == []


def test_concurrent_workers_on_a_sqlite_file(tmp_path: Path, django_db_blocker: Any) -> None:
    """SQLite serialises writers with BEGIN IMMEDIATE: the same workers, on a database file
    shared by several connections, keep the invariants too."""
    from django.core.management import call_command

    from nomadcloud.dbconfig import database_config

    alias = "points_sqlite_file"
    config = database_config(f"sqlite:///{tmp_path / 'points.sqlite3'}")
    config.update(
        ATOMIC_REQUESTS=False,
        AUTOCOMMIT=True,
        CONN_MAX_AGE=0,
        TIME_ZONE=None,
        TEST={"NAME": None},
    )
    connections.settings[alias] = config
    with django_db_blocker.unblock():
        try:
            call_command("migrate", "points", database=alias, verbosity=0)
            lg = DatabaseLedger(DatabaseStore(alias))
            lg.create_asset(Asset("PTS", expiry=ExpiryRule(days=30), shards=4))
            for account in HOLDERS:
                lg.open_account(account, "PTS", account.split(":")[0], LOTS)
            for account in SHOPS:
                lg.open_account(account, "PTS", account.split(":")[0])
            errors: list[BaseException] = []
            threads = [
                threading.Thread(target=_worker(seed, 25, errors, alias)) for seed in range(4)
            ]
            for t in threads:
                t.start()
            for t in threads:
                t.join(timeout=120)
            assert not errors, errors
            assert check_invariants(lg.store) == []
            assert m.Transfer.objects.using(alias).count() > 0
        finally:
            connections[alias].close()
            del connections.settings[alias]
