"""The exchange in a real browser (Playwright driving Debian's Chromium, headless, phone-sized,
in Chinese, against the live server): a nomad whose proof of work was issued finds the work
units in the wallet, exchanges them for scenario points at the rate shown after a preview,
and sees the history line with its reason, what will expire and when, and the monthly
statement; the zone operator publishes a new rate and the past exchange keeps its own."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from nomadcloud.points import models as m
from tests.browser_fixtures import Login
from tests.builders.points import SCENARIO, give_work_units, zone_scenario
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_nomad_exchanges_work_units_and_a_new_rate_leaves_the_past_exchange(
    login: Login, world: World
) -> None:
    zone_scenario(world, rate="10")
    credential = give_work_units(world.bob, "25.00")

    bob = login("bob@example.com")
    bob.goto("/accounts/workspace/")
    bob.get_by_test_id("link-points").click()
    expect(bob.get_by_test_id("wallet-title")).to_have_text("我的积分")
    expect(bob.get_by_test_id("balance-WU-amount")).to_have_text("25.00")
    expect(bob.get_by_test_id(f"rate-{SCENARIO}")).to_contain_text("1 工作量单位 = 10 园区积分")
    (work_line,) = bob.get_by_test_id("history-line").all()
    expect(work_line).to_contain_text("工作量证明所得工作量单位")
    expect(work_line).to_contain_text(str(credential.public_id))

    bob.locator("#id_scenario").select_option(SCENARIO)
    bob.locator("#id_work_units").fill("12.50")
    bob.get_by_test_id("exchange-preview").click()
    expect(bob.get_by_test_id("quote-rate")).to_contain_text("10")
    expect(bob.get_by_test_id("quote-total")).to_have_attribute("data-total", "125")
    assert not m.Exchange.objects.exists()  # a preview applies nothing
    bob.get_by_test_id("exchange-confirm").click()

    expect(bob.locator(".messages")).to_contain_text("已用 12.50 工作量单位互换 125 园区积分")
    expect(bob.get_by_test_id("balance-WU-amount")).to_have_text("12.50")
    expect(bob.get_by_test_id("balance-ZP-amount")).to_have_text("125")
    points_line = bob.locator('[data-testid="history-line"][data-code="exchange_points"]')
    expect(points_line).to_contain_text("工作量单位互换所得积分")
    expect(points_line).to_contain_text("+125")
    expiry = bob.get_by_test_id("expiry-line")
    expect(expiry).to_have_count(1)
    expect(expiry).to_have_attribute("data-amount", "125")
    expect(bob.get_by_test_id("statement-ZP")).to_have_attribute("data-closing", "125")
    expect(bob.get_by_test_id("statement-WU")).to_have_attribute("data-closing", "1250")
    with bob.expect_download() as download:
        bob.get_by_test_id("statement-csv").click()
    statement = download.value.path().read_text(encoding="utf-8-sig")
    assert "工作量单位互换所得积分" in statement and "+125" in statement
    row = bob.get_by_test_id("exchange-row")
    expect(row).to_have_attribute("data-rate", "10")

    oscar = login("oscar@example.com")
    oscar.goto("/points/operator/")
    oscar.locator("#rate_scenario").select_option(SCENARIO)
    oscar.locator("#rate_points_per_work_unit").fill("20")
    oscar.get_by_test_id("rate-publish").click()
    expect(oscar.locator(".messages")).to_contain_text("汇率已发布")
    expect(oscar.get_by_test_id(f"scenario-rate-{SCENARIO}")).to_have_text("20")
    expect(oscar.get_by_test_id("liability-ZP")).to_have_attribute("data-outstanding", "125")

    bob.goto("/points/")
    expect(bob.get_by_test_id(f"rate-{SCENARIO}")).to_contain_text("1 工作量单位 = 20 园区积分")
    expect(row).to_have_attribute("data-rate", "10")
    expect(row).to_have_attribute("data-points", "125")
    expect(bob.get_by_test_id("balance-ZP-amount")).to_have_text("125")
    (done,) = m.Exchange.objects.all()
    assert (done.points, done.rate.points_per_work_unit) == (125, 10)
