"""The application journey in a real browser: the nomad applies from a demand's page in two
clicks, the owner shortlists him, they talk in the conversation and the owner turns it into
an order prefilled from the demand."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from nomadcloud.orders.models import Order
from tests.browser_fixtures import sign_in
from tests.builders.demands import published
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_shortlist_talk_and_make_the_order(page: Page, world: World) -> None:
    demand = published(world)
    sign_in(page, "charlie@example.com")
    page.goto(f"/demands/{demand.public_id}/")
    page.get_by_test_id("apply-link").click()  # click 1
    page.locator("#id_note").fill("我做过类似的数据管道。")
    page.locator("#id_proposed_rate").fill("18000")
    page.locator("#id_availability").fill("即日起")
    page.get_by_test_id("application-submit").click()  # click 2: sent
    expect(page.get_by_test_id("application-status")).to_have_class("badge submitted")
    application_url = page.url

    page.context.clear_cookies()
    sign_in(page, "olivia@example.com")
    page.goto(application_url)
    page.get_by_test_id("shortlist").click()
    expect(page.get_by_test_id("application-status")).to_have_class("badge shortlisted")
    page.get_by_test_id("conversation-link").click()
    page.locator("#id_body").fill("您好，我们聊聊里程碑。")
    page.get_by_test_id("message-submit").click()
    expect(page.get_by_test_id("messages")).to_contain_text("我们聊聊里程碑")
    page.get_by_test_id("convert-link").click()
    expect(page.locator("#id_m0_amount")).to_have_value("25000.00")
    page.get_by_test_id("convert-submit").click()
    expect(page).to_have_url(re.compile(r"/orders/[0-9a-f-]{36}/$"))
    order = Order.objects.get(application__demand=demand)
    assert order.status == "assigned" and order.nomad_id == world.charlie.pk
