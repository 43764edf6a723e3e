"""Paying at a merchant (points/merchants/services/payments.py): one-time codes (signed, hashed,
expiring, single use, one live per person and asset), the cashier's hold, confirmation and
cancellation, refunds that give back the original lots, and every kind of bad input refused
with a localized reason and nothing applied. Runs on SQLite and, with
NOMADCLOUD_TEST_DB=postgres, on PostgreSQL (including a real race of two cashiers)."""

from __future__ import annotations

import os
import threading
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, connections
from django.utils import timezone, translation

from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound
from nomadcloud.notifications.models import Notification
from nomadcloud.points import access, book
from nomadcloud.points import models as m
from nomadcloud.points.access import Action
from nomadcloud.points.book.store import DatabaseStore
from nomadcloud.points.ledger import (
    Asset,
    HoldStatus,
    Kind,
    SystemRole,
    TransferRequest,
    check_invariants,
)
from nomadcloud.points.merchants import queries as merchants_queries
from nomadcloud.points.merchants.services import payments
from nomadcloud.points.merchants.services import registry as merchants
from tests.builders.points_merchants import (
    acme_merchant,
    as_,
    code_for,
    confirmed_payment,
    fund,
    held_payment,
    zp,
)
from tests.conftest import World, make_person

ZP = book.ZONE_POINTS


def balance(user: Any) -> int:
    row = m.Account.objects.get(id=f"u:{user.public_id.hex}:{ZP}")
    return row.credits_posted - row.debits_posted


def available(user: Any) -> int:
    row = m.Account.objects.get(id=f"u:{user.public_id.hex}:{ZP}")
    return row.credits_posted - row.debits_posted - row.debits_pending


def merchant_balance(merchant: m.Merchant) -> int:
    return merchants_queries.balance_of(merchant)


def ledger_state() -> tuple[int, int, int]:
    return (m.Transfer.objects.count(), m.Hold.objects.count(), m.Payment.objects.count())


def refused(exc: DomainError, code: str) -> None:
    assert exc.code == code, (exc.code, exc.message)


# ---- codes ---------------------------------------------------------------------------------


def test_a_code_is_twelve_signed_digits_and_only_its_keyed_hash_is_stored(world: World) -> None:
    acme_merchant(world)
    issued = payments.issue_code(principal=as_(world.wendy), asset=zp())
    assert len(issued.code) == 12 and issued.code.isdigit()
    assert payments.is_signed(issued.code)
    assert issued.grouped == " ".join([issued.code[:4], issued.code[4:8], issued.code[8:]])
    row = m.PaymentCode.objects.get()
    assert row.person == world.wendy and row.state == "live"
    assert row.digest == payments.digest(issued.code) and issued.code not in row.digest
    lifetime = row.expires_at - row.created_at
    assert lifetime == timedelta(seconds=180)
    assert issued.qr_svg.startswith("<svg") and "</svg>" in issued.qr_svg
    # Changing any digit breaks the tag: 999 in 1,000 forgeries are caught without a lookup.
    forged = issued.code[:11] + str((int(issued.code[11]) + 1) % 10)
    assert not payments.is_signed(forged)
    assert not payments.is_signed(issued.code[:11])
    assert not payments.is_signed("１２３４５６７８９０１２")  # full-width digits


def test_a_new_code_replaces_the_live_one(world: World) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 500)
    first = code_for(world.wendy)
    second = code_for(world.wendy)
    states = dict(m.PaymentCode.objects.values_list("digest", "state"))
    assert states == {payments.digest(first): "replaced", payments.digest(second): "live"}
    with pytest.raises(InvalidInput) as caught:
        payments.start_payment(
            principal=as_(world.olivia), merchant=merchant, code=first, amount=10
        )
    refused(caught.value, "code_replaced")
    payment = payments.start_payment(
        principal=as_(world.olivia), merchant=merchant, code=second, amount=10
    )
    assert payment.status == "held"


