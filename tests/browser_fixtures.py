"""Browser fixtures for every browser test, loaded once from conftest.py: one headless
Chromium per test process (Debian's, never a downloaded one), a fresh phone-sized page per
test against the live server, and sign-in."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import PASSWORD

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


Login = Callable[[str], Page]


@pytest.fixture
def login(
    browser: Browser, live_server: Any, audit_triggers_lifted_for_flush: None
) -> Iterator[Login]:
    """``login(email)``: a page of its own phone-sized browser context (in Chinese, with
    downloads), signed in as that person — for tests where several people act in turn."""
    contexts = []

    def open_as(email: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url,
            locale="zh-CN",
            viewport={"width": 390, "height": 844},
            accept_downloads=True,
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, email)
        return page

    yield open_as
    for context in contexts:
        context.close()


def sign_in(page: Page, identifier: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(identifier)
    page.locator("#id_password").fill(password)
    page.get_by_test_id("login-submit").click()
