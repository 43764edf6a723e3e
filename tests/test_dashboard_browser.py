"""The dashboard and supervision in a real browser, in Chinese and in English: a department
reports a figure and the leadership screen, left open, shows it at its next refresh; an
overdue task raises a red notice to its lead unit, which reports progress and completion,
and the office verifies and closes the task."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from nomadcloud.core import workdays
from nomadcloud.supervision import services
from tests.browser_fixtures import sign_in
from tests.builders.dashboard import targets
from tests.builders.supervision import small_plan
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Login = Callable[..., Page]
LANGUAGES = {"zh": ("zh-CN", "zh-hans"), "en": ("en-US", "en")}


@pytest.fixture(params=sorted(LANGUAGES))
def login(
    request: Any, browser: Browser, live_server: Any, audit_triggers_lifted_for_flush: None
) -> Iterator[Login]:
    locale, code = LANGUAGES[request.param]
    contexts = []

    def open_as(email: str, width: int = 1280, height: int = 900) -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": width, "height": height}
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


def _open(page: Page, testid: str) -> None:
    page.get_by_test_id(testid).evaluate("f => f.closest('details').open = true")


def test_a_reported_figure_reaches_the_screen_and_an_overdue_task_is_closed(
    login: Login, world: World
) -> None:
    targets()
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)

    oscar = login("oscar@example.com", 1920, 1080)
    oscar.goto("/dashboard/?refresh=2")
    card = oscar.get_by_test_id("card-enterprises")
    expect(card).to_have_text("—")

    wendy = login("wendy@example.com")
    wendy.goto("/dashboard/figures/")
    form = wendy.get_by_test_id("figure-form")
    form.locator("[name=indicator]").select_option("dashboard.incubated_enterprises")
    form.locator("[name=period]").fill(str(today.year))
    form.locator("[name=value]").fill("4")
    form.locator("[name=finality]").select_option("P")
    form.locator("[name=as_of]").fill(today.isoformat())
    form.locator("[name=source]").fill("高新技术企业证书 GR2026")
    form.locator("button[type=submit]").click()
    expect(wendy.get_by_test_id("observations")).to_contain_text("GR2026")
    expect(card).to_have_text("4")  # the screen fetched its JSON again by itself
    expect(oscar.get_by_test_id("official-enterprises")).to_contain_text("GR2026")

    # Task 2 of the test plan: 科工信局 (Wendy's unit) leads; it fell due yesterday.
    _community, task = small_plan(world.bob)
    services.assign(
        task,
        actor=world.oscar,
        due=today - dt.timedelta(days=1),
        today=today - dt.timedelta(days=30),
    )
    services.acknowledge(task, actor=world.wendy)
    assert services.sweep(today)["overdue"] == 1

    wendy.goto("/supervision/")
    expect(wendy.get_by_test_id("notice-red")).to_contain_text(task.code)
    wendy.get_by_test_id(f"task-{task.code}").click()
    expect(wendy.get_by_test_id("task-status")).to_have_attribute("data-status", "overdue")
    _open(wendy, "action-report")
    report = wendy.get_by_test_id("action-report")
    report.locator("[name=progress]").fill("100")
    report.locator("[name=note]").fill("一卡通办 20 items live")
    report.locator("button[type=submit]").click()
    expect(wendy.get_by_test_id("task-history")).to_contain_text("20 items live")
    _open(wendy, "action-report_completion")
    done = wendy.get_by_test_id("action-report_completion")
    done.locator("[name=note]").fill("完成 done")
    done.locator("[name=evidence]").fill("验收报告.pdf")
    done.locator("button[type=submit]").click()
    expect(wendy.get_by_test_id("task-status")).to_have_attribute(
        "data-status", "completion_reported"
    )
    wendy.goto("/supervision/")
    expect(wendy.get_by_test_id("notices")).not_to_contain_text(task.code)  # answered

    oscar.goto(f"/supervision/tasks/{task.public_id}/")
    _open(oscar, "action-verify")
    oscar.get_by_test_id("action-verify").locator("button[type=submit]").click()
    expect(oscar.get_by_test_id("task-status")).to_have_attribute("data-status", "verified")
    _open(oscar, "action-close")
    oscar.get_by_test_id("action-close").locator("button[type=submit]").click()
    expect(oscar.get_by_test_id("task-status")).to_have_attribute("data-status", "closed")
