"""Work units from proofs of work and their exchange for points: crediting on issue and
taking back on revocation (with the shortfall), dated rates, rounding, one linked chain per
exchange, idempotency keys, caps, campaign bonuses, lock periods and lot expiry, the
scheduled jobs, and refusals that apply nothing. SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone, translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, DomainError, InvalidInput
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book import history
from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore
from nomadcloud.points.ledger import HoldStatus, Kind, Reason, SystemRole, check_invariants
from nomadcloud.points.models import AppendOnlyError
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.programme import services as programme
from nomadcloud.points.wallet import queries as wallet
from nomadcloud.points.wallet import services as exchange
from nomadcloud.proofs import services as proofs
from nomadcloud.proofs.events import Holder, WorkUnitsEarned
from tests.builders.points import give_work_units, zone_scenario
from tests.conftest import World

ZP = book.ZONE_POINTS
WU = book.WORK_UNITS


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def op(w: World) -> Principal:
    return Principal.for_user(w.oscar)


def balance(user: Any, asset: str) -> int:
    account = m.Account.objects.filter(pk=f"u:{user.public_id.hex}:{asset}").first()
    return 0 if account is None else account.credits_posted - account.debits_posted


def clean_ledger() -> None:
    assert check_invariants(DatabaseStore()) == []


def points_tables() -> dict[str, int]:
    return {
        model.__name__: model.objects.count()
        for model in (m.Transfer, m.Entry, m.Lot, m.LotMove, m.Hold, m.Exchange)
    }


def do_exchange(w: World, user: Any, amount: str, key: str, scenario: Any = None, **kw: Any) -> Any:
    record, _created = exchange.exchange(
        principal=Principal.for_user(user),
        scenario=scenario or zone_scenario(w),
        work_units=exchange.parse_work_units(amount),
        key=key,
        **kw,
    )
    return record


# ---- work units from proofs of work ------------------------------------------------------


def test_issuing_a_credential_credits_its_work_units(world: World) -> None:
    credential = give_work_units(world.rita, "12.50")
    assert balance(world.rita, WU) == 1250
    t = m.Transfer.objects.get(tid=f"pow:{credential.public_id}")
    assert (t.code, t.reference, t.amount) == (
        history.PROOF_OF_WORK,
        f"urn:uuid:{credential.public_id}",
        1250,
    )
    assert t.debit_account_id.startswith("issuance:WU:")
    # idempotent: a second delivery of the same work units credits nothing more
    holder = Holder(world.rita.pk, world.rita.public_id)
    again = WorkUnitsEarned(holder, credential.public_id, Decimal("12.50"))
    assert exchange.credit_work_units([again]) == 0
    assert balance(world.rita, WU) == 1250
    assert m.WorkUnitCredit.objects.get(credential=credential.public_id).amount == 1250
    lines, _more = wallet.history(world.rita)
    assert [(line.code, line.amount, line.reason) for line in lines] == [
        ("proof_of_work", 1250, "Work units for a proof of work")
    ]
    clean_ledger()


def test_work_units_are_rounded_down_to_the_cent_and_nothing_for_none() -> None:
    assert exchange.hundredths(Decimal("3.339")) == 333
    assert exchange.hundredths(Decimal("0")) is None
    assert exchange.hundredths(Decimal("-1")) is None
    assert exchange.hundredths(Decimal("0.001")) is None
    assert exchange.hundredths(Decimal("NaN")) is None


def test_work_units_roll_back_with_the_issuing_transaction(world: World) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        give_work_units(world.rita, "5.00")
        assert balance(world.rita, WU) == 500
        raise RuntimeError("issuing failed")
    assert balance(world.rita, WU) == 0
    assert not m.WorkUnitCredit.objects.exists()


def test_revocation_takes_back_the_work_units(world: World) -> None:
    credential = give_work_units(world.rita, "40.00")
    proofs.revoke(principal=op(world), credential=credential, reason="duplicate work")
    assert balance(world.rita, WU) == 0
    credit = m.WorkUnitCredit.objects.get(credential=credential.public_id)
    assert (credit.reclaimed, credit.shortfall) == (4000, 0)
    reversal = m.Transfer.objects.get(tid=credit.reversal)
    assert (reversal.kind, reversal.code) == (Kind.REVERSAL, history.PROOF_OF_WORK_REVOKED)
    assert programme_queries.shortfalls() == []
    clean_ledger()


def test_revocation_after_an_exchange_records_the_shortfall(world: World) -> None:
    credential = give_work_units(world.rita, "40.00")
    do_exchange(world, world.rita, "30.00", "k1")
    proofs.revoke(principal=op(world), credential=credential, reason="fraud")
    credit = m.WorkUnitCredit.objects.get(credential=credential.public_id)
    assert (credit.amount, credit.reclaimed, credit.shortfall) == (4000, 1000, 3000)
    assert balance(world.rita, WU) == 0
    assert balance(world.rita, ZP) == 300  # exchanged points are not taken back
    assert [c.credential for c in programme_queries.shortfalls()] == [credential.public_id]
    clean_ledger()


# ---- rates -------------------------------------------------------------------------------


def test_the_rate_in_force_is_the_latest_valid_from_and_past_exchanges_keep_theirs(
    world: World,
) -> None:
    scenario = zone_scenario(world, rate="10")
    first = programme_queries.rate_in_force(scenario)
    assert first is not None
    now = timezone.now()
    later = programme.publish_rate(
        principal=op(world),
        scenario=scenario,
        points_per_work_unit=Decimal("20"),
        valid_from=now + timedelta(days=2),
    )
    give_work_units(world.rita, "10.00")
    done = do_exchange(world, world.rita, "5.00", "before")
    assert (done.rate_id, done.points) == (first.pk, 50)
    assert programme_queries.rate_in_force(scenario, now + timedelta(days=3)) == later
    after = do_exchange(world, world.rita, "5.00", "after", now=now + timedelta(days=3))
    assert (after.rate_id, after.points) == (later.pk, 100)
    done.refresh_from_db()
    assert (done.rate_id, done.points) == (first.pk, 50)
    assert balance(world.rita, ZP) == 150


def test_rates_are_immutable_and_never_take_effect_in_the_past(world: World) -> None:
    scenario = zone_scenario(world)
    rate = programme_queries.rate_in_force(scenario)
    assert rate is not None
    rate.points_per_work_unit = Decimal("99")
    with pytest.raises(AppendOnlyError):
        rate.save()
    with pytest.raises(AppendOnlyError):
        m.Rate.objects.filter(pk=rate.pk).update(points_per_work_unit=Decimal("99"))
    with pytest.raises(InvalidInput) as refused:
        programme.publish_rate(
            principal=op(world),
            scenario=scenario,
            points_per_work_unit=Decimal("5"),
            valid_from=timezone.now() - timedelta(days=1),
        )
    assert "valid_from" in refused.value.fields
    for bad in ("0", "-1", "1000001", "0.0000001"):
        with pytest.raises(InvalidInput):
            programme.publish_rate(
                principal=op(world), scenario=scenario, points_per_work_unit=Decimal(bad)
            )
    assert m.Rate.objects.count() == 1


def test_only_the_zone_operator_configures_the_programme(world: World) -> None:
    scenario = zone_scenario(world)
    rita = Principal.for_user(world.rita)
    before = (m.Rate.objects.count(), m.EarningRule.objects.count(), m.Scenario.objects.count())
    with pytest.raises(DomainError):
        programme.publish_rate(principal=rita, scenario=scenario, points_per_work_unit=Decimal(1))
    with pytest.raises(DomainError):
        programme.publish_rule(principal=rita, asset_code=ZP, day_cap=5)
    with pytest.raises(DomainError):
        programme.create_scenario(
            principal=rita, code="x", name_zh="x", name_en="x", category="dining"
        )
    after = (m.Rate.objects.count(), m.EarningRule.objects.count(), m.Scenario.objects.count())
    assert after == before


# ---- amounts and rounding ----------------------------------------------------------------


def test_points_are_rounded_down_exactly() -> None:
    assert exchange.points_for(333, Decimal("1.5"), 0) == 4  # 3.33 × 1.5 = 4.995
    assert exchange.points_for(7, Decimal("2.5"), 2) == 17  # 0.07 × 2.5 = 0.175 → 0.17
    assert exchange.points_for(100, Decimal("0.333333"), 0) == 0
    assert exchange.points_for(300, Decimal("0.333334"), 0) == 1  # exact: 1.000002
    assert exchange.points_for(10**11, Decimal("1000000"), 0) == 10**15


def test_an_exchange_is_one_linked_chain(world: World) -> None:
    give_work_units(world.rita, "12.50")
    record = do_exchange(world, world.rita, "3.33", "trip-1")
    assert (record.work_units, record.points, record.bonus) == (333, 33, 0)
    assert balance(world.rita, WU) == 1250 - 333
    assert balance(world.rita, ZP) == 33
    wu = m.Transfer.objects.get(tid=record.wu_transfer)
    pts = m.Transfer.objects.get(tid=record.points_transfer)
    assert wu.request["linked"] is True and pts.request["linked"] is False
    assert (wu.code, pts.code) == (history.EXCHANGE_WORK_UNITS, history.EXCHANGE_POINTS)
    assert wu.credit_account_id.startswith("exchange:WU:")
    assert pts.debit_account_id.startswith("issuance:ZP:")
    lot = m.Lot.objects.get(id=record.points_transfer)
    assert lot.expires_at == record.lot_expires_at
    # ZP's default rule: 12 months, at the end of that month (UTC)
    expected = programme.rule_expiry(None, m.Asset.objects.get(code=ZP)).expires_at(
        record.created_at
    )
    assert record.lot_expires_at == expected
    clean_ledger()


def test_bad_exchanges_are_refused_and_apply_nothing(world: World) -> None:
    scenario = zone_scenario(world)
    give_work_units(world.rita, "5.00")
    before = points_tables()
    rita = Principal.for_user(world.rita)

    def refused(amount: int, key: str = "k", expected: type = DomainError, **kw: Any) -> Any:
        with pytest.raises(expected) as caught:
            exchange.exchange(
                principal=rita,
                scenario=kw.pop("scenario", scenario),
                work_units=amount,
                key=key,
                **kw,
            )
        assert points_tables() == before
        return caught.value

    assert refused(0).code == "amount_not_positive"
    assert refused(-100).code == "amount_not_positive"
    assert refused(10**12).code == "amount_too_large"
    assert refused(501).code == "insufficient_work_units"
    assert "5.00" in refused(501).message
    assert refused(5).code == "amount_too_small"  # 0.05 × 10 = 0.5 point
    assert refused(100, key="bad key!").code == "key_invalid"
    own = programme.create_scenario(
        principal=op(world), code="norate", name_zh="无", name_en="None", category="dining"
    )
    before = points_tables()
    assert refused(100, scenario=own, expected=Conflict).code == "no_rate_in_force"
    programme.update_scenario(principal=op(world), scenario=scenario, active=False)
    scenario.refresh_from_db()
    assert refused(100).code == "unknown_scenario"
    with pytest.raises(InvalidInput):
        programme_queries.scenario_for("nowhere")
    for text in ("1.234", "abc", "-1", "NaN", "Infinity"):
        with pytest.raises(InvalidInput):
            exchange.parse_work_units(text)
    with pytest.raises(InvalidInput):
        exchange.parse_work_units(1.5)


def test_a_refusal_is_localized(world: World) -> None:
    zone_scenario(world)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as refused:
        do_exchange(world, world.rita, "1.00", "k")
    assert refused.value.code == "insufficient_work_units"
    assert "工作量" in refused.value.message


# ---- idempotency -------------------------------------------------------------------------


def test_the_idempotency_key_makes_a_retry_safe(world: World) -> None:
    give_work_units(world.rita, "50.00")
    scenario = zone_scenario(world)
    rita = Principal.for_user(world.rita)
    first, created = exchange.exchange(principal=rita, scenario=scenario, work_units=1000, key="a")
    again, created_again = exchange.exchange(
        principal=rita, scenario=scenario, work_units=1000, key="a"
    )
    assert (created, created_again, again.pk) == (True, False, first.pk)
    assert balance(world.rita, WU) == 4000
    with pytest.raises(Conflict) as changed:
        exchange.exchange(principal=rita, scenario=scenario, work_units=900, key="a")
    assert changed.value.code == "idempotency_key_reused" and "work_units" in changed.value.fields
    other = zone_scenario(world, code="coworking")
    with pytest.raises(Conflict) as elsewhere:
        exchange.exchange(principal=rita, scenario=other, work_units=1000, key="a")
    assert "scenario" in elsewhere.value.fields
    # keys are per person: Bob may use "a" too
    give_work_units(world.bob, "10.00")
    exchange.exchange(
        principal=Principal.for_user(world.bob), scenario=scenario, work_units=1000, key="a"
    )
    assert m.Exchange.objects.count() == 2
    clean_ledger()


def test_a_changed_rate_since_the_preview_is_refused(world: World) -> None:
    scenario = zone_scenario(world)
    give_work_units(world.rita, "10.00")
    shown = programme_queries.rate_in_force(scenario)
    assert shown is not None
    programme.publish_rate(principal=op(world), scenario=scenario, points_per_work_unit=Decimal(3))
    with pytest.raises(Conflict) as refused:
        do_exchange(world, world.rita, "1.00", "p", expected_rate=shown.pk)
    assert refused.value.code == "rate_changed"
    assert not m.Exchange.objects.exists()


# ---- caps, bonuses, lock period, expiry --------------------------------------------------


def test_caps_per_day_week_and_month(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "100.00")
    programme.publish_rule(principal=op(world), asset_code=ZP, day_cap=100, week_cap=150)
    monday = timezone.localtime().replace(hour=12, minute=0, second=0, microsecond=0)
    monday -= timedelta(days=monday.weekday())
    monday += timedelta(days=7)  # next Monday noon, in the rule's validity
    do_exchange(world, world.rita, "8.00", "d1", now=monday)
    with pytest.raises(InvalidInput) as refused:
        do_exchange(world, world.rita, "3.00", "d2", now=monday + timedelta(hours=1))
    assert refused.value.code == "cap_reached"
    assert refused.value.message == (
        "This exchange would pass your earning limit of 100 Zone points today: 20 left."
    )
    do_exchange(world, world.rita, "2.00", "d3", now=monday + timedelta(hours=2))  # exactly 100
    do_exchange(world, world.rita, "4.00", "d4", now=monday + timedelta(days=1))
    with pytest.raises(InvalidInput) as weekly:
        do_exchange(world, world.rita, "1.10", "d5", now=monday + timedelta(days=2))
    assert weekly.value.message == (
        "This exchange would pass your earning limit of 150 Zone points this week: 10 left."
    )
    do_exchange(world, world.rita, "1.00", "d6", now=monday + timedelta(days=2))  # 150 = cap
    do_exchange(world, world.rita, "5.00", "d7", now=monday + timedelta(days=7))  # a new week
    assert balance(world.rita, ZP) == 200
    q = exchange.quote(
        user=world.rita,
        scenario=zone_scenario(world),
        work_units=100,
        now=monday + timedelta(days=7, hours=1),
    )
    assert [(c.period, c.cap, c.earned, c.left) for c in q.caps] == [
        ("day", 100, 50, 50),
        ("week", 150, 50, 100),
    ]


def test_campaign_bonus_percent_fixed_best_one_and_ended(world: World) -> None:
    scenario = zone_scenario(world)
    other = zone_scenario(world, code="dining")
    give_work_units(world.rita, "100.00")
    now = timezone.now()
    programme.publish_campaign(
        principal=op(world),
        code="spring",
        name_zh="春",
        name_en="Spring",
        kind="percent",
        percent=Decimal("15"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=10),
    )
    record = do_exchange(world, world.rita, "3.30", "b1")  # 33 points, 15 % → 4.95 → 4
    assert (record.points, record.bonus, record.campaign.code) == (33, 4, "spring")
    bonus = m.Transfer.objects.get(tid=record.bonus_transfer)
    assert bonus.code == history.EXCHANGE_BONUS and bonus.amount == 4
    assert m.Transfer.objects.get(tid=record.points_transfer).request["linked"] is True
    programme.publish_campaign(
        principal=op(world),
        code="island",
        name_zh="岛",
        name_en="Island",
        kind="fixed",
        fixed_amount=10,
        scenario=scenario,
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=10),
    )
    assert do_exchange(world, world.rita, "3.30", "b2").bonus == 10  # the better one
    assert do_exchange(world, world.rita, "3.30", "b3", scenario=other).bonus == 4
    ended = programme.publish_campaign(
        principal=op(world),
        code="spring",
        name_zh="春",
        name_en="Spring",
        kind="percent",
        percent=Decimal("15"),
        starts_at=now - timedelta(hours=1),
        ends_at=now + timedelta(days=10),
        active=False,
    )
    assert ended.version == 2
    assert do_exchange(world, world.rita, "3.30", "b4", scenario=other).bonus == 0
    late = now + timedelta(days=11)
    assert do_exchange(world, world.rita, "3.30", "b5", now=late).bonus == 0
    assert balance(world.rita, ZP) == 5 * 33 + 4 + 10 + 4
    clean_ledger()


def test_lock_period_then_release_into_a_lot_with_the_same_expiry(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "20.00")
    programme.publish_rule(
        principal=op(world), asset_code=ZP, lock_days=7, expiry_months=3, expiry_at_end_of="day"
    )
    record = do_exchange(world, world.rita, "10.00", "locked")
    assert record.lock == m.Exchange.Lock.LOCKED
    assert record.locked_until == record.created_at + timedelta(days=7)
    account = m.Account.objects.get(pk=book.person_account(world.rita, ZP))
    assert (account.credits_posted, account.credits_pending) == (0, 100)
    (b,) = [x for x in wallet.balances(world.rita) if x.asset.code == ZP]
    assert (b.balance, b.locked) == (0, 100)
    (line,) = wallet.expiry_statement(world.rita)
    assert (line.amount, line.locked, line.expires_at) == (100, True, record.lot_expires_at)
    # not spendable: a transfer out is refused
    lg = DatabaseLedger()
    lg.open_account("shop:ZP", ZP, "shop")
    assert lg.transfer("spend", account.id, "shop:ZP", 1).reason == Reason.INSUFFICIENT_FUNDS
    # the job does nothing before the end of the lock, then releases
    assert exchange.run_jobs()["exchanges_released"] == 0
    counts = exchange.run_jobs(now=record.created_at + timedelta(days=7, minutes=1))
    assert counts["exchanges_released"] == 1
    record.refresh_from_db()
    assert record.lock == m.Exchange.Lock.RELEASED
    assert balance(world.rita, ZP) == 100
    lot = m.Lot.objects.get(account_id=account.id)
    assert (lot.remaining, lot.expires_at) == (100, record.lot_expires_at)
    assert m.Hold.objects.get(pk=record.points_transfer).status == HoldStatus.POSTED
    lines, _more = wallet.history(world.rita, asset_code=ZP)
    assert [line.code for line in lines] == [history.LOCK_RELEASE, history.EXCHANGE_POINTS]
    assert (lines[1].pending, lines[1].hold_status) == (False, HoldStatus.POSTED)
    assert exchange.run_jobs(now=record.created_at + timedelta(days=8))["exchanges_released"] == 0
    clean_ledger()


def test_a_lock_longer_than_the_expiry_is_refused(world: World) -> None:
    with pytest.raises(InvalidInput) as refused:
        programme.publish_rule(principal=op(world), asset_code=ZP, lock_days=40, expiry_days=30)
    assert refused.value.code == "lock_after_expiry"


def test_rule_versions_and_the_expiry_job(world: World) -> None:
    zone_scenario(world)
    give_work_units(world.rita, "20.00")
    first = programme.publish_rule(principal=op(world), asset_code=ZP, expiry_days=10)
    record = do_exchange(world, world.rita, "5.00", "e1")
    assert record.rule == first
    second = programme.publish_rule(principal=op(world), asset_code=ZP, expiry_months=6)
    assert (first.version, second.version) == (1, 2)
    assert do_exchange(world, world.rita, "5.00", "e2").rule == second
    assert exchange.run_jobs()["lots_expired"] == 0
    counts = exchange.run_jobs(now=timezone.now() + timedelta(days=11))
    assert counts["lots_expired"] == 1
    assert balance(world.rita, ZP) == 50
    assert DatabaseLedger().system_balance(SystemRole.EXPIRY, ZP) == 50
    lines, _more = wallet.history(world.rita, asset_code=ZP)
    assert lines[0].kind == Kind.EXPIRE_LOT and lines[0].reason == "Points expired"
    clean_ledger()


def test_points_jobs_command_and_task(world: World) -> None:
    out = StringIO()
    call_command("points_jobs", stdout=out)
    assert "holds timed out: 0, exchanges released: 0, lots expired: 0" in out.getvalue()
    out = StringIO()
    call_command("points_jobs", "--enqueue", stdout=out)
    assert "enqueued" in out.getvalue()


def test_jobs_time_out_holds(world: World) -> None:
    programme.ensure_assets()
    lg = DatabaseLedger()
    account = book.person_account(world.rita, ZP)
    lg.transfer("grant", "issuance:ZP:0", account, 30)
    lg.open_account("shop:ZP", ZP, "shop")
    assert lg.hold("pay", account, "shop:ZP", 20, timeout=60).ok
    counts = exchange.run_jobs(now=timezone.now() + timedelta(minutes=2))
    assert counts["holds_timed_out"] == 1
    assert m.Hold.objects.get(pk="pay").status == HoldStatus.EXPIRED


# ---- concurrency (PostgreSQL row locks) --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_concurrent_exchanges_cannot_pass_a_cap(request: pytest.FixtureRequest) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("row-lock concurrency runs on PostgreSQL; SQLite serialises writers")
    world: World = request.getfixturevalue("world")
    zone_scenario(world)
    give_work_units(world.rita, "100.00")
    programme.publish_rule(principal=op(world), asset_code=ZP, day_cap=100)
    scenario = zone_scenario(world)
    outcomes: list[str] = []
    start = threading.Barrier(6)

    def run(i: int) -> None:
        try:
            start.wait()
            exchange.exchange(
                principal=Principal.for_user(world.rita),
                scenario=scenario,
                work_units=600,
                key=f"race-{i}",
            )
            outcomes.append("ok")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["cap_reached"] * 5 + ["ok"]
    assert balance(world.rita, ZP) == 60
    clean_ledger()
