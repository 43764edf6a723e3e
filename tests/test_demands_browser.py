"""The enterprise flow in a real browser (Playwright driving Debian's Chromium): the owner
posts a demand in Chinese, publishes it, sees its job profile and finds it on the public
demand list."""

from __future__ import annotations

import re

import pytest
from django.utils import translation
from playwright.sync_api import Page, expect

from nomadcloud.demands.models import Demand
from tests.browser_fixtures import sign_in
from tests.builders.demands import make_concepts
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_enterprise_owner_posts_a_chinese_demand_and_publishes_it(
    page: Page,
    world: World,
) -> None:
    make_concepts()
    sign_in(page, "olivia@example.com")
    page.goto(f"/demands/organisations/{world.acme.public_id}/")
    page.get_by_test_id("new-demand").click()
    page.locator("#id_kind").select_option("job")
    page.locator("#id_title_zh").fill("C++ 后端工程师")
    page.locator("#id_description_zh").fill(
        "负责高性能服务开发，熟悉 C++ 与 Python，了解 .NET 者优先，可远程办公。"
    )
    page.locator("#id_skills").fill("nc.python 3")
    page.locator("#id_budget_min").fill("20000")
    page.locator("#id_budget_max").fill("30000")
    page.get_by_test_id("demand-submit").click()
    expect(page.get_by_test_id("demand-title")).to_have_text("C++ 后端工程师")
    expect(page.get_by_test_id("demand-status")).to_have_class("badge draft")

    page.get_by_test_id("status-published").click()
    expect(page.get_by_test_id("demand-status")).to_have_class("badge published")
    # The history names the statuses in the reader's language, never the codes.
    moves = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            moves.append(f"{Demand.Status.DRAFT.label} → {Demand.Status.PUBLISHED.label}")
    expect(page.get_by_test_id("demand-history")).to_contain_text(
        re.compile("|".join(re.escape(m) for m in moves))
    )
    expect(page.get_by_test_id("demand-history")).not_to_contain_text("draft → published")
    demand = Demand.objects.get(title_zh="C++ 后端工程师")
    assert demand.status == "published"

    expect(page.get_by_test_id("profile-tags")).to_contain_text("C++")
    page.locator("#id_code").fill("nc.docker")
    page.get_by_test_id("add-tag").click()
    expect(page.get_by_test_id("profile-tags")).to_contain_text("Docker")

    page.goto("/demands/")
    expect(page.get_by_test_id("demand-list")).to_contain_text("C++ 后端工程师")
