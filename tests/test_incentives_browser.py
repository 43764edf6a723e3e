"""The enterprise's incentive journey in a real browser, in Chinese and in English: an
entitlement computed from its conversions, claimed in one click, a supplement requested by
the department and answered, the items verified, the claim in 公示 with an objection
dismissed, approved by a second officer with the budget committed, and the payout scheduled,
paid and confirmed — the claim page shows the payout confirmed only at the end."""

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
from nomadcloud.payouts import services as payouts
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
    victor = second_officer(world)

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
    notice = publicity.notice_for("incentives.claim", str(claim.public_id))
    assert notice is not None
    objection = publicity.file_objection(notice, actor=world.charlie, grounds="Not true.")
    publicity.decide_objection(objection, actor=victor, upheld=False, reason="Checked.")
    # the notice's working days pass
    PublicNotice.objects.filter(pk=notice.pk).update(ends_at=timezone.now() - timedelta(minutes=1))

    approver = login("victor@example.com")
    approver.goto(claim_page)
    approver.get_by_test_id("approve-claim").click()
    status(approver).to_have_attribute("data-status", "approved")
    expect(approver.get_by_test_id("claim-payout").locator(".badge")).to_have_attribute(
        "data-status", "approved"
    )

    claim.refresh_from_db()
    assert claim.payout is not None
    payout = payouts.schedule(claim.payout, actor=world.oscar)
    payout = payouts.send(payout, actor=world.oscar)
    payout = payouts.mark_paid(payout, external_reference="BANK-2026-0042")
    olivia.goto(claim_page)
    expect(olivia.get_by_test_id("claim-payout").locator(".badge")).to_have_attribute(
        "data-status", "paid"
    )
    payouts.confirm(payout, actor=world.oscar)
    olivia.reload()
    expect(olivia.get_by_test_id("claim-payout").locator(".badge")).to_have_attribute(
        "data-status", "confirmed"
    )
    expect(olivia.get_by_test_id("claim-payout")).to_contain_text("BANK-2026-0042")
