"""axe-core (npm, the engine behind most accessibility checkers) on every page each demo persona
reaches from its workspace, in Chinese and in English, at desktop width, and on the workspace
and home page at phone width: no serious or critical violation of WCAG 2.1 A/AA.

The crawl follows the links a person sees (two clicks from the workspace), so a page no role can
reach is not checked here; tests/test_permissions.py makes sure every page is in a role's table.
"""

from __future__ import annotations

import functools
import re
from collections import deque
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError

from nomadcloud.accounts.demo import DEMO_PASSWORD, PERSONAS
from nomadcloud.accounts.models import User
from tests.browser_fixtures import demo_zone as seeded_demo_zone
from tests.browser_fixtures import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.one_database("sqlite")]

AXE = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
# Not pages a person reads: signing out, files, the API and its third-party documentation
# viewer, the admin (Django's own), language switching.
SKIPPED = ("/accounts/logout", "/admin/", "/api/", "/static/", "/media/", "/i18n/")
PAGES_PER_PERSONA = 45
RUN_AXE = """async () => {
  const result = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    }));
}"""


@functools.cache
def axe_source() -> str:
    return AXE.read_text()


def axe_violations(page: Page) -> list[dict[str, Any]]:
    # evaluate() runs through the DevTools protocol, outside the page's CSP (no inline script).
    # A context made with ``add_init_script(axe_source())`` (the crawl) has axe-core in every
    # page already: it is not sent and compiled again (decision 0060).
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.evaluate(axe_source())
    return page.evaluate(RUN_AXE)  # type: ignore[no-any-return]


def internal_links(page: Page) -> list[str]:
    hrefs: list[str] = page.eval_on_selector_all(
        "a[href]", "links => links.map((a) => a.getAttribute('href'))"
    )
    paths = []
    for href in hrefs:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or not parts.path.startswith("/"):
            continue
        if parts.path.startswith(SKIPPED) or "download" in parts.path or "." in parts.path:
            continue
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return paths


def shape(path: str) -> str:
    """Pages of one kind (every demand's page) are checked once: the first one found."""
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|(?<=/)\d+(?=/|$)", "*", path.split("?")[0])


def crawl(page: Page, start: str, depth: int = 2) -> dict[str, list[dict[str, Any]]]:
    """Every kind of page within ``depth`` clicks of ``start``, with its serious violations."""
    found: dict[str, list[dict[str, Any]]] = {}
    queue = deque([(start, 0)])
    seen = {shape(start)}
    while queue and len(found) < PAGES_PER_PERSONA:
        path, level = queue.popleft()
        try:
            response = page.goto(path)
        except PlaywrightError as error:  # a link to a file (an export) starts a download
            assert "Download is starting" in str(error), error
            continue
        if (
            response is None
            or response.status >= 400
            or not response.headers.get("content-type", "").startswith("text/html")
        ):
            continue
        found[path] = axe_violations(page)
        if level < depth:
            for link in internal_links(page):
                if shape(link) not in seen:
                    seen.add(shape(link))
                    queue.append((link, level + 1))
    return found


@pytest.fixture
def demo_zone(transactional_db: None, audit_triggers_lifted_for_flush: None) -> None:
    # Seeded by the process's first crawl, restored from its snapshot for the other language.
    seeded_demo_zone(nomads=6)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_serious_accessibility_violation_on_any_page_of_any_persona(
    browser: Browser, live_server: Any, demo_zone: None, language: str
) -> None:
    assert AXE.exists(), "axe-core is installed by `make assets` (npm)"
    failures: list[str] = []
    checked = 0
    for persona in [None, *PERSONAS]:
        if persona is not None:
            User.objects.filter(email=persona.email).update(preferred_language=language)
        for viewport, depth in ((DESKTOP, 2), (PHONE, 0)):
            context = browser.new_context(
                base_url=live_server.url,
                locale="zh-CN" if language == "zh-hans" else "en-GB",
                viewport=viewport,
            )
            # Every page the crawl opens is checked: axe-core is put in each as it loads
            # (through the DevTools protocol, outside the page's CSP), not sent per page.
            context.add_init_script(axe_source())
            page = context.new_page()
            page.set_default_timeout(15_000)
            if persona is not None:
                sign_in(page, persona.email, DEMO_PASSWORD)
            start = "/accounts/workspace/" if persona is not None else "/"
            pages = crawl(page, start, depth)
            if persona is None and depth == 0:
                pages |= crawl(page, "/accounts/login/", 0)
            context.close()
            checked += len(pages)
            who = persona.key if persona is not None else "anonymous"
            for path, violations in pages.items():
                for v in violations:
                    failures.append(
                        f"{who} {viewport['width']}px {path}: {v['impact']} {v['id']} "
                        f"({v['help']}) at {', '.join(v['nodes'])}"
                    )
    assert checked > 40
    assert failures == [], "\n".join(failures)
