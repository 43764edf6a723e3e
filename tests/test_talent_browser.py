"""Certification in a real browser: a nomad applies with a PDF, the 市人社局 reviewer
certifies, anyone verifies the certificate, the reviewer revokes it. Playwright (Python)
driving Debian's Chromium, headless, against the live server; no browser is downloaded."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from nomadcloud.talent.models import Application, Certificate
from tests.browser_fixtures import sign_in
from tests.builders.talent import PDF, renshe_department, rule_sets
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_apply_certify_verify_and_revoke(
    page: Page,
    browser: Browser,
    live_server: Any,
    world: World,
    settings: Any,
    tmp_path: Path,
) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    renshe_department(world)  # Wendy reviews for 市人社局 as well
    rule_sets()

    # The nomad applies, with a PDF of their income statement.
    sign_in(page, "bob@example.com")
    page.goto("/talent/certification/apply/")
    page.locator("#id_track").select_option("domestic")
    page.locator("#id_remote_income_cny_12m").fill("90000")
    page.locator("#id_clients_outside_city").fill("2")
    page.locator("#id_planned_stay_days").fill("120")
    page.locator("#id_evidence_kind").select_option("income")
    page.locator("#id_evidence").set_input_files(
        files=[{"name": "收入证明.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_test_id("apply-submit").click()
    expect(page.get_by_test_id("application-status")).to_have_attribute("data-status", "submitted")
    application = Application.objects.get(applicant=world.bob)
    assert application.evidence_files.get().original_name == "收入证明.pdf"

    # The department's reviewer certifies.
    reviewer_context = browser.new_context(base_url=live_server.url, locale="en-US")
    reviewer = reviewer_context.new_page()
    reviewer.set_default_timeout(15_000)
    sign_in(reviewer, "wendy@example.com")
    reviewer.goto("/talent/reviews/")
    reviewer.get_by_test_id("certification-queue").get_by_role("link").first.click()
    expect(reviewer.get_by_test_id("evidence-files")).to_contain_text("收入证明.pdf")
    reviewer.locator("#id_approve_0").check()
    reviewer.locator("#id_reason").fill("Income statement and clients checked.")
    reviewer.locator("#id_checked_evidence").check()  # the required registry check
    reviewer.get_by_test_id("decide-submit").click()
    reviewer.get_by_test_id("issued-certificate").get_by_role("link").click()
    certificate = Certificate.objects.get(holder=world.bob)
    code = certificate.verification_code

    # Anyone verifies it: valid, with the holder's name and nothing more personal.
    public_context = browser.new_context(base_url=live_server.url, locale="en-US")
    public = public_context.new_page()
    public.goto(f"/talent/certificates/{code}/")
    expect(public.get_by_test_id("certificate-state")).to_have_attribute("data-state", "valid")
    expect(public.get_by_test_id("certificate-holder")).to_have_text("Bob Member")
    assert "bob@example.com" not in public.content()

    # The reviewer revokes it, and the public page says so.
    expect(reviewer.get_by_test_id("certificate-state")).to_have_attribute("data-state", "valid")
    reviewer.locator("#id_reason").fill("The income statement was forged.")
    reviewer.get_by_test_id("revoke-submit").click()
    reviewer.get_by_test_id("confirm-button").click()  # the revocation's confirmation page
    expect(reviewer.get_by_test_id("certificate-state")).to_have_attribute("data-state", "revoked")
    public.reload()
    expect(public.get_by_test_id("certificate-state")).to_have_attribute("data-state", "revoked")
    reviewer_context.close()
    public_context.close()
    certificate.refresh_from_db()
    assert certificate.revoked_by == world.wendy
