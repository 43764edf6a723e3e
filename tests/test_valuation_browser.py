"""A valuation walked through its steps in a real browser, in Chinese on a phone and in
English on a desktop: the valuation firm collects the costs, passes the legal gate (after its
confirmation), assesses quality (a weight sum refused on the form first), computes by the
cost and income approaches and reconciles; it signs as the licensed valuer, the department's
reviewer signs off, and the firm issues the snapshot after confirming."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from nomadcloud.valuation.models import Valuation
from tests.browser_fixtures import sign_in
from tests.builders import valuation as b
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHAPES = {
    "zh-hans": ("zh-CN", {"width": 390, "height": 844}),  # a phone
    "en": ("en-GB", {"width": 1280, "height": 800}),  # a desktop
}


@pytest.fixture(params=["zh-hans", "en"])
def language(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def open_as(
    browser: Browser, live_server: Any, audit_triggers_lifted_for_flush: None, language: str
) -> Iterator[Callable[[str], Page]]:
    locale, viewport = SHAPES[language]
    contexts = []

    def open_page(email: str) -> Page:
        context = browser.new_context(base_url=live_server.url, locale=locale, viewport=viewport)
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, email)
        return page

    yield open_page
    for context in contexts:
        context.close()


def _fill(page: Page, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        page.locator(f"[name='{name}']").fill(value)


def test_a_valuation_from_its_data_to_sign_off(
    open_as: Callable[[str], Page], world: World, language: str
) -> None:
    made = b.valuation(world)
    for user in (world.charlie, world.wendy):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    valuer = open_as("charlie@example.com")
    valuer.goto(f"/valuation/{made.public_id}/")

    valuer.get_by_test_id("step-collect").click()
    valuer.locator("[name='cost_lines-0-category']").select_option("acquisition")
    _fill(valuer, {"cost_lines-0-amount": "100000.00", "cost_lines-0-source": "contract CG-14"})
    valuer.get_by_test_id("step-submit").click()

    valuer.get_by_test_id("step-legal-gate").click()
    _fill(valuer, {"rights-resource_holding-evidence": "登记证书 HN-2026-0031"})
    valuer.locator("[name='consent_scope_covers_purpose']").check()
    valuer.get_by_test_id("step-submit").click()
    expect(valuer.get_by_test_id("confirm")).to_be_visible()
    valuer.get_by_test_id("confirm-button").click()
    expect(valuer.get_by_test_id("step-quality")).to_be_visible()

    valuer.get_by_test_id("step-quality").click()
    for dim in ("normative", "completeness", "accuracy", "consistency", "timeliness"):
        _fill(valuer, {f"dimensions-{dim}-score": "80", f"dimensions-{dim}-weight": "0.2",
                       f"dimensions-{dim}-evidence": "sample audit"})  # fmt: skip
    _fill(valuer, {"dimensions-accessibility-score": "80", "dimensions-accessibility-weight":
                   "0.1", "dimensions-accessibility-evidence": "uptime 99 %"})  # fmt: skip
    valuer.get_by_test_id("step-submit").click()  # the weights add up to 1.1
    expect(valuer.locator("#id_dimensions-normative-score_error")).to_be_visible()
    _fill(valuer, {"dimensions-accessibility-weight": "0"})
    valuer.get_by_test_id("step-submit").click()
    valuer.get_by_test_id("confirm-button").click()

    valuer.get_by_test_id("step-compute").click()
    valuer.locator("[name='use_cost']").check()
    valuer.locator("[name='cost-basis']").select_option("historical")
    _fill(valuer, {"cost-return_rate": "0.1"})
    valuer.locator("[name='use_income']").check()
    valuer.locator("[name='income-attribution']").select_option("royalty_split")
    income = {"income-cash_flows": "100000, 110000, 121000", "income-share": "0.3",
              "income-discount_rate": "0.1"}  # fmt: skip
    _fill(valuer, income)
    _fill(valuer, {"assumptions": "Going concern.", "limitations": "Costs of two years.",
                   "method_choice": "Cost and income."})  # fmt: skip
    valuer.get_by_test_id("step-submit").click()
    expect(valuer.get_by_test_id("results")).to_contain_text(
        re.compile(r"88,?000\.00")
    )  # 100000 × 1.1 × 0.8

    valuer.get_by_test_id("step-reconcile").click()
    _fill(valuer, {"weights-cost": "0.5", "weights-income": "0.5", "rationale": "Both apply."})
    valuer.get_by_test_id("step-submit").click()
    expect(valuer.get_by_test_id("final-value")).to_have_text(re.compile(r"84,?909\.09"))
    valuer.get_by_test_id("move-sign").click()

    reviewer = open_as("wendy@example.com")
    reviewer.goto(f"/valuation/{made.public_id}/")
    reviewer.get_by_test_id("move-review").click()
    expect(reviewer.get_by_test_id("move-review")).to_have_count(0)

    valuer.reload()
    valuer.get_by_test_id("move-issue").click()
    expect(valuer.get_by_test_id("confirm")).to_be_visible()
    valuer.get_by_test_id("confirm-button").click()
    expect(valuer.get_by_test_id("snapshot")).to_be_visible()
    made.refresh_from_db()
    assert made.state == Valuation.State.ISSUED and str(made.final_value) == "84909.09"
