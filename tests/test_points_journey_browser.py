"""The whole points journey of issue 7 in one real browser session (headless Chromium, phone
sized, in Chinese, against the live server): a nomad whose proof of work was issued exchanges
its work units for zone points, pays a merchant by one-time code on the cashier's page, gets
part of it refunded, and sees the history and the expiry forecast; the merchant downloads
the day's settlement. The parts are tested in depth by test_points_exchange_browser.py and
test_points_payments_browser.py; this test proves they fit together."""

from __future__ import annotations

import csv
import io

import pytest
from playwright.sync_api import expect

from nomadcloud.points import models as m
from nomadcloud.points.merchants.services import settlement
from tests.browser_fixtures import Login
from tests.builders.points import SCENARIO, give_work_units, zone_scenario
from tests.builders.points_merchants import acme_merchant, tomorrow_morning
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_work_units_become_points_that_pay_a_merchant_and_settle(
    login: Login, world: World
) -> None:
    zone_scenario(world, rate="10")
    merchant = acme_merchant(world)
    give_work_units(world.wendy, "25.00")

    # Exchange 12.50 work units for 125 zone points at the rate shown.
    wendy = login("wendy@example.com")
    wendy.goto("/points/")
    expect(wendy.get_by_test_id("balance-WU-amount")).to_have_text("25.00")
    wendy.locator("#id_scenario").select_option(SCENARIO)
    wendy.locator("#id_work_units").fill("12.50")
    wendy.get_by_test_id("exchange-preview").click()
    expect(wendy.get_by_test_id("quote-total")).to_have_attribute("data-total", "125")
    wendy.get_by_test_id("exchange-confirm").click()
    expect(wendy.get_by_test_id("balance-ZP-amount")).to_have_text("125")

    # Show a one-time code; the cashier takes 120 with it and confirms.
    wendy.get_by_test_id("link-pay").click()
    wendy.get_by_test_id("pay-asset-ZP").click()
    expect(wendy.get_by_test_id("pay-qr").locator("svg")).to_be_visible()
    code = wendy.get_by_test_id("pay-code").get_attribute("data-code")
    assert code is not None

    olivia = login("olivia@example.com")
    olivia.goto("/points/cashier/")
    olivia.get_by_test_id("cashier-code").fill(code)
    olivia.get_by_test_id("cashier-amount").fill("120")
    olivia.get_by_test_id("cashier-submit").click()
    expect(olivia.get_by_test_id("payment-amount")).to_have_text("120")
    olivia.get_by_test_id("payment-confirm").click()
    payment = m.Payment.objects.get()
    expect(olivia.get_by_test_id(f"payment-{payment.public_id}")).to_have_attribute(
        "data-status", "confirmed"
    )

    # A partial refund of 30.
    olivia.goto(f"/points/merchants/{world.acme.public_id}/payments/{payment.public_id}/")
    olivia.get_by_test_id("refund-amount").fill("30")
    olivia.get_by_test_id("refund-reason").fill("少上了一道菜")
    olivia.get_by_test_id("refund-submit").click()
    olivia.get_by_test_id("confirm-button").click()  # the refund's confirmation page
    expect(olivia.get_by_test_id("payment-refunded")).to_have_text("30")

    # The wallet: 35 points left, all in the exchanged lot; history names each step.
    wendy.goto("/points/")
    expect(wendy.get_by_test_id("balance-ZP-amount")).to_have_text("35")
    codes = [
        line.get_attribute("data-code")
        for line in wendy.get_by_test_id("history-line").all()
        if line.get_attribute("data-code")
    ]
    for expected in ("proof_of_work", "exchange_points", "merchant_payment", "merchant_refund"):
        assert expected in codes, (expected, codes)
    paid = wendy.locator(
        '[data-testid="history-line"][data-code="merchant_payment"][data-kind="post"]'
    )
    expect(paid).to_have_attribute("data-amount", "-120")
    held = wendy.locator(
        '[data-testid="history-line"][data-code="merchant_payment"][data-kind="hold"]'
    )
    expect(held).to_contain_text("冻结已确认")  # the hold is shown as settled, not pending
    forecast = wendy.locator('[data-testid="expiry-line"][data-asset="ZP"]')
    expect(forecast).to_have_count(1)
    expect(forecast).to_have_attribute("data-amount", "35")

    # The night's settlement; the merchant downloads the day.
    run = settlement.settle(now=tomorrow_morning())
    assert [s.merchant for s in run.statements] == [merchant]
    day = run.statements[0].day.isoformat()
    olivia.goto(f"/points/merchants/{world.acme.public_id}/")
    with olivia.expect_download() as download:
        olivia.get_by_test_id(f"statement-csv-{day}").click()
    text = download.value.path().read_bytes().decode("utf-8-sig")
    rows = {r["line"]: r for r in csv.DictReader(io.StringIO(text)) if r["line"] == "net"}
    assert rows["net"]["points"] == "90"
