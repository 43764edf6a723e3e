"""The concept picker on the public demand list filter, driven by the keyboard only, in
Chinese and English: type pinyin initials, choose with the arrows and Enter, remove the
chip with Backspace, choose again, close with Escape and filter."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Browser, expect

from nomadcloud.taxonomy import lookup
from tests.conftest import World
from tests.test_demands_pages import listing

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.mark.parametrize(
    ("locale", "label", "remove"),
    [("zh-CN", "数据标注", "移除 数据标注"), ("en-US", "Data labelling", "Remove Data labelling")],
)
def test_picking_a_skill_by_name_with_the_keyboard(
    browser: Browser,
    live_server: Any,
    audit_triggers_lifted_for_flush: None,
    world: World,
    locale: str,
    label: str,
    remove: str,
) -> None:
    listing.__wrapped__(world)  # type: ignore[attr-defined]
    lookup.forget()
    context = browser.new_context(
        base_url=live_server.url, locale=locale, viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/demands/")
        page.locator("details summary").focus()
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        combobox = page.locator("#id_skill")
        expect(combobox).to_be_focused()
        page.keyboard.type("sjbz")
        option = page.get_by_role("option", name=label)
        expect(option).to_be_visible()
        expect(combobox).to_have_attribute("aria-expanded", "true")
        page.keyboard.press("ArrowDown")
        expect(option).to_have_attribute("aria-selected", "true")
        page.keyboard.press("Enter")
        chip = page.get_by_role("button", name=remove)
        expect(chip).to_be_visible()
        expect(combobox).to_have_attribute("aria-expanded", "false")
        page.keyboard.press("Backspace")
        expect(chip).to_have_count(0)
        page.keyboard.type("data")
        expect(page.get_by_role("option", name=label)).to_be_visible()
        page.keyboard.press("ArrowDown")
        page.keyboard.press("Enter")
        expect(chip).to_be_visible()
        page.keyboard.type("x")
        page.keyboard.press("Escape")
        page.keyboard.press("Backspace")
        expect(page.get_by_role("listbox")).to_be_hidden()
        page.keyboard.press("Enter")  # submits the filter
        page.wait_for_url("**skill=nc.data-annotation**")
        listed = page.get_by_test_id("demand-list")
        expect(listed).to_contain_text("图像数据标注" if locale == "zh-CN" else "Image labelling")
        expect(listed).not_to_contain_text("Python")
        expect(page.get_by_role("button", name=remove)).to_be_visible()
    finally:
        context.close()