def test_only_spendable_assets_get_codes(world: World) -> None:
    acme_merchant(world)
    with pytest.raises(InvalidInput) as caught:
        payments.spendable_asset("WU")
    refused(caught.value, "asset_unknown")
    with pytest.raises(Forbidden):
        payments.issue_code(principal=as_(None), asset=zp())  # type: ignore[arg-type]


# ---- the cashier's flow ------------------------------------------------------------------


def test_hold_then_confirm_moves_the_points_to_the_merchant(world: World) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 1000)
    code = code_for(world.wendy)
    payment = payments.start_payment(
        principal=as_(world.olivia),
        merchant=merchant,
        code=f" {code[:4]} {code[4:8]}-{code[8:]} ",
        amount=120,
    )
    assert payment.status == "held" and payment.amount == 120
    assert merchants_queries.masked_person(payment) == "W***y R******r"
    assert balance(world.wendy) == 1000 and available(world.wendy) == 880  # held, not spent
    assert merchant_balance(merchant) == 0
    hold = m.Hold.objects.get(id=payment.hold_id)
    assert hold.status == HoldStatus.PENDING and hold.amount == 120
    assert abs((payment.expires_at - timezone.now()).total_seconds() - 300) < 10
    assert m.PaymentCode.objects.get().state == "used"

    confirmed = payments.confirm_payment(principal=as_(world.olivia), payment=payment)
    assert confirmed.status == "confirmed" and confirmed.resolved_by == world.olivia
    assert balance(world.wendy) == 880 and available(world.wendy) == 880
    assert merchant_balance(merchant) == 120
    post = m.Transfer.objects.get(tid=payment.post_id)
    assert (post.kind, post.amount, post.code) == ("post", 120, "merchant_payment")
    note = Notification.objects.get(recipient=world.wendy, kind="points.merchant_payment")
    assert note.params["amount"] == "120"
    assert check_invariants(DatabaseStore()) == []


def test_cancel_returns_the_points(world: World) -> None:
    payment = held_payment(world, amount=200)
    payments.cancel_payment(principal=as_(world.olivia), payment=payment)
    payment.refresh_from_db()
    assert payment.status == "cancelled"
    assert available(world.wendy) == 1000 and balance(world.wendy) == 1000
    assert m.Hold.objects.get(id=payment.hold_id).status == HoldStatus.VOIDED


def test_a_void_after_post_and_a_post_after_void_are_refused(world: World) -> None:
    payment = confirmed_payment(world)
    before = ledger_state()
    with translation.override("en"), pytest.raises(Conflict) as caught:
        payments.cancel_payment(principal=as_(world.olivia), payment=payment)
    refused(caught.value, "pending_already_posted")
    assert "refund it instead" in caught.value.message
    assert ledger_state() == before and merchant_balance(payment.merchant) == 120

    other = held_payment(world, amount=10)
    payments.cancel_payment(principal=as_(world.olivia), payment=other)
    with translation.override("zh-hans"), pytest.raises(Conflict) as caught:
        payments.confirm_payment(principal=as_(world.olivia), payment=other)
    refused(caught.value, "pending_already_voided")
    assert caught.value.message not in ("", "The hold has already been cancelled.")


def test_a_hold_past_its_timeout_cannot_be_confirmed(world: World) -> None:
    payment = held_payment(world, amount=50)
    past = timezone.now() - timedelta(seconds=1)
    m.Hold.objects.filter(id=payment.hold_id).update(expires_at=past)
    m.Payment.objects.filter(pk=payment.pk).update(expires_at=past)
    payment.refresh_from_db()
    assert merchants_queries.shown_status(payment) == "expired"
    with pytest.raises(Conflict) as caught:
        payments.confirm_payment(principal=as_(world.olivia), payment=payment)
    refused(caught.value, "pending_expired")
    payment.refresh_from_db()
    assert payment.status == "expired"
    assert merchant_balance(payment.merchant) == 0
    assert not m.Transfer.objects.filter(tid=payment.post_id).exists()


# ---- bad input: refused with a reason, nothing applied -----------------------------------


