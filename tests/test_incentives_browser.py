"""The enterprise's incentive journey in a real browser, in Chinese and in English: an
entitlement computed from its conversions, claimed in one click, a supplement requested by
the department and answered, the items verified, the claim in 公示 with an objection
dismissed, approved by a second officer with the budget committed, and the payout scheduled,
paid and confirmed — the claim page shows the payout confirmed only at the end. Every move is
made on the pages: the objection on the notice's page, its dismissal on the decision page and
the payout's moves on payouts' page, reached from the claim."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from nomadcloud.core import publicity
from nomadcloud.core.models import PublicNotice
from nomadcloud.incentives import services
from nomadcloud.incentives.models import Claim
from tests.browser_fixtures import sign_in
from tests.builders.incentives import (
    budget,
    certified_nomads,
    contract,
    last_year,
    load_calendar,
    second_officer,
)
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Login = Callable[[str], Page]
LANGUAGES = {"zh": ("zh-CN", "zh-hans"), "en": ("en-US", "en")}


@pytest.fixture(params=sorted(LANGUAGES))
def login(
    request: Any, browser: Browser, live_server: Any, audit_triggers_lifted_for_flush: None
) -> Iterator[Login]:
    locale, code = LANGUAGES[request.param]
    contexts = []

    def open_as(email: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 390, "height": 844}
        )
        context.add_cookies(
            [{"name": "nomadcloud_language", "value": code, "url": live_server.url}]
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, email)
        return page

    yield open_as
    for context in contexts:
        context.close()


def status(page: Page) -> Any:
    return expect(page.get_by_test_id("claim-status"))


def test_an_enterprise_claims_an_entitlement_through_to_a_confirmed_payout(
    login: Login, world: World
) -> None:
    year = last_year()
    for i, nomad in enumerate(certified_nomads(world, 2, prefix="web")):
        contract(world.acme, nomad, date(year, 4, 1 + i), 12)
    services.compute_entitlements(year)
    budget(world)
    load_calendar()
    second_officer(world)  # victor@…: approver, and finance officer of the department

    olivia = login("olivia@example.com")
    olivia.goto(f"/incentives/organisations/{world.acme.public_id}/")
    entitlement = olivia.locator('[data-testid="entitlement"][data-policy="contract"]')
    expect(entitlement.get_by_test_id("entitlement-amount")).to_have_text("¥10,000.00")
    entitlement.get_by_test_id("claim-entitlement").click()
    status(olivia).to_have_attribute("data-status", "draft")
    expect(olivia.get_by_test_id("claimed-amount")).to_have_text("¥10,000.00")
    olivia.get_by_test_id("submit-claim").click()
    status(olivia).to_have_attribute("data-status", "submitted")
    claim = Claim.objects.get(organisation=world.acme)
    claim_page = f"/incentives/claims/{claim.public_id}/"

    wendy = login("wendy@example.com")
    wendy.goto(claim_page)
    wendy.get_by_test_id("count-item").first.click()
    status(wendy).to_have_attribute("data-status", "verifying")
    wendy.get_by_test_id("supplement-form").evaluate("f => f.closest('details').open = true")
    wendy.get_by_test_id("supplement-form").locator("textarea").fill("Social insurance record?")
    wendy.get_by_test_id("request-supplement").click()
    status(wendy).to_have_attribute("data-status", "supplement_requested")

    olivia.goto(claim_page)
    expect(olivia.get_by_test_id("supplement-request")).to_contain_text("Social insurance")
    olivia.get_by_test_id("answer-form").locator("textarea").fill("Attached to the contract.")
    olivia.get_by_test_id("answer-supplement").click()
    status(olivia).to_have_attribute("data-status", "verifying")

    wendy.goto(claim_page)
    wendy.get_by_test_id("count-item").first.click()
    status(wendy).to_have_attribute("data-status", "verifying")
    wendy.get_by_test_id("complete-verification").click()
    status(wendy).to_have_attribute("data-status", "verified")
    expect(wendy.get_by_test_id("claim-amount")).to_have_text("¥10,000.00")
    wendy.get_by_test_id("open-publicity").click()
    status(wendy).to_have_attribute("data-status", "publicity")

    olivia.goto("/incentives/publicity/")
    expect(olivia.get_by_test_id("publicity-list")).to_contain_text("¥10,000.00")

    # an outsider objects on the notice's page; a second officer dismisses it on the decision page
    charlie = login("charlie@example.com")
    charlie.goto("/incentives/publicity/")
    charlie.get_by_test_id("notice-link").first.click()
    charlie.locator('textarea[name="grounds"]').fill("The contracts are not real.")
    charlie.locator('[data-testid="objection-form"] button[type="submit"]').click()
    expect(charlie.get_by_test_id("mine")).to_contain_text("The contracts are not real.")

    approver = login("victor@example.com")
    approver.goto("/incentives/publicity/")
    approver.get_by_test_id("notice-link").first.click()
    approver.get_by_test_id("to-decide").locator("a").first.click()
    expect(approver.get_by_test_id("grounds")).to_contain_text("not real")
    approver.locator('input[name="upheld"][value="no"]').check()
    approver.locator('textarea[name="reason"]').fill("Checked against the social insurance.")
    approver.locator('form:has(textarea[name="reason"]) button[type="submit"]').click()
    notice = publicity.notice_for("incentives.claim", str(claim.public_id))
    assert notice is not None
    approver.goto(f"/publicity/{notice.pk}/")
    expect(approver.get_by_test_id("decided")).to_contain_text("Checked against")
    # the notice's working days pass
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - timedelta(minutes=1))

    approver.goto(claim_page)
    approver.get_by_test_id("approve-claim").click()
    status(approver).to_have_attribute("data-status", "approved")
    expect(approver.get_by_test_id("claim-payout").locator(".badge")).to_have_attribute(
        "data-status", "approved"
    )

    # the finance officer (an administrator of the paying department) moves the payout on
    # payouts' own page: scheduled, sent (confirmed), paid with the bank's reference
    approver.get_by_test_id("payout-link").click()
    approver.get_by_test_id("move-schedule").locator("button").click()
    expect(approver.get_by_test_id("payout").locator("[data-status]")).to_have_attribute(
        "data-status", "scheduled"
    )
    approver.get_by_test_id("move-send").locator("button").click()
    approver.get_by_test_id("confirm-button").click()
    expect(approver.get_by_test_id("payout").locator("[data-status]")).to_have_attribute(
        "data-status", "paying"
    )
    paid = approver.get_by_test_id("move-mark_paid")
    paid.locator('input[name="external_reference"]').fill("BANK-2026-0042")
    paid.locator("button").click()
    expect(approver.get_by_test_id("payout").locator("[data-status]")).to_have_attribute(
        "data-status", "paid"
    )
    olivia.goto(claim_page)  # paid is not confirmed: the claim says so
    expect(olivia.get_by_test_id("claim-payout").locator(".badge")).to_have_attribute(
        "data-status", "paid"
    )
    approver.get_by_test_id("move-confirm").locator("button").click()
    approver.get_by_test_id("confirm-button").click()
    expect(approver.get_by_test_id("payout").locator("[data-status]")).to_have_attribute(
        "data-status", "confirmed"
    )
    olivia.reload()
    expect(olivia.get_by_test_id("claim-payout").locator(".badge")).to_have_attribute(
        "data-status", "confirmed"
    )
    expect(olivia.get_by_test_id("claim-payout")).to_contain_text("BANK-2026-0042")
