"""The cross-border journey of issue 20 item 6 in a real browser, in Chinese on a phone and
in English on a desktop: an exporter files a request on the form, sees the route decided at
once with its cited clauses in both languages, gathers the obligations (the separate consent
read from the consent records, the impact assessment, the standard-contract filing receipt),
and the zone's 网信办 reviewer approves the pre-check, which makes the whitelist entry."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from nomadcloud.core import workdays
from nomadcloud.crossborder.models import ExportRequest, WhitelistEntry
from tests.browser_fixtures import sign_in
from tests.builders import crossborder as b
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHAPES = {
    "zh-hans": ("zh-CN", {"width": 390, "height": 844}),  # a phone
    "en": ("en-GB", {"width": 1280, "height": 800}),  # a desktop
}
RECIPIENT = "Kyoto Inn Partners"
ROUTE = {"zh-hans": "标准合同", "en": "standard contract"}
WHITELISTED = {"zh-hans": "已列入白名单", "en": "whitelisted"}


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


def test_file_route_gather_obligations_and_precheck(
    open_as: Callable[[str], Page], world: World, language: str
) -> None:
    workdays.declare_year_loaded(2027, actor=None)  # a filing due date may run into 2027
    b.cac(world)
    b.separate_consent(world, RECIPIENT, b.PURPOSE)  # Bob's separate consent, on record
    for user in (world.olivia, world.wendy):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])

    # The exporter files the request on the form; the route is decided at once.
    exporter = open_as("olivia@example.com")
    exporter.goto(f"/crossborder/org/{world.acme.public_id}/")
    exporter.get_by_test_id("new-request").click()
    form = exporter.get_by_test_id("request-form")
    form.locator("#id_recipient_name").fill(RECIPIENT)
    form.locator("#id_recipient_country").select_option("JP")
    form.locator("#id_purpose").select_option(b.PURPOSE)
    form.locator("input[name=data_categories][value='pd:Name']").check()
    form.locator("#id_scenario").select_option("other")
    form.locator("#id_pi_count").fill("150000")
    form.locator("#id_sensitive_count").fill("0")
    form.get_by_role("button").click()

    decision = exporter.get_by_test_id("decision")
    expect(decision.locator("[data-route]")).to_have_attribute("data-route", "standard_contract")
    expect(decision.locator("[data-route]")).to_have_text(ROUTE[language])
    clauses = exporter.get_by_test_id("clauses")
    expect(clauses).to_contain_text("《个人信息出境标准合同办法》")
    expect(clauses).to_contain_text("CAC Order 13")
    expect(clauses).to_contain_text("PIPL")
    obligations = exporter.get_by_test_id("obligations")
    expect(obligations.locator("tr[data-kind]")).to_have_count(3)

    # The obligations, one by one: the consent comes from the records, the rest by reference.
    for kind, reference in (
        ("separate_consent", ""),
        ("impact_assessment", "PIA-2026-12"),
        ("filing_receipt", "琼网信备〔2026〕201号"),
    ):
        evidence = exporter.get_by_test_id("evidence-form")
        evidence.locator("#id_kind").select_option(kind)
        evidence.locator("#id_reference").fill(reference)
        evidence.get_by_role("button").click()
        expect(obligations.locator(f"tr[data-kind={kind}] svg")).to_have_count(1)
    expect(exporter.locator("[data-state]").first).to_have_attribute(
        "data-state", "evidence_submitted"
    )
    expect(exporter.get_by_test_id("precheck-clock")).to_be_visible()

    # The 网信办 reviewer finds it in the queue and approves the pre-check.
    reviewer = open_as("wendy@example.com")
    reviewer.goto("/crossborder/review/")
    reviewer.get_by_test_id("requests").first.get_by_role("link").first.click()
    review = reviewer.get_by_test_id("review-form")
    review.locator("#id_approve").select_option("1")
    review.locator("#id_note").fill("材料齐全 / complete")
    review.get_by_role("button").click()
    state = reviewer.locator("hgroup [data-state]")
    expect(state).to_have_attribute("data-state", "whitelisted")
    expect(state).to_have_text(WHITELISTED[language])

    request = ExportRequest.objects.get(recipient_name=RECIPIENT)
    entry = WhitelistEntry.objects.get(request=request)
    assert (entry.route, entry.reference, entry.volume_cap) == (
        "standard_contract",
        "琼网信备〔2026〕201号",
        150_000,
    )
    exporter.goto(f"/crossborder/entries/{entry.public_id}/")
    expect(exporter.get_by_test_id("entry")).to_contain_text(RECIPIENT)
