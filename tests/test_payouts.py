"""Money out (docs/payouts.md): budgets, commitments under a row lock, the payout state
machine with the fake bank, the double-entry ledger that explains every balance, and the
refusals that change nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum
from django.utils import translation

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.errors import Conflict, DomainError, InvalidInput
from nomadcloud.payouts import adapters, events, services, transitions
from nomadcloud.payouts.models import Budget, Commitment, MoneyEntry, Payout, PayoutEvent
from tests.builders.payouts import approved, budget, committed, paid
from tests.conftest import database_fingerprint, make_person

S = Payout.Status


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


@pytest.fixture
def owner(db: None) -> Organisation:
    return Organisation.objects.create(
        kind=Organisation.Kind.DEPARTMENT, name_zh="市科工信局", code="kegongxin-test"
    )


def assert_ledger_explains(b: Budget) -> None:
    """Every transfer sums to zero, and the ledger's balances are the budget's columns."""
    b.refresh_from_db()
    for total in MoneyEntry.objects.values("transfer").annotate(s=Sum("amount")):
        assert total["s"] == 0
    balances = services.balances(b)
    assert balances["available"] == b.available
    assert balances["committed"] == b.committed
    assert balances["in_flight"] == b.in_flight
    assert balances["paid"] == b.paid
    assert -balances["funding"] == b.amount
    assert b.available + b.committed + b.in_flight + b.paid == b.amount


def test_commitments_reserve_money_and_refuse_beyond_the_budget(owner: Organisation) -> None:
    b = budget(owner, "1000.00")
    assert services.available(b) == Decimal("1000.00")
    c = committed(b, "600.00")
    assert c.status == Commitment.Status.ACTIVE
    assert services.available(b) == Decimal("400.00")
    before = database_fingerprint(["payouts"])
    with pytest.raises(services.BudgetExceeded) as caught:
        committed(b, "400.01", subject="v-2")
    assert caught.value.code == "budget_exceeded"
    assert caught.value.available == Decimal("400.00")
    assert caught.value.fields == {"amount": ["The budget has only ¥400.00 left."]}
    assert database_fingerprint(["payouts"]) == before
    committed(b, "400.00", subject="v-2")
    assert services.available(b) == Decimal("0.00")
    assert_ledger_explains(b)


def test_release_gives_money_back(owner: Organisation) -> None:
    b = budget(owner)
    c = committed(b, "300.00")
    c = services.release(c, amount=Decimal("100.00"), actor=None, reason="smaller voucher")
    assert (c.remaining, c.status) == (Decimal("200.00"), Commitment.Status.ACTIVE)
    with pytest.raises(Conflict) as caught:
        services.release(c, amount=Decimal("200.01"), actor=None, reason="x")
    assert caught.value.code == "commitment_exceeded"
    c = services.release(c, actor=None, reason="voucher expired")
    assert (c.remaining, c.status) == (Decimal("0.00"), Commitment.Status.RELEASED)
    with pytest.raises(Conflict) as caught:
        services.release(c, actor=None, reason="again")
    assert caught.value.code == "nothing_to_release"
    assert services.available(b) == Decimal("1000.00")
    assert_ledger_explains(b)


def test_a_payout_is_paid_only_when_confirmed_against_the_bank_reference(
    owner: Organisation,
) -> None:
    officer = make_person("Fiona", "fiona@example.com")
    seen: list[events.PayoutChanged] = []
    events.payout_confirmed.connect(seen.append, uid="test.confirmed")
    try:
        b = budget(owner)
        c = committed(b, "300.00")
        payout = approved(c, "300.00", actor=officer)
        c.refresh_from_db()
        assert c.status == Commitment.Status.CONSUMED
        b.refresh_from_db()
        assert (b.committed, b.in_flight, b.paid) == (0, Decimal("300.00"), 0)
        assert services.available(b) == Decimal("700.00")

        payout = services.schedule(payout, actor=officer)
        assert payout.status == S.SCHEDULED
        adapters.FakeBank.sent.clear()
        payout = services.send(payout, actor=officer)
        assert payout.status == S.PAYING
        assert payout.bank_order.startswith("FAKE-")
        assert [o.payout_id for o in adapters.FakeBank.sent] == [str(payout.public_id)]
        with pytest.raises(InvalidInput) as invalid:
            services.mark_paid(payout, external_reference="  ")
        assert invalid.value.fields == {"external_reference": ["This field is required."]}
        payout = services.mark_paid(payout, external_reference="BOC-20261206-0001")
        assert payout.status == S.PAID
        assert "paid" not in str(S.PAID.label).lower().split(",")[0]  # "Reported by the bank…"
        b.refresh_from_db()
        assert b.paid == 0  # not paid until confirmed
        assert seen == []

        payout = services.confirm(payout, actor=officer)
        assert payout.status == S.CONFIRMED
        assert (payout.confirmed_by, payout.external_reference) == (officer, "BOC-20261206-0001")
        b.refresh_from_db()
        assert (b.committed, b.in_flight, b.paid) == (0, 0, Decimal("300.00"))
        assert services.available(b) == Decimal("700.00")
        assert [(e.subject_kind, e.subject_id, e.amount) for e in seen] == [
            ("example.grant", "v-1", Decimal("300.00"))
        ]
        assert list(payout.events.values_list("action", flat=True)) == [
            "approve",
            "schedule",
            "send",
            "bank_accepted",
            "mark_paid",
            "confirm",
        ]
        assert_ledger_explains(b)
    finally:
        events.payout_confirmed.disconnect("test.confirmed")


def test_confirm_refuses_without_a_reference_and_moves_follow_the_table(
    owner: Organisation,
) -> None:
    officer = make_person("Fiona", "fiona@example.com")
    b = budget(owner)
    payout = approved(committed(b))
    before = database_fingerprint(["payouts"])
    with pytest.raises(Conflict) as caught:
        services.confirm(payout, actor=officer)
    assert caught.value.code == "invalid_transition"
    with pytest.raises(Conflict) as caught:
        services.send(payout, actor=officer)  # not scheduled yet
    assert caught.value.code == "invalid_transition"
    assert database_fingerprint(["payouts"]) == before

    Payout.objects.filter(pk=payout.pk).update(status=S.PAID)  # as if the reference were lost
    with pytest.raises(Conflict) as caught:
        services.confirm(payout, actor=officer)
    assert caught.value.code == "reference_missing"
    assert transitions.moves(S.APPROVED) == ["schedule", "reverse"]
    assert transitions.moves(S.PAID) == ["confirm", "fail"]
    assert transitions.moves(S.CONFIRMED) == []


def test_a_rejected_payment_fails_visibly_and_is_retried_or_reversed(owner: Organisation) -> None:
    b = budget(owner)
    c = committed(b, "300.00")
    payout = approved(c, "120.00", payee="reject-closed-account")
    services.schedule(payout, actor=None)
    payout = services.send(payout, actor=None)
    assert payout.status == S.FAILED
    assert payout.last_error == "FAKE-BANK: payee account closed"
    b.refresh_from_db()
    assert b.in_flight == Decimal("120.00")  # still reserved for the payout
    payout = services.retry(payout, actor=None, reason="bank asked to resend")
    assert (payout.status, payout.last_error) == (S.RETRIED, "")
    payout = services.send(payout, actor=None)
    assert (payout.status, payout.attempts) == (S.FAILED, 2)

    payout = services.reverse(payout, actor=None, reason="payee gave a wrong account")
    assert payout.status == S.REVERSED
    c.refresh_from_db()
    assert (c.remaining, c.status) == (Decimal("300.00"), Commitment.Status.ACTIVE)
    b.refresh_from_db()
    assert (b.committed, b.in_flight) == (Decimal("300.00"), 0)
    assert_ledger_explains(b)


def test_a_bank_outage_is_a_retryable_failure(owner: Organisation, settings: object) -> None:
    settings.PAYMENT_ADAPTER = "tests.test_payouts.BrokenBank"  # type: ignore[attr-defined]
    payout = approved(committed(budget(owner)))
    services.schedule(payout, actor=None)
    payout = services.send(payout, actor=None)
    assert payout.status == S.FAILED
    assert payout.last_error == "ConnectionError: bank unreachable"
    assert "retry" in transitions.moves(payout.status)


class BrokenBank:
    def send(self, order: adapters.PaymentOrder) -> adapters.SendResult:
        raise ConnectionError("bank unreachable")


def test_a_payout_never_exceeds_its_commitment(owner: Organisation) -> None:
    b = budget(owner)
    c = committed(b, "100.00")
    approved(c, "60.00")
    before = database_fingerprint(["payouts"])
    with pytest.raises(Conflict) as caught:
        approved(c, "40.01")
    assert caught.value.code == "commitment_exceeded"
    assert database_fingerprint(["payouts"]) == before
    paid_one = paid(c, "40.00")
    assert paid_one.status == S.PAID
    assert_ledger_explains(b)


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("0", "The amount must be more than zero."),
        ("-5.00", "The amount must be more than zero."),
        (Decimal("1.005"), "Give at most two decimal places."),
        (1.5, "Write the number as a string"),
    ],
)
def test_amounts_are_exact(owner: Organisation, amount: object, message: str) -> None:
    b = budget(owner)
    with pytest.raises(InvalidInput) as caught:
        services.commit(
            b,
            subject_kind="k",
            subject_id="s",
            amount=amount,
            actor=None,
            reason="",  # type: ignore[arg-type]
        )
    assert caught.value.fields["amount"][0].startswith(message)


def test_budgets_are_unique_per_programme_and_year(owner: Organisation) -> None:
    budget(owner)
    with pytest.raises(DomainError) as caught:
        budget(owner)
    assert caught.value.code == "budget_exists"
    assert budget(owner, year=2027).year == 2027


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; threads need PostgreSQL here")


@pytest.mark.django_db(transaction=True)
def test_parallel_commitments_never_exceed_the_budget(postgres_only: None) -> None:
    """Eight commitments of ¥30 at the same moment against ¥100: three succeed."""
    owner = Organisation.objects.create(kind=Organisation.Kind.PUBLIC_UNIT, name_zh="洋浦国际")
    b = budget(owner, "100.00")
    barrier = threading.Barrier(8)
    refused: list[Decimal] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            committed(b, "30.00", subject=f"v-{n}")
        except services.BudgetExceeded as exc:
            refused.append(exc.available)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert Commitment.objects.filter(budget=b).count() == 3
    assert sorted(refused) == [Decimal("10.00")] * 5
    assert services.available(b) == Decimal("10.00")
    assert_ledger_explains(b)
    assert PayoutEvent.objects.count() == 0
