"""Merchants in scenarios and their daily settlement (points/merchants/services/registry.py,
settlement.py): registration by the zone operator, settlement rates that never change a
statement, statements per merchant, asset and zone day with their one ledger transfer,
refunds before and after settlement, catching up missed days, the ``points_settle``
command and the CSV."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book.store import DatabaseStore
from nomadcloud.points.ledger import Asset, SystemRole, check_invariants
from nomadcloud.points.merchants import queries as merchants_queries
from nomadcloud.points.merchants.services import payments, settlement
from nomadcloud.points.merchants.services import registry as merchants
from tests.builders.points_merchants import (
    SCENARIO,
    acme_merchant,
    as_,
    code_for,
    dining,
    fund,
    merchant_org,
    scenario,
    zp,
)
from tests.conftest import World, make_person

ZP = book.ZONE_POINTS


def at_noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=settlement.zone())


def pay(w: World, amount: int, *, on: date | None = None) -> m.Payment:
    """A confirmed payment by Wendy at Acme, dated ``on`` (a zone day) when given."""
    merchant = acme_merchant(w)
    fund(w.wendy, amount)
    payment = payments.start_payment(
        principal=as_(w.olivia), merchant=merchant, code=code_for(w.wendy), amount=amount
    )
    payment = payments.confirm_payment(principal=as_(w.olivia), payment=payment)
    if on is not None:
        m.Payment.objects.filter(pk=payment.pk).update(
            created_at=at_noon(on), resolved_at=at_noon(on)
        )
        payment.refresh_from_db()
    return payment


def refund(w: World, payment: m.Payment, amount: int, *, on: date | None = None) -> m.Refund:
    row = payments.refund_payment(
        principal=as_(w.olivia), payment=payment, amount=amount, reason="退款"
    )
    if on is not None:
        m.Refund.objects.filter(pk=row.pk).update(created_at=at_noon(on))
        row.refresh_from_db()
    return row


def settlement_balance() -> int:
    return book.ledger().system_balance(SystemRole.SETTLEMENT, ZP)


def yesterday() -> date:
    return settlement.today() - timedelta(days=1)


# ---- registration ------------------------------------------------------------------------


def test_the_operator_registers_a_verified_merchant_into_a_scenario(world: World) -> None:
    owner = make_person("Mei Owner", "mei@example.com")
    org = merchant_org(owner, "Coconut Grove")
    merchant = merchants.register_merchant(
        principal=as_(world.oscar), organisation=org, scenario=scenario()
    )
    assert (merchant.scenario.code, merchant.active, merchant.registered_by) == (
        SCENARIO,
        True,
        world.oscar,
    )
    account = m.Account.objects.get(id=f"o:{org.public_id.hex}:{ZP}")
    assert account.debits_must_not_exceed_credits and not account.lots
    assert account.holder == f"o:{org.public_id.hex}"
    with pytest.raises(Conflict) as caught:
        merchants.register_merchant(principal=as_(world.oscar), organisation=org, scenario=dining())
    assert caught.value.code == "already_registered"
    assert merchant in merchants_queries.registry()
    assert org not in merchants_queries.unregistered_merchant_organisations()


def test_only_verified_merchant_organisations_are_registered_and_only_by_the_operator(
    world: World,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        merchants.register_merchant(
            principal=as_(world.oscar), organisation=world.globex, scenario=scenario()
        )
    assert caught.value.code == "not_a_merchant"
    unverified = merchant_org(make_person("U", "u@example.com"), "Unverified Shop")
    Organisation.objects.filter(pk=unverified.pk).update(verification_status="pending")
    unverified.refresh_from_db()
    with pytest.raises(InvalidInput) as caught:
        merchants.register_merchant(
            principal=as_(world.oscar), organisation=unverified, scenario=scenario()
        )
    assert caught.value.code == "not_verified"
    verified = merchant_org(make_person("V", "v@example.com"), "Verified Shop")
    with pytest.raises(Forbidden):
        merchants.register_merchant(
            principal=as_(world.olivia), organisation=verified, scenario=scenario()
        )
    assert m.Merchant.objects.count() == 0


def test_moving_a_merchant_to_a_scenario_with_other_points_opens_that_account(
    world: World,
) -> None:
    merchant = acme_merchant(world)
    book.ledger().create_asset(Asset("S-FERRY", scale=2, max_amount=10**9))
    ferry = m.Scenario.objects.create(
        code="ferry", name_zh="渡轮", name_en="Ferry", category="transport", asset_id="S-FERRY"
    )
    merchant = merchants.update_merchant(
        principal=as_(world.oscar), merchant=merchant, scenario=ferry
    )
    assert merchant.scenario == ferry
    assert m.Account.objects.filter(id=f"o:{world.acme.public_id.hex}:S-FERRY").exists()
    assert m.Account.objects.filter(id=f"o:{world.acme.public_id.hex}:{ZP}").exists()


# ---- rates -------------------------------------------------------------------------------


def test_rates_are_exact_decimals_and_the_one_in_force_is_the_latest_not_after_the_day(
    world: World,
) -> None:
    scenario()
    d = settlement.today()
    for day, rate in [(d - timedelta(days=10), "0.1"), (d + timedelta(days=5), "0.125")]:
        settlement.publish_rate(
            principal=as_(world.oscar), asset=zp(), effective_from=day, cny_per_point=rate
        )
    assert settlement.rate_in_force(ZP, d - timedelta(days=11)) is None
    assert settlement.rate_in_force(ZP, d).cny_per_point == Decimal("0.1000")  # type: ignore[union-attr]
    assert settlement.rate_in_force(ZP, d + timedelta(days=9)).cny_per_point == Decimal(  # type: ignore[union-attr]
        "0.1250"
    )
    for bad in ["0", "-1", "abc", "0.12345", "10000", "NaN"]:
        with pytest.raises(InvalidInput):
            settlement.publish_rate(
                principal=as_(world.oscar), asset=zp(), effective_from=d, cny_per_point=bad
            )
    with pytest.raises(Forbidden):
        settlement.publish_rate(
            principal=as_(world.olivia), asset=zp(), effective_from=d, cny_per_point="1"
        )
    assert settlement.cny_value(90, 0, Decimal("0.1250")) == Decimal("11.25")
    assert settlement.cny_value(3, 0, Decimal("0.0050")) == Decimal("0.02")  # half up
    assert settlement.cny_value(1250, 2, Decimal("0.1000")) == Decimal("1.25")


def test_a_rate_never_changes_a_statement(world: World) -> None:
    acme_merchant(world)  # publishes 0.1000 from 30 days ago
    day = yesterday()
    pay(world, 100, on=day)
    first = settlement.settle().statements[0]
    assert (first.day, first.rate, first.payable_cny) == (day, Decimal("0.1000"), Decimal("10.00"))
    for effective in (day, day - timedelta(days=3)):
        with pytest.raises(Conflict) as caught:
            settlement.publish_rate(
                principal=as_(world.oscar),
                asset=zp(),
                effective_from=effective,
                cny_per_point="0.5",
            )
        assert caught.value.code == "rate_settled"
    settlement.publish_rate(
        principal=as_(world.oscar),
        asset=zp(),
        effective_from=day + timedelta(days=1),
        cny_per_point="0.2",
    )
    first.refresh_from_db()
    assert (first.rate, first.payable_cny) == (Decimal("0.1000"), Decimal("10.00"))
    # A rate not yet used by any statement may be replaced.
    settlement.publish_rate(
        principal=as_(world.oscar),
        asset=zp(),
        effective_from=day + timedelta(days=1),
        cny_per_point="0.3",
    )
    assert m.SettlementRate.objects.get(
        effective_from=day + timedelta(days=1)
    ).cny_per_point == Decimal("0.3000")


# ---- statements --------------------------------------------------------------------------


def test_a_day_is_settled_once_with_one_transfer_of_the_settled_points(world: World) -> None:
    merchant = acme_merchant(world)
    day = yesterday()
    first = pay(world, 120, on=day)
    second = pay(world, 80, on=day)
    refund(world, first, 30, on=day)
    today_payment = pay(world, 50)  # today: not yet settled
    assert merchants_queries.balance_of(merchant) == 220

    run = settlement.settle()
    assert run.created == 1 and run.missing_rates == []
    s = run.statements[0]
    assert (s.merchant, s.asset_id, s.day) == (merchant, ZP, day)
    assert (s.payments, s.refunds, s.accepted, s.refunded, s.net) == (2, 1, 200, 30, 170)
    assert (s.rate, s.payable_cny, s.settled_points) == (Decimal("0.1000"), Decimal("17.00"), 170)
    assert s.transfer_id == f"settle:{world.acme.public_id.hex}:ZP:{day:%Y%m%d}"
    transfer = m.Transfer.objects.get(tid=s.transfer_id)
    assert (transfer.amount, transfer.debit_account_id, transfer.code) == (
        170,
        f"o:{world.acme.public_id.hex}:ZP",
        "merchant_settlement",
    )
    assert transfer.credit_account_id.startswith("settlement:ZP:")
    assert merchants_queries.balance_of(merchant) == 50  # what awaits settlement: today's payment
    assert settlement_balance() == 170
    assert {p.pk for p in s.payment_rows.all()} == {first.pk, second.pk}
    today_payment.refresh_from_db()
    assert today_payment.statement is None

    again = settlement.settle(day)
    assert again.created == 0
    assert settlement.settle_merchant_day(merchant, zp(), day) == s
    assert m.Statement.objects.count() == 1
    assert m.Transfer.objects.filter(tid__startswith="settle:").count() == 1
    assert check_invariants(DatabaseStore()) == []


def test_a_refund_after_settlement_comes_back_from_the_settlement_account(world: World) -> None:
    merchant = acme_merchant(world)
    day = yesterday()
    payment = pay(world, 100, on=day)
    settlement.settle()
    assert merchants_queries.balance_of(merchant) == 0 and settlement_balance() == 100
    wendy_before = m.Account.objects.get(id=f"u:{world.wendy.public_id.hex}:ZP").credits_posted

    late = refund(world, payment, 40)
    assert late.from_settlement
    # the merchant's balance still awaits nothing
    assert merchants_queries.balance_of(merchant) == 0
    assert settlement_balance() == 60
    wendy = m.Account.objects.get(id=f"u:{world.wendy.public_id.hex}:ZP")
    assert wendy.credits_posted == wendy_before + 40
    assert m.Transfer.objects.get(tid=f"{late.transfer_id}:return").amount == 40

    # Tonight's statement deducts it: nothing accepted, 40 refunded, the programme is owed.
    tonight = datetime.combine(
        settlement.today() + timedelta(days=1), time(0, 10), tzinfo=settlement.zone()
    )
    s = settlement.settle(now=tonight).statements[0]
    assert s.day == settlement.today()
    assert (s.accepted, s.refunded, s.net, s.payable_cny, s.settled_points, s.transfer_id) == (
        0,
        40,
        -40,
        Decimal("-4.00"),
        0,
        "",
    )
    assert check_invariants(DatabaseStore()) == []


def test_refunds_made_before_the_nightly_run_count_on_the_payment_day(world: World) -> None:
    """A refund after midnight of yesterday's payment, before the statement: its points
    never left the merchant, so yesterday's statement counts it and settles the rest."""
    merchant = acme_merchant(world)
    day = yesterday()
    payment = pay(world, 100, on=day)
    early = refund(world, payment, 25)  # today, before the run
    assert not early.from_settlement
    s = settlement.settle().statements[0]
    assert (s.day, s.accepted, s.refunded, s.settled_points) == (day, 100, 25, 75)
    assert merchants_queries.balance_of(merchant) == 0


