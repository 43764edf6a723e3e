"""The phone header and the faces of issue 14 items 4 and 10 in a real browser: no
horizontal overflow at 360 px on the home page and on a busy workspace, in both languages;
the map is drawn; "register your enterprise" ends on the enterprise form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser_fixtures import sign_in
from tests.conftest import PASSWORD, World
from tests.helpers import sent_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _overflow(page: Page) -> int:
    return int(page.evaluate("document.documentElement.scrollWidth - window.innerWidth"))


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_the_phone_header_fits_360_pixels(
    browser: Browser,
    live_server: Any,
    audit_triggers_lifted_for_flush: None,
    world: World,
    language: str,
) -> None:
    context = browser.new_context(
        base_url=live_server.url, locale=language, viewport={"width": 360, "height": 740}
    )
    page = context.new_page()
    try:
        page.goto("/")
        expect(page.get_by_test_id("zone-map")).to_be_visible()
        assert _overflow(page) <= 0
        header = page.locator("header.site-header").bounding_box()
        assert header is not None and header["height"] < 260  # compact: not a page of links
        sign_in(page, "olivia@example.com")
        page.goto("/accounts/workspace/")
        expect(page.get_by_test_id("enterprise-panel")).to_be_visible()
        assert _overflow(page) <= 0
        header = page.locator("header.site-header").bounding_box()
        assert header is not None and header["height"] < 260
    finally:
        context.close()


def test_register_your_enterprise_in_the_browser(page: Page) -> None:
    page.goto("/")
    page.get_by_test_id("register-enterprise").click()
    expect(page.get_by_test_id("register-intent")).to_be_visible()
    page.locator("#id_display_name").fill("陈总")
    page.locator("#id_email").fill("chen@example.com")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_consent").check()
    page.get_by_test_id("register-submit").click()
    expect(page.get_by_test_id("register-code-sent")).to_be_visible()
    page.locator("#id_code").fill(sent_code("chen@example.com"))
    page.get_by_test_id("register-code-submit").click()
    expect(page).to_have_url(re.compile(r"/accounts/organisations/new/\?kind=enterprise$"))
    expect(page.locator("#id_kind")).to_have_value("enterprise")
