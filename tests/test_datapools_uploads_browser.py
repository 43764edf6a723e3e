"""The contribute page's presigned upload in a real browser (decision 0058): the script hashes
the file, opens a slot, PUTs the bytes to the signed URL and completes the slot."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from nomadcloud.datapools.models import Contribution, UploadSlot
from tests.browser_fixtures import sign_in
from tests.builders import datapools as b
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def browser_page(
    browser: Browser, live_server: Any, audit_triggers_lifted_for_flush: None
) -> Iterator[Page]:
    context = browser.new_context(base_url=live_server.url, locale="en-GB")
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_nomad_uploads_a_contribution_straight_to_storage(
    browser_page: Page, world: World
) -> None:
    pool = b.traffic_pool(world)
    world.bob.preferred_language = "en"
    world.bob.save(update_fields=["preferred_language"])
    page = browser_page
    sign_in(page, "bob@example.com")
    page.goto(f"/datapools/{pool.public_id}/contribute/")
    form = page.get_by_test_id("upload-slot-form")
    form.locator("input[type=file]").set_input_files(
        files=[{"name": "trips.csv", "mimeType": "text/csv", "buffer": b.GOOD_CSV}]
    )
    form.locator("input[name=consent]").check()
    form.get_by_test_id("upload-slot-submit").click()
    expect(page).to_have_url(f"{page.url.split('/datapools/')[0]}/datapools/mine/")
    slot = UploadSlot.objects.get(pool=pool, contributor=world.bob)
    assert slot.status == "completed"
    assert Contribution.objects.get(pk=slot.contribution_id).row_count == 2
