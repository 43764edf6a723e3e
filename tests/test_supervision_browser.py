"""Milestones and 签收 in a real browser, in Chinese and in English (decision 0065): the office
adds a milestone in both languages and assigns the task; the lead unit finds the task waiting
for its acknowledgement, acknowledges it, reports the milestone done, and reads the task's
calendar."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from icalendar import Calendar
from playwright.sync_api import Browser, Page, expect

from nomadcloud.core import workdays
from tests.browser_fixtures import sign_in
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

    def open_as(email: str) -> Page:
        context = browser.new_context(base_url=live_server.url, locale=locale)
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


def test_a_milestone_is_set_acknowledged_and_reported_done(login: Login, world: World) -> None:
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)
    _community, task = small_plan(world.bob)  # T-2: 市科工信局 (Wendy's unit) leads

    oscar = login("oscar@example.com")
    oscar.goto(f"/supervision/tasks/{task.public_id}/")
    _open(oscar, "action-add_milestone")
    form = oscar.get_by_test_id("action-add_milestone")
    form.locator("[name='title_zh-Hans']").fill("一卡通上线")
    form.locator("[name=title_en]").fill("One card live")
    form.locator("[name=due]").fill((today + dt.timedelta(days=30)).isoformat())
    form.locator("[name=weight]").fill("2")
    form.locator("[name=target]").fill("40")
    form.locator("button[type=submit]").click()
    expect(oscar.get_by_test_id("milestones")).to_contain_text("40")
    _open(oscar, "action-assign")
    assign = oscar.get_by_test_id("action-assign")
    assign.locator("[name=due]").fill((today + dt.timedelta(days=90)).isoformat())
    assign.locator("button[type=submit]").click()
    expect(oscar.get_by_test_id("task-status")).to_have_attribute("data-status", "assigned")

    wendy = login("wendy@example.com")
    wendy.goto("/supervision/")
    expect(wendy.get_by_test_id("to-acknowledge")).to_contain_text(task.code)
    wendy.get_by_test_id(f"task-{task.code}").click()
    _open(wendy, "action-acknowledge")
    wendy.get_by_test_id("action-acknowledge").locator("button[type=submit]").click()
    expect(wendy.get_by_test_id("task-status")).to_have_attribute("data-status", "acknowledged")
    _open(wendy, "action-complete_milestone")
    done = wendy.get_by_test_id("action-complete_milestone")
    done.locator("[name=done_on]").fill(today.isoformat())
    done.locator("[name=evidence]").fill("上线通知 No. 7")
    done.locator("button[type=submit]").click()
    expect(wendy.get_by_test_id("milestones")).to_contain_text("上线通知 No. 7")

    feed = wendy.request.get(f"/supervision/tasks/{task.public_id}/milestones.ics")
    assert feed.ok
    (entry,) = [
        e for e in Calendar.from_ical(feed.body()).walk("VEVENT") if "milestone" in str(e["UID"])
    ]
    assert entry.decoded("DTSTART") == today + dt.timedelta(days=30)
    assert "One card live" in str(entry["SUMMARY"]) or "一卡通上线" in str(entry["SUMMARY"])
