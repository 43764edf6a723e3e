"""The data-pool journey of issue 20 in a real browser, in Chinese on a phone and in English
on a desktop: a nomad contributes consumption data under consent; the steward releases it;
an enterprise requests access, the steward counter-offers, the enterprise accepts, the lead
department confirms the agreement (经核定, decision 0062) and the enterprise runs an
aggregate (a grouping below k is refused on the form); the month's distribution run pays the
contributor, who reads it on their statement; the nomad withdraws consent and the next
release leaves their data out."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from nomadcloud.datapools.models import DatasetVersion, RewardLine, UsageEvent
from nomadcloud.points import book
from tests.browser_fixtures import sign_in
from tests.builders import datapools as b
from tests.builders.world import verify_org
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHAPES = {
    "zh-hans": ("zh-CN", {"width": 390, "height": 844}),  # a phone
    "en": ("en-GB", {"width": 1280, "height": 800}),  # a desktop
}
BELOW_K = {"zh-hans": "少于 10", "en": "fewer than 10"}
ROWS = "".join(f"dining,海花岛,100-499,2026-11-{d:02d},haihuadao\n" for d in range(1, 13))
CSV = ("merchant_category,scenario,amount_band,day,area\n" + ROWS).encode()


@pytest.fixture(params=["zh-hans", "en"])
def language(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def open_as(
    browser: Browser, live_server: Any, audit_triggers_lifted_for_flush: None, language: str
) -> Iterator[Callable[[str], Page]]:
    locale, viewport = SHAPES[language]
    contexts = []

    def open_page(email: str) -> Page:
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


def test_contribute_negotiate_aggregate_reward_and_withdraw(
    open_as: Callable[[str], Page], world: World, language: str
) -> None:
    book.ensure_assets()  # zone points, as the data migration defines them
    pool = b.consumption_pool(world)
    b.contribute(world, pool, who="rita", data=CSV)  # another contributor, 12 rows too
    verify_org(world.acme)
    for user in (world.bob, world.charlie, world.olivia, world.wendy):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])

    # The nomad contributes under consent, from the pool's page.
    nomad = open_as("bob@example.com")
    nomad.goto(f"/datapools/{pool.public_id}/")
    nomad.get_by_test_id("contribute").click()
    expect(nomad.get_by_test_id("consent-notice")).to_be_visible()
    nomad.locator("#id_file").set_input_files(
        files=[{"name": "spending.csv", "mimeType": "text/csv", "buffer": CSV}]
    )
    nomad.locator("#id_consent").check()
    nomad.get_by_test_id("submit-contribution").click()
    expect(nomad.get_by_test_id("contributions")).to_contain_text("12")

    # The steward releases version 1.
    steward = open_as("charlie@example.com")
    steward.goto(f"/datapools/{pool.public_id}/")
    steward.get_by_test_id("release").click()
    expect(steward.get_by_test_id("versions").locator("tbody tr").first).to_contain_text("24")

    # The enterprise requests aggregates for a year; the steward counter-offers 90 days.
    enterprise = open_as("olivia@example.com")
    enterprise.goto(f"/datapools/{pool.public_id}/")
    enterprise.get_by_test_id("request-access").click()
    enterprise.locator("#id_access_mode").select_option("aggregate")
    enterprise.locator("#id_duration_days").fill("365")
    enterprise.get_by_test_id("submit-request").click()
    state = enterprise.get_by_test_id("negotiation-state")
    expect(state).to_have_attribute("data-state", "requested")
    negotiation_url = enterprise.url

    steward.goto("/datapools/negotiations/")
    steward.get_by_test_id("negotiations").get_by_role("link").first.click()
    offer = steward.get_by_test_id("form-offer")
    offer.locator("#id_duration_days").fill("90")
    offer.locator("#id_reason").fill("90 天起步 / 90 days to start")
    steward.get_by_test_id("negotiation-offer").click()
    expect(steward.get_by_test_id("negotiation-state")).to_have_attribute("data-state", "offered")

    enterprise.goto(negotiation_url)
    expect(enterprise.get_by_test_id("term-days")).to_have_text("90")
    enterprise.get_by_test_id("negotiation-accept").click()
    expect(state).to_have_attribute("data-state", "confirming")
    expect(enterprise.get_by_test_id("aggregate-form")).to_have_count(0)  # not yet in force

    # The lead department (市旅文局) finds the agreement awaiting its 核定 and confirms it.
    department = open_as("wendy@example.com")
    department.goto("/datapools/negotiations/")
    department.get_by_test_id("awaiting-link").click()
    department.get_by_test_id("negotiations").get_by_role("link").first.click()
    department.locator("#id_note_confirm").fill("符合章程 / fits the charter")
    department.get_by_test_id("negotiation-confirm").click()
    expect(department.get_by_test_id("negotiation-state")).to_have_attribute("data-state", "agreed")
    expect(department.get_by_test_id("confirmation")).to_contain_text("fits the charter")

    enterprise.reload()
    expect(state).to_have_attribute("data-state", "agreed")

    # A grouping with groups below k is refused on the form; a coarse one is answered.
    form = enterprise.get_by_test_id("aggregate-form")
    form.locator("input[value=day]").check()
    enterprise.get_by_test_id("run-aggregate").click()
    expect(enterprise.locator(".errorlist")).to_contain_text(BELOW_K[language])
    form.locator("input[value=day]").uncheck()
    form.locator("input[value=merchant_category]").check()
    enterprise.get_by_test_id("run-aggregate").click()
    result = enterprise.get_by_test_id("aggregate-result")
    expect(result).to_contain_text("dining")
    expect(result).to_contain_text("24")

    # The use happened last month (moved back here), so last month's run pays it.
    last_month = timezone.now().replace(day=1) - timedelta(days=16)
    assert UsageEvent.objects.update(at=last_month) == 1
    steward.goto(f"/datapools/{pool.public_id}/")
    steward.get_by_test_id("distribute").click()
    expect(steward.get_by_test_id("runs")).to_contain_text("48")
    assert RewardLine.objects.get(contributor=world.bob).points == 24

    nomad.goto("/datapools/mine/")
    expect(nomad.get_by_test_id("rewards")).to_contain_text("24")
    expect(nomad.get_by_test_id("rewards")).to_contain_text("Acme")

    # The nomad withdraws consent; the next release leaves their data out.
    nomad.goto("/consent/")
    nomad.get_by_test_id("consent-records").get_by_role("link").first.click()
    nomad.get_by_test_id("confirm-button").click()
    steward.get_by_test_id("release").click()
    newest = steward.get_by_test_id("versions").locator("tbody tr").first
    expect(newest).to_contain_text("2")
    latest = DatasetVersion.objects.filter(pool=pool).order_by("-number").first()
    assert latest is not None and latest.number == 2
    assert latest.row_count == 12 and latest.excluded_withdrawn == 1