@pytest.mark.parametrize(
    ("amount", "code"),
    [
        (0, "amount_not_positive"),
        (-5, "amount_not_positive"),
        (10**9 + 1, "amount_too_large"),
        (1001, "insufficient_funds"),
        (True, "amount_not_integer"),
    ],
)
def test_bad_amounts_are_refused_and_the_code_stays_usable(
    world: World, amount: Any, code: str
) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 1000)
    issued = code_for(world.wendy)
    before = ledger_state()
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        payments.start_payment(
            principal=as_(world.olivia), merchant=merchant, code=issued, amount=amount
        )
    refused(caught.value, code)
    assert caught.value.fields["amount"] == [caught.value.message]
    assert ledger_state() == before
    assert m.PaymentCode.objects.get().state == "live"
    assert available(world.wendy) == 1000
    payment = payments.start_payment(
        principal=as_(world.olivia), merchant=merchant, code=issued, amount=1000
    )
    assert payment.amount == 1000


def test_insufficient_points_message_is_localized(world: World) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 10)
    issued = code_for(world.wendy)
    with translation.override("zh-hans"), pytest.raises(InvalidInput) as caught:
        payments.start_payment(
            principal=as_(world.olivia), merchant=merchant, code=issued, amount=11
        )
    assert caught.value.message == "积分不足。"