def test_missed_days_catch_up_and_a_missing_rate_holds_the_asset_back(world: World) -> None:
    acme_merchant(world, rate=None)
    d3, d2 = settlement.today() - timedelta(days=3), settlement.today() - timedelta(days=2)
    pay(world, 10, on=d3)
    pay(world, 20, on=d2)
    run = settlement.settle()
    assert run.statements == [] and run.missing_rates == [(ZP, d3)]
    out = io.StringIO()
    call_command("points_settle", stdout=out)
    assert f"{d3} ZP: no settlement rate in force; not settled" in out.getvalue()

    settlement.publish_rate(
        principal=as_(world.oscar), asset=zp(), effective_from=d3, cny_per_point="0.05"
    )
    out = io.StringIO()
    call_command("points_settle", stdout=out)
    days = sorted((s.day, s.accepted, s.payable_cny) for s in m.Statement.objects.all())
    assert days == [(d3, 10, Decimal("0.50")), (d2, 20, Decimal("1.00"))]
    assert "2 statements made" in out.getvalue()


def test_the_command_settles_a_given_day_and_refuses_days_not_ended(world: World) -> None:
    acme_merchant(world)
    day = yesterday()
    pay(world, 60, on=day)
    out = io.StringIO()
    call_command("points_settle", "--date", day.isoformat(), stdout=out)
    assert f"{day} ZP {world.acme.public_id}: accepted 60, refunded 0, net 60" in out.getvalue()
    assert "payable CNY 6.00" in out.getvalue()
    with pytest.raises(CommandError):
        call_command("points_settle", "--date", settlement.today().isoformat())


