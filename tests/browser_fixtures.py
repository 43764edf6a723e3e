"""Browser fixtures for every browser test, loaded once from conftest.py: one headless
Chromium per test process (Debian's, never a downloaded one), a fresh phone-sized page per
test against the live server, and sign-in."""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from nomadcloud.testing import snapshot
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


_SEEDED: dict[tuple[str, int], snapshot.Snapshot] = {}
# Snapshots shared by the workers of one run, in files named for it (an older run's are
# removed after a day).
SHARED = Path(os.environ.get("NOMADCLOUD_DATA_DIR", "var/test")) / "demo-snapshots"


def _seeded(nomads: int) -> snapshot.Snapshot | None:
    """Seed the demo zone, or, when another worker of this run has seeded it already, load
    that snapshot (returned: the caller restores it). None: seeded here."""
    from django.core.management import call_command
    from django.db import connection
    from django.urls import get_resolver

    run = os.environ.get("PYTEST_XDIST_TESTRUNUID")
    if run is None:  # not under pytest-xdist: no other worker to share with
        call_command("seed_demo", nomads=nomads, verbosity=0)
        _SEEDED[(connection.vendor, nomads)] = snapshot.take(connection)
        return None
    SHARED.mkdir(parents=True, exist_ok=True)
    for old in SHARED.iterdir():
        with contextlib.suppress(OSError):
            if old.stat().st_mtime < time.time() - 86_400:
                old.unlink()
    path = SHARED / f"{run}-{connection.vendor}-{nomads}.snapshot"
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # wait while another worker seeds
        try:
            if path.exists():
                taken = snapshot.load(path, connection.vendor)
                _SEEDED[(connection.vendor, nomads)] = taken
                # Seeding imported the URLconf (and with it every view and the API, ~10 s
                # under load); without it the live server's first page would, and could
                # outlast a test's 15 s page timeout.
                get_resolver().url_patterns  # noqa: B018
                return taken
            call_command("seed_demo", nomads=nomads, verbosity=0)
            taken = _SEEDED[(connection.vendor, nomads)] = snapshot.take(connection)
            snapshot.save(taken, path)
            return None
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def demo_zone(nomads: int) -> None:
    """The demo zone with ``nomads`` nomads, committed for the live server into the database
    the previous test's flush emptied: seeded once per run (the first test of any worker that
    asks for it), restored from a snapshot of those rows for every later one
    (nomadcloud/testing/snapshot.py, decisions 0031 and 0060), the same rows each time."""
    from django.db import connection

    from nomadcloud.taxonomy import lookup

    taken = _SEEDED.get((connection.vendor, nomads)) or _seeded(nomads)
    if taken is not None:
        snapshot.restore(connection, taken)
    lookup.forget()  # the search index of the previous test's vocabulary, now flushed


def sign_in(page: Page, identifier: str, password: str = PASSWORD) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(identifier)
    page.locator("#id_password").fill(password)
    page.get_by_test_id("login-submit").click()
