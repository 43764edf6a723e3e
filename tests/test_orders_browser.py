"""The service chain in a real browser (Playwright driving Debian's Chromium, headless,
against the live server; no browser is downloaded): an order goes from open to settled with a
milestone, a revision and acceptance; a dispute is decided by the zone operator; a contract
is recorded as a conversion; and a short training — publish, enrol, submit, assess, pass —
ends with the skill evidence on the nomad's profile.

Each person has their own browser context: Olivia (Acme's owner), Wendy (the nomad), Oscar
(the zone operator)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from nomadcloud.orders.models import Conversion, Order
from nomadcloud.talent.models import SkillEvidence
from nomadcloud.training.models import Enrolment, Scenario
from tests.browser_fixtures import sign_in
from tests.builders.demands import make_concepts
from tests.builders.orders import PDF, accepted_order, delivered_order
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Login = Callable[[str], Page]


@pytest.fixture
def login(
    browser: Browser,
    live_server: Any,
    audit_triggers_lifted_for_flush: None,
    settings: Any,
    tmp_path: Path,
) -> Iterator[Login]:
    """A phone-sized Chinese browser per person, signed in."""
    settings.MEDIA_ROOT = tmp_path / "media"
    contexts = []

    def open_as(email: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale="zh-CN", viewport={"width": 390, "height": 844}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, email)
        return page

    yield open_as
    for context in contexts:
        context.close()


def status_of(page: Page) -> Any:
    return expect(page.get_by_test_id("order-status"))


def test_an_order_goes_from_open_to_settled_with_a_milestone_a_revision_and_acceptance(
    login: Login, world: World
) -> None:
    make_concepts()
    olivia = login("olivia@example.com")
    olivia.goto(f"/orders/organisations/{world.acme.public_id}/")
    olivia.get_by_test_id("new-order").click()
    olivia.locator("#id_title_zh").fill("数据看板开发")
    olivia.locator("#id_title_en").fill("Data dashboard")
    due = timezone.localdate() + timedelta(days=14)
    olivia.locator("#id_milestones-0-title").fill("看板上线")
    olivia.locator("#id_milestones-0-amount").fill("3600.50")
    olivia.locator("#id_milestones-0-due_on").fill(str(due))
    olivia.locator("#id_skills").fill("nc.python 3")
    olivia.get_by_test_id("order-submit").click()
    status_of(olivia).to_have_attribute("data-status", "draft")
    expect(olivia.get_by_test_id("order-total")).to_have_text("¥3,600.50")
    olivia.get_by_test_id("action-open").click()
    status_of(olivia).to_have_attribute("data-status", "open")
    order = Order.objects.get(title_zh="数据看板开发")
    order_page = f"/orders/{order.public_id}/"

    wendy = login("wendy@example.com")
    wendy.goto("/orders/")
    expect(wendy.get_by_test_id("order-market")).to_contain_text("数据看板开发")
    wendy.goto(order_page)
    wendy.locator("#id_note").fill("我做过三个类似的看板。")
    wendy.get_by_test_id("apply").click()
    status_of(wendy).to_have_attribute("data-status", "applied")

    olivia.reload()
    olivia.get_by_test_id(f"assign-{world.wendy.public_id}").click()
    status_of(olivia).to_have_attribute("data-status", "assigned")

    wendy.reload()
    wendy.get_by_test_id("action-in_progress").click()
    status_of(wendy).to_have_attribute("data-status", "in_progress")
    wendy.locator("#id_file").set_input_files(
        files=[{"name": "看板说明.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    wendy.locator("#id_milestone").select_option("1")
    wendy.get_by_test_id("add-deliverable").click()
    expect(wendy.get_by_test_id("deliverables")).to_contain_text("看板说明.pdf")
    wendy.get_by_test_id("action-delivered").click()
    status_of(wendy).to_have_attribute("data-status", "delivered")

    olivia.reload()
    olivia.get_by_test_id("revision-toggle").click()
    olivia.get_by_test_id("revision-reason").fill("请增加按月筛选。")
    olivia.get_by_test_id("request-revision").click()
    status_of(olivia).to_have_attribute("data-status", "in_progress")
    expect(olivia.get_by_test_id("revision-count")).to_contain_text("1")

    wendy.reload()
    wendy.locator("#id_url").fill("https://example.com/wendy/dashboard-v2")
    wendy.get_by_test_id("add-deliverable").click()
    expect(wendy.get_by_test_id("deliverables")).to_contain_text("dashboard-v2")
    wendy.get_by_test_id("action-delivered").click()
    status_of(wendy).to_have_attribute("data-status", "delivered")

    olivia.reload()
    olivia.get_by_test_id("action-accepted").click()  # the confirmation page
    expect(olivia.get_by_test_id("confirm-summary")).to_contain_text("¥3,600.50")
    olivia.get_by_test_id("confirm-button").click()
    status_of(olivia).to_have_attribute("data-status", "accepted")
    olivia.get_by_test_id("action-settled").click()
    olivia.get_by_test_id("confirm-button").click()
    status_of(olivia).to_have_attribute("data-status", "settled")
    expect(olivia.get_by_test_id("settlement-to-nomad")).to_have_text("¥3,600.50")
    expect(
        olivia.get_by_test_id("order-history").locator('[data-change="delivered→in_progress"]')
    ).to_contain_text("请增加按月筛选。")

    order.refresh_from_db()
    assert (order.status, order.revision_count, order.settlement.to_nomad) == (
        "settled",
        1,
        Decimal("3600.50"),
    )
    assert SkillEvidence.objects.filter(reference=order.reference, source="order").exists()


def test_a_dispute_is_decided_by_the_zone_operator(login: Login, world: World) -> None:
    make_concepts()
    order = delivered_order(world)
    wendy = login("wendy@example.com")
    wendy.goto(f"/orders/{order.public_id}/")
    wendy.get_by_test_id("dispute-toggle").click()
    wendy.get_by_test_id("dispute-reason").fill("交付一周没有回复。")
    wendy.get_by_test_id("open-dispute").click()
    status_of(wendy).to_have_attribute("data-status", "disputed")

    oscar = login("oscar@example.com")
    oscar.goto("/orders/disputes/")
    oscar.get_by_test_id("open-disputes").get_by_role("link").first.click()
    oscar.locator("#id_outcome").select_option("split")
    oscar.locator("#id_to_nomad").fill("3000.00")
    oscar.locator("#id_to_enterprise").fill("1000.00")
    oscar.locator("#id_reason").fill("大部分交付物符合要求。")
    oscar.locator("#id_evidence").fill("消息记录与两份交付物")
    oscar.get_by_test_id("resolve").click()
    status_of(oscar).to_have_attribute("data-status", "resolved")
    expect(oscar.get_by_test_id("dispute-decision")).to_contain_text("¥3,000.00")
    expect(oscar.get_by_test_id("settlement-to-nomad")).to_have_text("¥3,000.00")

    dispute = Order.objects.get(pk=order.pk).disputes.get()
    assert (dispute.decided_by, dispute.to_nomad, dispute.to_enterprise) == (
        world.oscar,
        Decimal("3000.00"),
        Decimal("1000.00"),
    )
    wendy.reload()
    expect(wendy.get_by_test_id("dispute-decision")).to_contain_text("¥1,000.00")


def test_a_contract_is_recorded_as_a_conversion(login: Login, world: World) -> None:
    make_concepts()
    order = accepted_order(world)
    olivia = login("olivia@example.com")
    olivia.goto(f"/orders/{order.public_id}/")
    olivia.get_by_test_id("record-conversion").click()
    olivia.locator("#id_kind").select_option("contract")
    expect(olivia.locator("#id_nomad")).to_have_value(str(world.wendy.public_id))
    olivia.locator("#id_starts_on").fill("2026-12-01")
    olivia.locator("#id_ends_on").fill("2028-11-30")
    olivia.locator("#id_documents").set_input_files(
        files=[{"name": "劳动合同.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    olivia.get_by_test_id("conversion-submit").click()
    expect(olivia.get_by_test_id("one-year-or-more")).to_be_visible()
    expect(olivia.get_by_test_id("conversion-documents")).to_contain_text("劳动合同.pdf")

    conversion = Conversion.objects.get()
    assert (conversion.kind, conversion.term_months, conversion.one_year_or_more) == (
        "contract",
        24,
        True,
    )
    assert conversion.order == order

    oscar = login("oscar@example.com")
    oscar.goto("/orders/conversions/report/?period=quarter&year=2026")
    expect(oscar.get_by_test_id("conversion-report-table")).to_contain_text("2026-Q4")


def test_a_short_training_ends_with_skill_evidence_on_the_profile(
    login: Login, world: World
) -> None:
    make_concepts()
    today = timezone.localdate()
    olivia = login("olivia@example.com")
    olivia.goto(f"/training/organisations/{world.acme.public_id}/")
    olivia.get_by_test_id("new-scenario").click()
    olivia.locator("#id_title_zh").fill("Python 数据清洗实训")
    olivia.locator("#id_capacity").fill("3")
    olivia.locator("#id_enrol_from").fill(str(today))
    olivia.locator("#id_enrol_until").fill(str(today + timedelta(days=7)))
    olivia.locator("#id_runs_from").fill(str(today))
    olivia.locator("#id_runs_until").fill(str(today + timedelta(days=14)))
    olivia.locator("#id_pass_score").fill("60")
    olivia.locator("#id_skills").fill("nc.python 3")
    olivia.locator("#id_criteria").fill(
        "2 | 10 | 结果正确 | Correct\n1 | 5 | 代码清楚 | Clear code"
    )
    olivia.get_by_test_id("scenario-submit").click()
    expect(olivia.get_by_test_id("rubric")).to_contain_text("结果正确")
    olivia.get_by_test_id("publish-scenario").click()
    expect(olivia.get_by_test_id("scenario-status")).to_have_attribute("data-status", "published")
    scenario = Scenario.objects.get(title_zh="Python 数据清洗实训")

    wendy = login("wendy@example.com")
    wendy.goto("/training/")
    wendy.get_by_test_id("scenario-list").get_by_role("link", name="Python 数据清洗实训").click()
    wendy.get_by_test_id("enrol").click()
    expect(wendy.get_by_test_id("enrolment-status")).to_have_attribute("data-status", "enrolled")
    wendy.locator("#id_text").fill("清洗脚本与结果见链接。")
    wendy.locator("#id_links").fill("https://example.com/wendy/cleaning")
    wendy.get_by_test_id("submit-work").click()
    expect(wendy.get_by_test_id("enrolment-status")).to_have_attribute("data-status", "submitted")

    enrolment = Enrolment.objects.get(scenario=scenario)
    olivia.goto(f"/training/enrolments/{enrolment.public_id}/")
    olivia.locator("#id_points_1").fill("9")
    olivia.locator("#id_points_2").fill("4")
    olivia.locator("#id_comment").fill("很好。")
    olivia.get_by_test_id("assess").click()
    expect(olivia.get_by_test_id("enrolment-status")).to_have_attribute("data-status", "passed")
    expect(olivia.get_by_test_id("enrolment-score")).to_have_text("86.67%")

    wendy.goto("/talent/profile/")
    expect(wendy.get_by_test_id("skills")).to_contain_text("Python")
    expect(wendy.get_by_test_id("skills")).to_contain_text("training")
    assert SkillEvidence.objects.get(reference=f"training:{enrolment.public_id}").level == 3