def test_expired_reused_unknown_and_forged_codes_are_refused(world: World) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 1000)
    cashier = as_(world.olivia)

    expired = code_for(world.wendy)
    m.PaymentCode.objects.filter(digest=payments.digest(expired)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    used = code_for(world.wendy)  # replaces the expired one (one live per person and asset)
    payments.start_payment(principal=cashier, merchant=merchant, code=used, amount=10)
    unknown = payments.new_code()  # correctly signed, never issued
    forged = used[:9] + f"{(int(used[9:]) + 1) % 1000:03d}"
    before = ledger_state()
    for code, reason in [
        (expired, "code_replaced"),
        (used, "code_used"),
        (unknown, "code_unknown"),
        (forged, "code_unknown"),
        ("12345", "code_unknown"),
        ("", "code_missing"),
    ]:
        with translation.override("en"), pytest.raises(InvalidInput) as caught:
            payments.start_payment(principal=cashier, merchant=merchant, code=code, amount=10)
        refused(caught.value, reason)
        assert "code" in caught.value.fields
    assert ledger_state() == before

    # An expired code that was not replaced says so.
    fresh = code_for(world.wendy)
    m.PaymentCode.objects.filter(digest=payments.digest(fresh)).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        payments.start_payment(principal=cashier, merchant=merchant, code=fresh, amount=10)
    refused(caught.value, "code_expired")
    assert "expired" in caught.value.message
    assert ledger_state() == before


def test_a_code_claimed_meanwhile_by_another_cashier_is_refused(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The claim is a conditional UPDATE: a cashier who looked the code up before another
    one used it still cannot use it."""
    merchant = acme_merchant(world)
    fund(world.wendy, 1000)
    code = code_for(world.wendy)
    real_find = payments._find_code

    def find_then_lose_the_race(raw: str, merchant: Any, now: Any) -> m.PaymentCode:
        row = real_find(raw, merchant, now)  # still live when looked up…
        m.PaymentCode.objects.filter(pk=row.pk).update(state="used", used_at=now)  # …then used
        return row

    monkeypatch.setattr(payments, "_find_code", find_then_lose_the_race)
    before = ledger_state()
    with pytest.raises(InvalidInput) as caught:
        payments.start_payment(principal=as_(world.olivia), merchant=merchant, code=code, amount=5)
    refused(caught.value, "code_used")
    assert ledger_state() == before


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="a real race needs row locks: NOMADCLOUD_TEST_DB=postgres",
)
@pytest.mark.django_db(transaction=True)
def test_two_cashiers_racing_for_one_code_make_one_payment(world: World) -> None:
    assert connection.vendor == "postgresql"
    merchant = acme_merchant(world)
    fund(world.wendy, 1000)
    code = code_for(world.wendy)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def cashier() -> None:
        try:
            barrier.wait()
            payments.start_payment(
                principal=as_(world.olivia), merchant=merchant, code=code, amount=100
            )
            outcomes.append("paid")
        except DomainError as exc:
            outcomes.append(exc.code)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=cashier) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert sorted(outcomes) == ["code_used", "code_used", "code_used", "paid"]
    assert m.Payment.objects.count() == 1 and available(world.wendy) == 900


def test_wrong_codes_are_throttled_per_merchant(world: World, settings: Any) -> None:
    settings.POINTS_CODE_FAILURE_LIMIT = 3
    merchant = acme_merchant(world)
    fund(world.wendy, 100)
    for _ in range(3):
        with pytest.raises(InvalidInput):
            payments.start_payment(
                principal=as_(world.olivia), merchant=merchant, code=payments.new_code(), amount=1
            )
    good = code_for(world.wendy)
    with translation.override("en"), pytest.raises(Conflict) as caught:
        payments.start_payment(principal=as_(world.olivia), merchant=merchant, code=good, amount=1)
    refused(caught.value, "too_many_codes")
    assert "wait 10 minutes" in caught.value.message
    m.CodeFailure.objects.update(at=timezone.now() - timedelta(minutes=11))
    assert (
        payments.start_payment(
            principal=as_(world.olivia), merchant=merchant, code=good, amount=1
        ).amount
        == 1
    )


def test_a_cashier_cannot_pay_themself_and_codes_of_other_points_are_refused(
    world: World,
) -> None:
    merchant = acme_merchant(world)
    fund(world.olivia, 100)
    with pytest.raises(InvalidInput) as caught:
        payments.start_payment(
            principal=as_(world.olivia), merchant=merchant, code=code_for(world.olivia), amount=5
        )
    refused(caught.value, "own_payment")

    ledger = book.ledger()
    ledger.create_asset(Asset("S-FERRY", scale=2, max_amount=10**9))
    m.Scenario.objects.create(
        code="ferry", name_zh="渡轮", name_en="Ferry", category="transport", asset_id="S-FERRY"
    )
    ferry = payments.issue_code(
        principal=as_(world.wendy), asset=m.Asset.objects.get(code="S-FERRY")
    )
    with pytest.raises(InvalidInput) as caught:
        payments.start_payment(
            principal=as_(world.olivia), merchant=merchant, code=ferry.code, amount=5
        )
    refused(caught.value, "asset_not_accepted")
    assert m.Payment.objects.count() == 0


def test_a_merchant_that_stopped_accepting_points_takes_no_payment(world: World) -> None:
    merchant = acme_merchant(world)
    merchants.update_merchant(principal=as_(world.oscar), merchant=merchant, active=False)
    merchant.refresh_from_db()
    fund(world.wendy, 100)
    with pytest.raises(Conflict) as caught:
        payments.start_payment(
            principal=as_(world.olivia), merchant=merchant, code=code_for(world.wendy), amount=5
        )
    refused(caught.value, "merchant_closed")


def test_who_may_take_payments(world: World) -> None:
    acme_merchant(world)
    org = world.acme.public_id
    assert access.merchant_for(as_(world.olivia), org, Action.CASHIER)
    assert access.merchant_for(as_(world.bob), org, Action.CASHIER)  # a member
    assert access.merchant_for(as_(world.rita), org, Action.VIEW)
    with pytest.raises(Forbidden):
        access.merchant_for(as_(world.rita), org, Action.CASHIER)  # read-only
    with pytest.raises(Forbidden):
        access.merchant_for(as_(world.oscar), org, Action.CASHIER)  # operator only looks
    assert access.merchant_for(as_(world.oscar), org, Action.VIEW)
    with pytest.raises(NotFound):
        access.merchant_for(as_(world.charlie), org, Action.VIEW)
    with pytest.raises(NotFound):
        access.merchant_for(as_(world.olivia), uuid.uuid4(), Action.VIEW)


# ---- refunds -------------------------------------------------------------------------------


def test_refunds_in_parts_give_back_the_original_lots_and_never_more_than_left(
    world: World,
) -> None:
    merchant = acme_merchant(world)
    account = book.person_account(world.wendy, ZP)
    ledger = book.ledger()
    issuance = ledger.system_account(SystemRole.ISSUANCE, ZP, account)
    soon = timezone.now() + timedelta(days=10)
    later = timezone.now() + timedelta(days=200)
    for tid, amount, expires in [("lot-soon", 100, soon), ("lot-later", 900, later)]:
        result = ledger.submit(
            [TransferRequest(tid, Kind.TRANSFER, issuance, account, amount, lot_expires_at=expires)]
        )[0]
        assert result.ok, result
    payment = payments.start_payment(
        principal=as_(world.olivia), merchant=merchant, code=code_for(world.wendy), amount=120
    )
    payment = payments.confirm_payment(principal=as_(world.olivia), payment=payment)
    lots = {lot.id: lot.remaining for lot in ledger.lots(account)}
    assert lots == {"lot-later": 880}  # spent oldest first: 100 + 20

    refund = payments.refund_payment(
        principal=as_(world.olivia), payment=payment, amount=30, reason="菜品缺一道"
    )
    assert (refund.amount, refund.from_settlement) == (30, False)
    # Last taken first: the 20 from the later lot, then 10 back into the sooner lot.
    lots = {lot.id: lot.remaining for lot in ledger.lots(account)}
    assert lots == {"lot-soon": 10, "lot-later": 900}
    assert balance(world.wendy) == 910 and merchant_balance(merchant) == 90
    note = Notification.objects.get(recipient=world.wendy, kind="points.merchant_refund")
    assert note.params["reason"] == "菜品缺一道" and note.params["amount"] == "30"

    before = ledger_state()
    with translation.override("en"), pytest.raises(InvalidInput) as caught:
        payments.refund_payment(principal=as_(world.olivia), payment=payment, amount=91, reason="x")
    refused(caught.value, "reversal_exceeds_original")
    assert "90" in caught.value.message
    for amount, code in [(0, "amount_not_positive"), (-1, "amount_not_positive")]:
        with pytest.raises(InvalidInput) as caught:
            payments.refund_payment(
                principal=as_(world.olivia), payment=payment, amount=amount, reason="x"
            )
        refused(caught.value, code)
    with pytest.raises(InvalidInput) as caught:
        payments.refund_payment(principal=as_(world.olivia), payment=payment, amount=5, reason=" ")
    refused(caught.value, "reason_missing")
    assert ledger_state() == before

    payments.refund_payment(principal=as_(world.olivia), payment=payment, amount=90, reason="全退")
    payment.refresh_from_db()
    assert (payment.refunded, payment.refundable) == (120, 0)
    assert balance(world.wendy) == 1000 and merchant_balance(merchant) == 0
    with pytest.raises(InvalidInput) as caught:
        payments.refund_payment(principal=as_(world.olivia), payment=payment, amount=1, reason="x")
    refused(caught.value, "reversal_exceeds_original")
    assert check_invariants(DatabaseStore()) == []


def test_a_held_or_cancelled_payment_cannot_be_refunded(world: World) -> None:
    payment = held_payment(world, amount=40)
    with pytest.raises(Conflict) as caught:
        payments.refund_payment(principal=as_(world.olivia), payment=payment, amount=10, reason="x")
    refused(caught.value, "not_confirmed")
    payments.cancel_payment(principal=as_(world.olivia), payment=payment)
    with pytest.raises(Conflict):
        payments.refund_payment(principal=as_(world.olivia), payment=payment, amount=10, reason="x")
    assert m.Refund.objects.count() == 0


def test_masked_names(world: World) -> None:
    person = make_person("林小雨", "linxiaoyu@example.com")
    assert merchants.masked_name(person) == "林*雨"
    person.display_name = "王芳"
    assert merchants.masked_name(person) == "王*"
    person.display_name = "Jo Li"
    assert merchants.masked_name(person) == "J* L*"
