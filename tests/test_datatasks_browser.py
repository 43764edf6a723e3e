"""Data-processing work in a real browser (Playwright driving Debian's Chromium): an enterprise
creates a data batch with gold items from a CSV file and opens it; two nomads take the
qualification test and work the batch with the keyboard only (number keys, Enter); the
enterprise closes it and downloads the aggregated export."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from nomadcloud.datatasks.models import Batch, BatchWorker
from tests.browser_fixtures import sign_in
from tests.builders.datatasks import ITEMS_CSV, LABELS, TRUTH, labelling_skill
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def work_with_the_keyboard(worker: Page, batch_url: str) -> int:
    worker.goto("/datatasks/")
    worker.locator(f'[data-testid="open-batches"] a[href="{batch_url}"]').click()
    worker.get_by_test_id("join-batch").click()
    expect(worker.get_by_test_id("next-item")).to_be_visible()
    worker.wait_for_load_state("load")  # the page's script is in
    worker.keyboard.press("Enter")  # starts the qualification test
    answered = 0
    while True:
        expect(worker.get_by_test_id("work-panel")).to_be_visible()
        if worker.get_by_test_id("work-done").count():
            return answered
        item = worker.get_by_test_id("work-item").get_attribute("data-item")
        assert item is not None
        key = str(LABELS.index(TRUTH[item]) + 1)
        worker.keyboard.press(key)
        expect(worker.get_by_test_id(f"choice-{key}")).to_be_checked()
        worker.keyboard.press("Enter")
        expect(worker.locator(f'[data-testid="work-item"][data-item="{item}"]')).to_have_count(0)
        answered += 1
        assert answered < 30


def test_a_batch_with_gold_items_is_qualified_for_worked_and_exported(
    page: Page,
    browser: Browser,
    live_server: Any,
    world: World,
) -> None:
    labelling_skill()
    sign_in(page, "olivia@example.com")
    page.goto(f"/datatasks/organisations/{world.acme.public_id}/")
    page.get_by_test_id("new-batch").click()
    page.locator("#id_title_zh").fill("商品评论情感分类")
    page.locator("#id_instructions_zh").fill("阅读评论，选择情感。")
    page.locator("#id_task_type").select_option("single_label")
    page.locator("#id_labels").fill("\n".join(LABELS))
    page.locator("#id_overlap").fill("2")
    page.locator("#id_pay_per_item").fill("0.35")
    page.locator("#id_gold_percent").fill("20")
    page.locator("#id_skills").fill("nc.data-annotation 4")
    page.locator("#id_file").set_input_files(
        {"name": "reviews.csv", "mimeType": "text/csv", "buffer": ITEMS_CSV}
    )
    page.get_by_test_id("batch-submit").click()
    expect(page.get_by_test_id("batch-title")).to_have_text("商品评论情感分类")
    expect(page.get_by_test_id("batch-status")).to_have_class("badge draft")
    page.get_by_test_id("status-open").click()
    expect(page.get_by_test_id("batch-status")).to_have_class("badge open")
    batch = Batch.objects.get()
    assert (batch.item_count, batch.gold_count, batch.qualification_count) == (11, 5, 3)
    batch_url = f"/datatasks/{batch.public_id}/"

    for email in ("charlie@example.com", "wendy@example.com"):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN")
        worker = context.new_page()
        worker.set_default_timeout(15_000)
        sign_in(worker, email)
        assert work_with_the_keyboard(worker, batch_url) == 3 + 6 + 2
        context.close()
    states = BatchWorker.objects.filter(batch=batch)
    assert sorted(s.status for s in states) == ["qualified", "qualified"]

    page.goto(batch_url)
    page.get_by_test_id("status-closed").click()
    expect(page.get_by_test_id("batch-status")).to_have_class("badge closed")
    expect(page.get_by_test_id("alpha")).to_have_text("1.000")
    with page.expect_download() as info:
        page.get_by_test_id("export-csv").click()
    download = info.value
    assert download.suggested_filename == f"nomadcloud-batch-{batch.public_id}.csv"
    text = open(download.path(), encoding="utf-8-sig").read()  # noqa: SIM115
    rows = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    assert {k: rows[k]["result"] for k in TRUTH} == TRUTH
    assert rows["r1"]["answers"] == "2" and rows["r1"]["method"] == "dawid_skene"
    assert rows["q1"]["method"] == "gold"
