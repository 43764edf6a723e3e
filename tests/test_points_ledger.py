"""The points ledger core (pure Python, in-memory store): each rule, the worked lot example,
and a property-based run of random operations with the invariants checked after every step."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from nomadcloud.points.ledger import (
    AccountFlags,
    Asset,
    ExpiryRule,
    HoldStatus,
    Kind,
    Ledger,
    LedgerError,
    MemoryStore,
    Reason,
    Status,
    SystemRole,
    TransferRequest,
    check_invariants,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)
LOTS = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.LOTS


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def ledger(clock: Clock) -> Ledger:
    lg = Ledger(MemoryStore(), clock)
    lg.create_asset(Asset("PTS", scale=2, max_amount=1_000_000, expiry=ExpiryRule(days=30)))
    lg.create_asset(Asset("WU", scale=0, shards=4))
    lg.open_account("ann:PTS", "PTS", "ann", LOTS)
    lg.open_account("bob:PTS", "PTS", "bob", LOTS)
    lg.open_account("shop:PTS", "PTS", "shop")
    lg.open_account("ann:WU", "WU", "ann", LOTS)
    return lg


def issue(lg: Ledger, tid: str, to: str, amount: int, **kw: object) -> None:
    asset = lg.account(to).asset  # type: ignore[union-attr]
    src = lg.system_account(SystemRole.ISSUANCE, asset, to)
    result = lg.transfer(tid, src, to, amount, **kw)
    assert result.status == Status.CREATED, result


def bal(lg: Ledger, account: str) -> int:
    a = lg.account(account)
    assert a is not None
    return a.balance


def snapshot(lg: Ledger) -> tuple[object, ...]:
    s = lg.store
    assert isinstance(s, MemoryStore)
    return (
        sorted(
            (a.id, a.debits_pending, a.debits_posted, a.credits_pending, a.credits_posted)
            for a in s.accounts.values()
        ),
        len(s.transfers),
        len(s.entries),
        sorted((lot.id, lot.remaining) for lot in s.lots.values()),
        sorted((h.id, h.status) for h in s.holds.values()),
        dict(s.reversed),
    )


def assert_ok(lg: Ledger) -> None:
    violations = check_invariants(lg.store)
    assert not violations, [str(v) for v in violations]


# ---- definitions ------------------------------------------------------------------------


def test_assets_and_accounts_are_idempotent_and_validated(ledger: Ledger) -> None:
    ledger.create_asset(Asset("WU", scale=0, shards=4))
    with pytest.raises(LedgerError) as e:
        ledger.create_asset(Asset("WU", scale=1, shards=4))
    assert e.value.reason == Reason.ASSET_EXISTS_WITH_DIFFERENT_FIELDS
    ledger.open_account("ann:PTS", "PTS", "ann", LOTS)
    with pytest.raises(LedgerError) as e:
        ledger.open_account("ann:PTS", "PTS", "ann")
    assert e.value.reason == Reason.ACCOUNT_EXISTS_WITH_DIFFERENT_FIELDS
    with pytest.raises(LedgerError) as e:
        ledger.open_account("x", "PTS", "x", AccountFlags.LOTS)
    assert e.value.reason == Reason.ACCOUNT_FLAGS_INVALID
    with pytest.raises(LedgerError) as e:
        ledger.open_account("x", "NOPE", "x")
    assert e.value.reason == Reason.ASSET_UNKNOWN
    with pytest.raises(LedgerError) as e:
        ledger.open_account("issuance:PTS:0", "PTS", "x")
    assert e.value.reason == Reason.ACCOUNT_ID_INVALID
    assert Asset("PTS", scale=2).format(1050) == "10.50"
    assert Asset("PTS", scale=2).format(-5) == "-0.05"


def test_system_accounts_are_sharded(ledger: Ledger) -> None:
    shards = {ledger.system_account(SystemRole.ISSUANCE, "PTS", f"n{i}") for i in range(100)}
    assert len(shards) == 8
    assert ledger.system_account(SystemRole.ISSUANCE, "PTS", "n1") == ledger.system_account(
        SystemRole.ISSUANCE, "PTS", "n1"
    )
    for i in range(20):
        ledger.open_account(f"n{i}", "PTS", f"n{i}", LOTS)
        issue(ledger, f"i{i}", f"n{i}", 10)
    assert ledger.system_balance(SystemRole.ISSUANCE, "PTS") == -200
    assert_ok(ledger)


# ---- transfers --------------------------------------------------------------------------


def test_transfer_moves_value_and_records_entries(ledger: Ledger) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    r = ledger.transfer("pay1", "ann:PTS", "shop:PTS", 200, code="payment")
    assert r.status == Status.CREATED and r.transfer is not None
    assert r.transfer.asset == "PTS" and r.transfer.code == "payment"
    assert (bal(ledger, "ann:PTS"), bal(ledger, "shop:PTS")) == (300, 200)
    assert [t.id for t in ledger.history("ann:PTS")] == ["i1", "pay1"]
    assert_ok(ledger)


def test_retry_same_fields_returns_original(ledger: Ledger, clock: Clock) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    first = ledger.transfer("pay1", "ann:PTS", "shop:PTS", 200)
    clock.advance(seconds=5)
    again = ledger.transfer("pay1", "ann:PTS", "shop:PTS", 200)
    assert again.status == Status.EXISTS and again.transfer == first.transfer
    assert bal(ledger, "ann:PTS") == 300
    assert_ok(ledger)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"amount": 201}, "amount"),
        ({"credit_account": "bob:PTS"}, "credit_account"),
        ({"code": "other"}, "code"),
        ({"linked": True}, "linked"),
    ],
)
def test_retry_with_different_field_is_refused_naming_it(
    ledger: Ledger, changes: dict[str, object], field: str
) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    ledger.transfer("pay1", "ann:PTS", "shop:PTS", 200)
    before = snapshot(ledger)
    base = {"debit_account": "ann:PTS", "credit_account": "shop:PTS", "amount": 200}
    request = TransferRequest("pay1", **{**base, **changes})  # type: ignore[arg-type]
    results = ledger.submit(
        [request, TransferRequest("end", amount=1)] if changes.get("linked") else [request]
    )
    assert results[0].reason in (Reason.EXISTS_WITH_DIFFERENT_FIELDS, Reason.LINKED_EVENT_FAILED)
    if results[0].reason == Reason.EXISTS_WITH_DIFFERENT_FIELDS:
        assert results[0].field == field
    assert snapshot(ledger) == before


@pytest.mark.parametrize(
    ("debit", "credit", "amount", "reason"),
    [
        ("ann:PTS", "shop:PTS", 0, Reason.AMOUNT_NOT_POSITIVE),
        ("ann:PTS", "shop:PTS", -5, Reason.AMOUNT_NOT_POSITIVE),
        ("ann:PTS", "shop:PTS", None, Reason.AMOUNT_MISSING),
        ("ann:PTS", "shop:PTS", 1.5, Reason.AMOUNT_NOT_INTEGER),
        ("ann:PTS", "shop:PTS", True, Reason.AMOUNT_NOT_INTEGER),
        ("ann:PTS", "shop:PTS", 1_000_001, Reason.AMOUNT_TOO_LARGE),
        ("nobody", "shop:PTS", 10, Reason.DEBIT_ACCOUNT_UNKNOWN),
        ("ann:PTS", "nobody", 10, Reason.CREDIT_ACCOUNT_UNKNOWN),
        ("ann:PTS", "ann:PTS", 10, Reason.ACCOUNTS_SAME),
        ("ann:PTS", "ann:WU", 10, Reason.ASSET_MISMATCH),
        ("ann:PTS", "shop:PTS", 501, Reason.INSUFFICIENT_FUNDS),
    ],
)
def test_bad_transfers_are_refused_and_change_nothing(
    ledger: Ledger, debit: str, credit: str, amount: object, reason: Reason
) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    before = snapshot(ledger)
    r = ledger.submit([TransferRequest("bad", Kind.TRANSFER, debit, credit, amount)])[0]  # type: ignore[arg-type]
    assert (r.status, r.reason) == (Status.REFUSED, reason)
    assert snapshot(ledger) == before
    # the id was not consumed: a corrected request succeeds
    assert ledger.transfer("bad", "ann:PTS", "shop:PTS", 5).status == Status.CREATED


def test_other_refusals(ledger: Ledger) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    sub = ledger.submit
    assert sub([TransferRequest("", amount=1)])[0].reason == Reason.ID_INVALID
    assert sub([TransferRequest("a b", amount=1)])[0].reason == Reason.ID_INVALID
    r = sub([TransferRequest("x", Kind.EXPIRE_LOT, "ann:PTS", "shop:PTS", 1)])[0]
    assert r.reason == Reason.KIND_INVALID
    r = sub([TransferRequest("x", Kind.TRANSFER, "ann:PTS", "shop:PTS", 1, asset="WU")])[0]
    assert (r.reason, r.field) == (Reason.ASSET_MISMATCH, "asset")
    r = sub([TransferRequest("x", Kind.TRANSFER, "ann:PTS", "shop:PTS", 1, pending_id="p")])[0]
    assert (r.reason, r.field) == (Reason.FIELD_NOT_ALLOWED, "pending_id")
    r = sub([TransferRequest("x", Kind.TRANSFER, "ann:PTS", "shop:PTS", 1, timeout=5)])[0]
    assert (r.reason, r.field) == (Reason.FIELD_NOT_ALLOWED, "timeout")
    r = sub([TransferRequest("x", Kind.HOLD, "ann:PTS", "shop:PTS", 1, timeout=-1)])[0]
    assert r.reason == Reason.TIMEOUT_INVALID
    r = sub([TransferRequest("x", Kind.TRANSFER, "ann:PTS", "shop:PTS", 1,
                             lot_expires_at=datetime(2020, 1, 1))])[0]  # fmt: skip
    assert r.reason == Reason.EXPIRES_AT_INVALID
    r = sub([TransferRequest("x", Kind.TRANSFER, "ann:PTS", "shop:PTS", 1, linked=True)])[0]
    assert r.reason == Reason.LINKED_CHAIN_OPEN
    small = Ledger(MemoryStore(), max_batch=1)
    assert small.submit([TransferRequest("a"), TransferRequest("b")])[0].reason == (
        Reason.BATCH_TOO_LARGE
    )
    assert_ok(ledger)


def test_account_limits(ledger: Ledger) -> None:
    ledger.open_account("cap", "PTS", "programme", AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS)
    ledger.open_account("free", "PTS", "x", AccountFlags.NONE)
    ledger.open_account("closed", "PTS", "x", AccountFlags.CLOSED)
    assert ledger.transfer("t1", "free", "cap", 1).reason == Reason.CREDIT_LIMIT_EXCEEDED
    assert ledger.transfer("t2", "cap", "free", 50).status == Status.CREATED
    assert ledger.transfer("t3", "free", "cap", 50).status == Status.CREATED
    assert ledger.transfer("t4", "free", "cap", 1).reason == Reason.CREDIT_LIMIT_EXCEEDED
    assert ledger.transfer("t5", "free", "shop:PTS", 10).status == Status.CREATED
    assert bal(ledger, "free") == -10  # unconstrained accounts may go negative
    r = ledger.transfer("t6", "free", "closed", 1)
    assert (r.reason, r.field) == (Reason.ACCOUNT_CLOSED, "credit_account")
    assert_ok(ledger)


# ---- linked transfers -------------------------------------------------------------------


def exchange(lg: Ledger, tid: str, wu: int, pts: int) -> list[TransferRequest]:
    """An exchange as one linked chain: work units in, points out."""
    return [
        TransferRequest(f"{tid}/wu", Kind.TRANSFER, "ann:WU",
                        lg.system_account(SystemRole.EXCHANGE, "WU", "ann:WU"), wu, linked=True),
        TransferRequest(f"{tid}/pts", Kind.TRANSFER,
                        lg.system_account(SystemRole.EXCHANGE, "PTS", "ann:PTS"), "ann:PTS", pts),
    ]  # fmt: skip


def test_linked_chain_applies_all_or_none(ledger: Ledger) -> None:
    issue(ledger, "w1", "ann:WU", 10)
    before = snapshot(ledger)
    results = ledger.submit(exchange(ledger, "x1", 11, 1100))
    assert [r.reason for r in results] == [Reason.INSUFFICIENT_FUNDS, Reason.LINKED_EVENT_FAILED]
    assert snapshot(ledger) == before
    results = ledger.submit(exchange(ledger, "x2", 10, 1000))
    assert [r.status for r in results] == [Status.CREATED, Status.CREATED]
    assert (bal(ledger, "ann:WU"), bal(ledger, "ann:PTS")) == (0, 1000)
    # the retry of the whole chain returns the originals
    assert [r.status for r in ledger.submit(exchange(ledger, "x2", 10, 1000))] == [
        Status.EXISTS
    ] * 2
    # a chain mixing an applied transfer and a new one is refused
    mixed = [*exchange(ledger, "x2", 10, 1000)[:1], exchange(ledger, "x3", 1, 1)[1]]
    assert [r.reason for r in ledger.submit(mixed)] == [
        Reason.LINKED_EVENT_FAILED, Reason.LINKED_CHAIN_MISMATCH]  # fmt: skip
    # a later failure undoes earlier effects within the chain
    chain = [
        TransferRequest("c1", Kind.TRANSFER, "ann:PTS", "bob:PTS", 600, linked=True),
        TransferRequest("c2", Kind.TRANSFER, "ann:PTS", "bob:PTS", 600),
    ]
    assert [r.reason for r in ledger.submit(chain)] == [
        Reason.LINKED_EVENT_FAILED, Reason.INSUFFICIENT_FUNDS]  # fmt: skip
    assert bal(ledger, "bob:PTS") == 0
    assert_ok(ledger)


def test_unlinked_requests_in_a_batch_are_independent(ledger: Ledger) -> None:
    issue(ledger, "i1", "ann:PTS", 100)
    results = ledger.submit([
        TransferRequest("a", Kind.TRANSFER, "ann:PTS", "shop:PTS", 80),
        TransferRequest("b", Kind.TRANSFER, "ann:PTS", "shop:PTS", 80),
        TransferRequest("a", Kind.TRANSFER, "ann:PTS", "shop:PTS", 80),
    ])  # fmt: skip
    assert [r.status for r in results] == [Status.CREATED, Status.REFUSED, Status.EXISTS]
    assert results[1].reason == Reason.INSUFFICIENT_FUNDS
    assert_ok(ledger)


# ---- holds ------------------------------------------------------------------------------


def test_hold_then_partial_post(ledger: Ledger) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    assert ledger.hold("h1", "ann:PTS", "shop:PTS", 300, timeout=600).status == Status.CREATED
    ann = ledger.account("ann:PTS")
    assert ann is not None and (ann.balance, ann.available) == (500, 200)
    assert ledger.transfer("t", "ann:PTS", "bob:PTS", 201).reason == Reason.INSUFFICIENT_FUNDS
    assert ledger.post("p1", "h1", 999).reason == Reason.PENDING_AMOUNT_EXCEEDED
    assert ledger.post("p1", "h1", 120).status == Status.CREATED
    assert (bal(ledger, "ann:PTS"), bal(ledger, "shop:PTS")) == (380, 120)
    assert ledger.account("ann:PTS").debits_pending == 0  # type: ignore[union-attr]
    assert ledger.post("p2", "h1").reason == Reason.PENDING_ALREADY_POSTED
    assert ledger.void("v1", "h1").reason == Reason.PENDING_ALREADY_POSTED  # void after post
    assert ledger.post("p1", "h1", 120).status == Status.EXISTS
    assert_ok(ledger)


def test_void_then_post_refused(ledger: Ledger) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    ledger.hold("h1", "ann:PTS", "shop:PTS", 300)
    r = ledger.submit([TransferRequest("v0", Kind.VOID, pending_id="h1", amount=5)])[0]
    assert r.reason == Reason.AMOUNT_NOT_ALLOWED
    assert ledger.void("v1", "h1").status == Status.CREATED
    assert ledger.post("p1", "h1").reason == Reason.PENDING_ALREADY_VOIDED
    assert ledger.void("v2", "h1").reason == Reason.PENDING_ALREADY_VOIDED
    assert ledger.post("p2", "nope").reason == Reason.PENDING_NOT_FOUND
    assert ledger.post("p3", "").reason == Reason.PENDING_ID_MISSING
    assert bal(ledger, "ann:PTS") == 500 and ledger.account("ann:PTS").available == 500  # type: ignore[union-attr]
    assert sum(lot.remaining for lot in ledger.lots("ann:PTS")) == 500
    assert_ok(ledger)


def test_hold_timeout(ledger: Ledger, clock: Clock) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    ledger.hold("h1", "ann:PTS", "shop:PTS", 300, timeout=60)
    clock.advance(seconds=61)
    assert ledger.post("p1", "h1").reason == Reason.PENDING_EXPIRED  # before the sweep, too
    results = ledger.expire_holds()
    assert [(r.status, r.transfer.kind) for r in results] == [  # type: ignore[union-attr]
        (Status.CREATED, Kind.EXPIRE_PENDING)
    ]
    assert ledger.store.get_holds(["h1"])["h1"].status == HoldStatus.EXPIRED
    assert ledger.post("p1", "h1").reason == Reason.PENDING_EXPIRED
    assert ledger.void("v1", "h1").reason == Reason.PENDING_EXPIRED
    assert ledger.expire_holds() == []
    assert ledger.account("ann:PTS").available == 500  # type: ignore[union-attr]
    assert_ok(ledger)


def test_hold_and_post_in_one_batch(ledger: Ledger) -> None:
    issue(ledger, "i1", "ann:PTS", 500)
    results = ledger.submit([
        TransferRequest("h", Kind.HOLD, "ann:PTS", "shop:PTS", 100),
        TransferRequest("p", Kind.POST, pending_id="h", amount=40),
        TransferRequest("r", Kind.REVERSAL, reverses="p", amount=10),
    ])  # fmt: skip
    assert [r.status for r in results] == [Status.CREATED] * 3
    assert (bal(ledger, "ann:PTS"), bal(ledger, "shop:PTS")) == (470, 30)
    assert_ok(ledger)


# ---- reversals --------------------------------------------------------------------------


def test_refund_in_parts_restores_the_original_lots(ledger: Ledger, clock: Clock) -> None:
    issue(ledger, "a", "ann:PTS", 100)  # expires T0+30d
    clock.advance(days=1)
    issue(ledger, "b", "ann:PTS", 150)  # expires T0+31d
    ledger.transfer("pay", "ann:PTS", "shop:PTS", 120)  # all of a, 20 of b
    assert ledger.reverse("r1", "pay", 30).status == Status.CREATED  # 20 to b, 10 to a
    lots = {lot.id: lot.remaining for lot in ledger.lots("ann:PTS")}
    assert lots == {"a": 10, "b": 150}
    assert ledger.reverse("r2", "pay", 91).reason == Reason.REVERSAL_EXCEEDS_ORIGINAL
    assert ledger.reverse("r2", "pay").status == Status.CREATED  # the rest: 90
    assert {lot.id: lot.remaining for lot in ledger.lots("ann:PTS")} == {"a": 100, "b": 150}
    assert ledger.reverse("r3", "pay").reason == Reason.REVERSAL_EXCEEDS_ORIGINAL
    assert ledger.reverse("r4", "r1").reason == Reason.REVERSAL_TARGET_NOT_REVERSIBLE
    assert ledger.reverse("r5", "nope").reason == Reason.REVERSAL_TARGET_NOT_FOUND
    assert ledger.reverse("r6", "").reason == Reason.REVERSAL_TARGET_MISSING
    [history] = [[t.kind for t in ledger.history("shop:PTS")]]
    assert history == [Kind.TRANSFER, Kind.REVERSAL, Kind.REVERSAL]  # history never changes
    assert_ok(ledger)


def test_reversal_needs_funds_and_takes_the_original_lot_first(ledger: Ledger) -> None:
    issue(ledger, "a", "ann:PTS", 100)
    issue(ledger, "b", "ann:PTS", 100, lot_expires_at=T0 + timedelta(days=2))
    # reversing issuance "a" takes from lot a even though lot b expires sooner
    assert ledger.reverse("ra", "a", 60).status == Status.CREATED
    assert {lot.id: lot.remaining for lot in ledger.lots("ann:PTS")} == {"a": 40, "b": 100}
    ledger.transfer("pay", "ann:PTS", "shop:PTS", 140)
    ledger.transfer("out", "shop:PTS", "bob:PTS", 140)
    assert ledger.reverse("rp", "pay").reason == Reason.INSUFFICIENT_FUNDS
    assert_ok(ledger)


def test_reversing_a_hold_is_refused(ledger: Ledger) -> None:
    issue(ledger, "a", "ann:PTS", 100)
    ledger.hold("h", "ann:PTS", "shop:PTS", 10)
    assert ledger.reverse("r", "h").reason == Reason.REVERSAL_TARGET_NOT_REVERSIBLE


# ---- lots and expiry --------------------------------------------------------------------


def test_worked_example_fifo_lots(ledger: Ledger, clock: Clock) -> None:
    issue(ledger, "lot1", "ann:PTS", 100)
    clock.advance(hours=1)
    issue(ledger, "lot2", "ann:PTS", 150)
    assert ledger.transfer("spend", "ann:PTS", "shop:PTS", 120).status == Status.CREATED
    assert bal(ledger, "ann:PTS") == 130
    assert [(lot.id, lot.remaining) for lot in ledger.lots("ann:PTS")] == [("lot2", 130)]
    assert_ok(ledger)


def test_fifo_is_by_expiry_then_creation(ledger: Ledger, clock: Clock) -> None:
    issue(ledger, "late", "ann:PTS", 100, lot_expires_at=T0 + timedelta(days=90))
    issue(ledger, "never", "bob:PTS", 1)
    issue(ledger, "soon", "ann:PTS", 100, lot_expires_at=T0 + timedelta(days=5))
    issue(ledger, "soon2", "ann:PTS", 100, lot_expires_at=T0 + timedelta(days=5))
    ledger.transfer("spend", "ann:PTS", "shop:PTS", 150)
    assert [(lot.id, lot.remaining) for lot in ledger.lots("ann:PTS")] == [
        ("soon2", 50), ("late", 100)]  # fmt: skip


def test_expiry_run_and_statement(ledger: Ledger, clock: Clock) -> None:
    issue(ledger, "a", "ann:PTS", 100)  # T0 + 30d
    clock.advance(days=10)
    issue(ledger, "b", "ann:PTS", 150)  # T0 + 40d
    ledger.transfer("spend", "ann:PTS", "shop:PTS", 30)
    statement = [(line.expires_at, line.amount) for line in ledger.expiry_statement("ann:PTS")]
    assert statement == [(T0 + timedelta(days=30), 70), (T0 + timedelta(days=40), 150)]
    clock.now = T0 + timedelta(days=30)
    # expired but not yet swept: cannot be spent
    r = ledger.transfer("late", "ann:PTS", "shop:PTS", 200)
    assert r.reason == Reason.INSUFFICIENT_FUNDS_EXPIRED
    results = ledger.expire_lots()
    assert [(r.status, r.transfer.amount) for r in results] == [(Status.CREATED, 70)]  # type: ignore[union-attr]
    assert bal(ledger, "ann:PTS") == 150
    assert ledger.system_balance(SystemRole.EXPIRY, "PTS") == 70
    assert ledger.expire_lots() == []  # idempotent
    assert_ok(ledger)


def test_hold_reserves_lots_and_void_returns_to_expired_lot(ledger: Ledger, clock: Clock) -> None:
    issue(ledger, "a", "ann:PTS", 100)
    ledger.hold("h", "ann:PTS", "shop:PTS", 60)
    assert [(lot.id, lot.remaining) for lot in ledger.lots("ann:PTS")] == [("a", 40)]
    clock.advance(days=31)
    assert [r.transfer.amount for r in ledger.expire_lots()] == [40]  # type: ignore[union-attr]
    ledger.void("v", "h")  # the 60 return to lot a, which has expired
    assert bal(ledger, "ann:PTS") == 60 and ledger.account("ann:PTS").available == 60  # type: ignore[union-attr]
    assert [r.transfer.amount for r in ledger.expire_lots()] == [60]  # type: ignore[union-attr]
    assert bal(ledger, "ann:PTS") == 0
    assert_ok(ledger)


def test_expiry_rules() -> None:
    t = datetime(2026, 1, 31, 15, 30, tzinfo=UTC)
    assert ExpiryRule().expires_at(t) is None
    assert ExpiryRule(days=1).expires_at(t) == datetime(2026, 2, 1, 15, 30, tzinfo=UTC)
    assert ExpiryRule(months=1).expires_at(t) == datetime(2026, 2, 28, 15, 30, tzinfo=UTC)
    assert ExpiryRule(months=12, at_end_of="month").expires_at(t) == datetime(
        2027, 2, 1, tzinfo=UTC
    )
    assert ExpiryRule(at_end_of="year").expires_at(t) == datetime(2027, 1, 1, tzinfo=UTC)
    assert ExpiryRule(at_end_of="day").expires_at(t) == datetime(2026, 2, 1, tzinfo=UTC)


def test_pending_credit_to_lot_account_forms_lot_on_post(ledger: Ledger, clock: Clock) -> None:
    src = ledger.system_account(SystemRole.EXCHANGE, "PTS", "ann:PTS")
    ledger.hold("h", src, "ann:PTS", 100, lot_expires_at=T0 + timedelta(days=3))
    assert ledger.lots("ann:PTS") == []
    ledger.post("p", "h", 70)
    [lot] = ledger.lots("ann:PTS")
    assert (lot.id, lot.remaining, lot.expires_at) == ("p", 70, T0 + timedelta(days=3))
    assert_ok(ledger)


def test_invariant_checker_detects_corruption(ledger: Ledger) -> None:
    issue(ledger, "a", "ann:PTS", 100)
    store = ledger.store
    assert isinstance(store, MemoryStore)
    store.accounts["ann:PTS"].credits_posted += 1
    rules = {v.rule for v in check_invariants(store)}
    assert {"conservation", "entries_sum", "lots_balance"} <= rules


# ---- property-based ---------------------------------------------------------------------

HOLDERS = ["ann", "bob", "cat"]
MERCHANTS = ["shop", "cafe"]


class LedgerMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.clock = Clock()
        self.lg = Ledger(MemoryStore(), self.clock)
        self.lg.create_asset(Asset("PTS", expiry=ExpiryRule(days=10), shards=3))
        for h in HOLDERS:
            self.lg.open_account(f"{h}:PTS", "PTS", h, LOTS)
        for m in MERCHANTS:
            self.lg.open_account(f"{m}:PTS", "PTS", m)
        self.n = 0
        self.sent: list[TransferRequest] = []
        self.created: list[str] = []
        self.applied: list[TransferRequest] = []
        self.holds: list[str] = []
        for h in HOLDERS:  # a start: a lot that never expires and one that does
            to = f"{h}:PTS"
            src = self.lg.system_account(SystemRole.ISSUANCE, "PTS", to)
            self._submit([TransferRequest(f"seed-{h}", Kind.TRANSFER, src, to, 300),
                          TransferRequest(f"seed2-{h}", Kind.TRANSFER, src, to, 300,
                                          lot_expires_at=T0 + timedelta(days=3))])  # fmt: skip

    def _id(self) -> str:
        self.n += 1
        return f"t{self.n}"

    def _submit(self, requests: list[TransferRequest]) -> None:
        before = snapshot(self.lg)
        results = self.lg.submit(requests)
        assert len(results) == len(requests)
        self.sent.extend(requests)
        if all(r.status == Status.REFUSED for r in results):
            assert snapshot(self.lg) == before, results
        for req, res in zip(requests, results, strict=True):
            if res.status == Status.CREATED:
                self.created.append(req.id)
                self.applied.append(req)
                if req.kind == Kind.HOLD:
                    self.holds.append(req.id)

    @rule(
        h=st.sampled_from(HOLDERS), amount=st.integers(1, 200), days=st.none() | st.integers(1, 20)
    )
    def issue_points(self, h: str, amount: int, days: int | None) -> None:
        to = f"{h}:PTS"
        src = self.lg.system_account(SystemRole.ISSUANCE, "PTS", to)
        exp = self.clock.now + timedelta(days=days) if days else None
        self._submit([TransferRequest(self._id(), Kind.TRANSFER, src, to, amount,
                                      lot_expires_at=exp)])  # fmt: skip

    @rule(a=st.sampled_from(HOLDERS + MERCHANTS), b=st.sampled_from(HOLDERS + MERCHANTS),
          amount=st.integers(-5, 120))  # fmt: skip
    def transfer(self, a: str, b: str, amount: int) -> None:
        self._submit([TransferRequest(self._id(), Kind.TRANSFER, f"{a}:PTS", f"{b}:PTS", amount)])

    @rule(a=st.sampled_from(HOLDERS), m=st.sampled_from(MERCHANTS), amount=st.integers(1, 150),
          timeout=st.integers(0, 3600))  # fmt: skip
    def hold(self, a: str, m: str, amount: int, timeout: int) -> None:
        self._submit([TransferRequest(self._id(), Kind.HOLD, f"{a}:PTS", f"{m}:PTS", amount,
                                      timeout=timeout)])  # fmt: skip

    @rule(data=st.data(), partial=st.none() | st.integers(1, 150))
    def post(self, data: st.DataObject, partial: int | None) -> None:
        if self.holds:
            h = data.draw(st.sampled_from(self.holds))
            self._submit([TransferRequest(self._id(), Kind.POST, pending_id=h, amount=partial)])

    @rule(data=st.data())
    def void(self, data: st.DataObject) -> None:
        if self.holds:
            h = data.draw(st.sampled_from(self.holds))
            self._submit([TransferRequest(self._id(), Kind.VOID, pending_id=h)])

    @rule(data=st.data(), amount=st.none() | st.integers(1, 100))
    def reverse(self, data: st.DataObject, amount: int | None) -> None:
        if self.created:
            target = data.draw(st.sampled_from(self.created))
            self._submit([TransferRequest(self._id(), Kind.REVERSAL, reverses=target,
                                          amount=amount)])  # fmt: skip

    @rule(a=st.sampled_from(HOLDERS), b=st.sampled_from(HOLDERS + MERCHANTS),
          x=st.integers(1, 150), y=st.integers(1, 150))  # fmt: skip
    def linked(self, a: str, b: str, x: int, y: int) -> None:
        self._submit([
            TransferRequest(self._id(), Kind.TRANSFER, f"{a}:PTS", f"{b}:PTS", x, linked=True),
            TransferRequest(self._id(), Kind.TRANSFER, f"{b}:PTS", f"{a}:PTS", y, linked=True),
            TransferRequest(self._id(), Kind.TRANSFER, f"{a}:PTS", f"{b}:PTS", x),
        ])  # fmt: skip

    @rule(data=st.data(), change=st.booleans(), of_applied=st.booleans())
    def retry(self, data: st.DataObject, change: bool, of_applied: bool) -> None:
        pool = self.applied if of_applied and self.applied else self.sent
        if not pool:
            return
        original = data.draw(st.sampled_from(pool))
        applied = self.lg.store.get_transfers([original.id]).get(original.id)
        request = original
        if change:
            request = TransferRequest(original.id, original.kind, original.debit_account,
                                      original.credit_account, (original.amount or 0) + 1,
                                      pending_id=original.pending_id, reverses=original.reverses,
                                      linked=False, code="changed")  # fmt: skip
        before = snapshot(self.lg)
        result = self.lg.submit([request])[0]
        if request.linked:  # a chain member sent alone: the chain has no end
            assert result.reason == Reason.LINKED_CHAIN_OPEN
            assert snapshot(self.lg) == before
        elif applied is not None:
            assert result.status in (Status.EXISTS, Status.REFUSED)
            if result.status == Status.EXISTS:
                assert result.transfer == applied
            else:
                assert result.reason == Reason.EXISTS_WITH_DIFFERENT_FIELDS
            assert snapshot(self.lg) == before
        elif result.status == Status.CREATED:
            self.created.append(request.id)
            self.applied.append(request)
            if request.kind == Kind.HOLD:
                self.holds.append(request.id)

    @rule(minutes=st.integers(1, 60 * 24 * 6))
    def advance_and_expire(self, minutes: int) -> None:
        self.clock.advance(minutes=minutes)
        for r in self.lg.expire_holds() + self.lg.expire_lots():
            assert r.status == Status.CREATED
        assert self.lg.store.due_lots(self.clock.now, 10) == []

    @invariant()
    def invariants_hold(self) -> None:
        assert_ok(self.lg)


LedgerMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
test_ledger_properties = LedgerMachine.TestCase
