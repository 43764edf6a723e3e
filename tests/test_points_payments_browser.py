"""Paying at a merchant in a real browser (Playwright driving Debian's Chromium, headless,
against the live server): the nomad shows a code on the Pay page, the cashier enters it with
the amount on the cashier page and confirms, then refunds part of it; the nomad's balance
reflects both; after the nightly settlement the merchant downloads the day's statement as
CSV and its figures are right.

Each person has their own phone-sized browser context: Wendy (the nomad) and Olivia (the
owner of Acme, a merchant; its cashier)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from playwright.sync_api import expect

from nomadcloud.points import models as m
from nomadcloud.points.merchants.services import settlement
from tests.browser_fixtures import Login
from tests.builders.points_merchants import acme_merchant, fund, tomorrow_morning
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nomad_pays_by_code_gets_a_partial_refund_and_the_merchant_downloads_the_day(
    login: Login, world: World, tmp_path: Path
) -> None:
    merchant = acme_merchant(world)
    fund(world.wendy, 1000)

    wendy = login("wendy@example.com")
    wendy.goto("/points/pay/")
    expect(wendy.get_by_test_id("pay-balance-ZP")).to_have_attribute("data-balance", "1000")
    wendy.get_by_test_id("pay-asset-ZP").click()
    expect(wendy.get_by_test_id("pay-qr").locator("svg")).to_be_visible()
    code = wendy.get_by_test_id("pay-code").get_attribute("data-code")
    assert code is not None and len(code) == 12
    expect(wendy.get_by_test_id("pay-code")).to_have_text(f"{code[:4]} {code[4:8]} {code[8:]}")

    olivia = login("olivia@example.com")
    olivia.goto("/points/cashier/")  # one merchant: straight to its cashier page
    olivia.get_by_test_id("cashier-code").fill(code)
    olivia.get_by_test_id("cashier-amount").fill("120")
    olivia.get_by_test_id("cashier-submit").click()
    expect(olivia.get_by_test_id("payment-person")).to_have_text("W***y R******r")
    expect(olivia.get_by_test_id("payment-amount")).to_have_text("120")
    expect(olivia.get_by_test_id("payment")).to_have_attribute("data-status", "held")
    olivia.get_by_test_id("payment-confirm").click()
    payment = m.Payment.objects.get()
    expect(olivia.get_by_test_id(f"payment-{payment.public_id}")).to_have_attribute(
        "data-status", "confirmed"
    )

    # The same code cannot pay twice.
    olivia.get_by_test_id("cashier-code").fill(code)
    olivia.get_by_test_id("cashier-amount").fill("10")
    olivia.get_by_test_id("cashier-submit").click()
    expect(olivia.get_by_test_id("cashier-code-error")).to_be_visible()

    olivia.goto(f"/points/merchants/{world.acme.public_id}/payments/{payment.public_id}/")
    olivia.get_by_test_id("refund-amount").fill("30")
    olivia.get_by_test_id("refund-reason").fill("少上了一道菜")
    olivia.get_by_test_id("refund-submit").click()
    olivia.get_by_test_id("confirm-button").click()  # the refund's confirmation page
    expect(olivia.get_by_test_id("payment-refunded")).to_have_text("30")
    expect(olivia.get_by_test_id("payment-refunds")).to_contain_text("少上了一道菜")

    wendy.goto("/points/pay/")
    expect(wendy.get_by_test_id("pay-balance-ZP")).to_have_attribute("data-balance", "910")
    expect(wendy.get_by_test_id(f"pay-recent-{payment.public_id}")).to_contain_text("30")

    # The nightly job settles the day; the merchant downloads the statement.
    run = settlement.settle(now=tomorrow_morning())
    assert [s.merchant for s in run.statements] == [merchant]
    day = run.statements[0].day.isoformat()
    olivia.goto(f"/points/merchants/{world.acme.public_id}/")
    expect(olivia.get_by_test_id("merchant-awaiting")).to_have_text("0")
    with olivia.expect_download() as download:
        olivia.get_by_test_id(f"statement-csv-{day}").click()
    target = tmp_path / "statement.csv"
    download.value.save_as(target)
    text = target.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [(r["line"], r["points"]) for r in rows] == [
        ("payment", "120"),
        ("refund", "-30"),
        ("accepted", "120"),
        ("refunded", "-30"),
        ("net", "90"),
    ]
    assert (rows[-1]["cny_per_point"], rows[-1]["cny"]) == ("0.1000", "9.00")
    assert {r["day"] for r in rows} == {day}
