"""Real browser flows: Playwright (Python) driving Debian's Chromium, headless, against the
live server on this machine. No browser is downloaded."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from nomadcloud.accounts.models import Membership, User
from nomadcloud.accounts.sms import MemoryBackend
from tests.browser_fixtures import sign_in
from tests.conftest import PASSWORD, World
from tests.helpers import sent_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_nomad_registers_switches_language_signs_out_and_in(page: Page, settings: Any) -> None:
    settings.SMS_BACKEND = "nomadcloud.accounts.sms.MemoryBackend"
    MemoryBackend.outbox.clear()
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")
    page.locator('header a[href="/accounts/register/"]').click()
    page.locator("#id_display_name").fill("林小雨")
    page.locator("#id_phone").fill("13912345678")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_consent").check()
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-code-sent")).to_be_visible()  # not signed in yet
    page.locator("#id_code").fill(sent_code("+8613912345678"))
    page.get_by_test_id("register-code-submit").click()
    expect(page.get_by_test_id("workspace-title")).to_contain_text("林小雨")
    expect(page.get_by_test_id("nomad-panel")).to_be_visible()

    page.get_by_test_id("switch-en").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("workspace-title")).to_contain_text("Welcome")
    page.get_by_test_id("switch-zh-hans").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-Hans")

    page.get_by_test_id("logout").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()
    sign_in(page, "+86 139 1234 5678")
    expect(page.get_by_test_id("workspace-title")).to_contain_text("林小雨")
    assert User.objects.get(phone="+8613912345678").preferred_language == "zh-hans"


def test_enterprise_admin_invites_a_member_who_joins(
    page: Page, browser: Browser, live_server: Any, world: World
) -> None:
    sign_in(page, "olivia@example.com")
    page.goto(f"/accounts/organisations/{world.acme.public_id}/")
    page.locator("#id_email").fill("newhire@example.com")
    page.locator("#id_role").select_option("member")
    page.get_by_test_id("invite-submit").click()
    link = page.get_by_test_id("invitation-url").inner_text()
    assert re.search(r"/accounts/invitations/[\w-]+/$", link)
    expect(page.get_by_test_id("invitations")).to_contain_text("newhire@example.com")

    newcomer = User.objects.create_user("newhire@example.com", PASSWORD, display_name="Nia")
    other = browser.new_context(base_url=live_server.url, locale="en-US")
    invitee = other.new_page()
    sign_in(invitee, "newhire@example.com")
    invitee.goto(link.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))
    invitee.get_by_test_id("accept-invitation").click()
    expect(invitee.get_by_test_id("members")).to_contain_text("Nia")
    other.close()
    assert Membership.objects.get(user=newcomer, organisation=world.acme).role == "member"
