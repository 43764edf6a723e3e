"""Certification in a real browser: a nomad applies with a PDF, the 市人社局 reviewer
certifies, anyone verifies the certificate, the reviewer revokes it. Playwright (Python)
driving Debian's Chromium, headless, against the live server; no browser is downloaded."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from nomadcloud.talent.models import Application, Certificate
from tests.conftest import PASSWORD, World
from tests.permissions.talent import PDF, renshe_department, rule_sets

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHROMIUM = os.environ.get("NOMADCLOUD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright runs a loop
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def audit_triggers_lifted_for_flush(transactional_db: None) -> Iterator[None]:
    """Tables are emptied after each live-server test; SQLite's DELETE would hit the audit
    log's append-only triggers, so they are lifted just for that and put back first."""
    from django.db import connection

    from nomadcloud.core import triggers

    triggers.install(connection)
    yield
    triggers.remove(connection)


@pytest.fixture
def page(
    browser: Browser, live_server: Any, audit_triggers_lifted_for_flush: None
) -> Iterator[Page]:
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
    )  # a phone
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def sign_in(page: Page, identifier: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(identifier)
    page.locator("#id_password").fill(password)
    page.get_by_test_id("login-submit").click()


def test_apply_certify_verify_and_revoke(
    page: Page, browser: Browser, live_server: Any, world: World, settings: Any, tmp_path: Path
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
    expect(reviewer.get_by_test_id("certificate-state")).to_have_attribute("data-state", "revoked")
    public.reload()
    expect(public.get_by_test_id("certificate-state")).to_have_attribute("data-state", "revoked")
    reviewer_context.close()
    public_context.close()
    certificate.refresh_from_db()
    assert certificate.revoked_by == world.wendy