def test_the_nightly_run_marks_timed_out_holds_and_prunes_old_codes(world: World) -> None:
    acme_merchant(world)
    fund(world.wendy, 100)
    payment = payments.start_payment(
        principal=as_(world.olivia),
        merchant=acme_merchant(world),
        code=code_for(world.wendy),
        amount=5,
    )
    code_for(world.wendy)
    m.Payment.objects.filter(pk=payment.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    m.PaymentCode.objects.update(expires_at=timezone.now() - timedelta(days=2))
    call_command("points_settle", stdout=io.StringIO())
    payment.refresh_from_db()
    assert payment.status == "expired"
    assert m.PaymentCode.objects.count() == 0


# ---- CSV ---------------------------------------------------------------------------------


def read_csv(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_the_statement_csv_lists_payments_refunds_and_the_totals(world: World) -> None:
    acme_merchant(world)
    Organisation.objects.filter(pk=world.acme.pk).update(name_en="=HYPERLINK(1)", name_zh="")
    day = yesterday()
    first = pay(world, 120, on=day)
    refund(world, first, 30, on=day)
    s = settlement.settle().statements[0]
    text = settlement.statement_csv(s)
    rows = read_csv(text)
    assert list(rows[0]) == settlement.STATEMENT_COLUMNS
    assert [(r["line"], r["points"], r["cny"]) for r in rows] == [
        ("payment", "120", ""),
        ("refund", "-30", ""),
        ("accepted", "120", ""),
        ("refunded", "-30", ""),
        ("net", "90", "9.00"),
    ]
    assert rows[-1]["cny_per_point"] == "0.1000"
    assert {r["day"] for r in rows} == {day.isoformat()}
    assert rows[0]["merchant"] == "'=HYPERLINK(1)"  # never a formula in a spreadsheet
    assert rows[0]["reference"] == str(first.public_id)

    day_rows = read_csv(settlement.statements_csv(merchants_queries.statements_on(day)))
    assert [(r["accepted"], r["refunded"], r["net"], r["payable_cny"]) for r in day_rows] == [
        ("120", "30", "90", "9.00")
    ]
    assert day_rows[0]["scenario"] == SCENARIO


def test_amounts_of_assets_with_decimal_places(world: World) -> None:
    assert merchants.parse_points("12.50", 2) == 1250
    assert merchants.parse_points("1,200", 0) == 1200
    assert merchants.parse_points("-3", 0) == -3
    for bad, scale in [("12.5", 0), ("1.234", 2), ("abc", 0), ("1e400", 0), ("", 0)]:
        with pytest.raises(InvalidInput):
            merchants.parse_points(bad, scale)
    assert payments.amount_text(m.Asset(code="X", scale=2, max_amount=1), -1250) == "-12.50"


def test_invariants_hold_after_a_day_of_everything(world: World, settings: Any) -> None:
    merchant = acme_merchant(world)
    day = yesterday()
    a = pay(world, 300, on=day)
    b = pay(world, 200, on=day)
    refund(world, a, 100, on=day)
    cancelled = payments.start_payment(
        principal=as_(world.olivia), merchant=merchant, code=code_for(world.wendy), amount=10
    )
    payments.cancel_payment(principal=as_(world.olivia), payment=cancelled)
    settlement.settle()
    refund(world, b, 200)
    pay(world, 70)
    assert check_invariants(DatabaseStore()) == []
    assert merchants_queries.balance_of(merchant) == 70
    assert settlement_balance() == 400 - 200


def test_the_demo_registers_merchants_with_a_rate_and_a_payment(db: None) -> None:
    from nomadcloud.accounts import demo as accounts_demo
    from nomadcloud.accounts.demo import DEMO_DOMAIN
    from nomadcloud.points.merchants import demo as merchant_demo
    from nomadcloud.points.programme import demo as programme_demo

    accounts_demo.seed(nomads=2)
    programme_demo.seed()
    counts = merchant_demo.seed()
    assert counts["points_merchants"] == len(merchant_demo.REGISTRATIONS)
    haihua = m.Merchant.objects.get(organisation__name_zh="海花岛文旅度假区")
    assert haihua.scenario.code == "haihua-island" and haihua.scenario.asset_id == ZP
    cashier = User.objects.get(email=f"cashier@{DEMO_DOMAIN}")
    assert merchants_queries.merchants_of(cashier) == [haihua]
    assert settlement.rate_in_force(ZP, settlement.today()) is not None
    payment = m.Payment.objects.get(merchant=haihua)
    assert (payment.status, payment.amount) == ("confirmed", 120)
    assert merchant_demo.seed() == {"points_merchants": 0, "points_demo_payments": 0}
