"""Data innovation vouchers in a real browser (Playwright driving Debian's Chromium), in
Chinese and in English: the provider finds the issued voucher from its organisation's
voucher list, redeems it with the invoice and an acceptance sheet, and a second redemption
of the same voucher is refused with the reason on the form; the enterprise then confirms
the delivery."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from nomadcloud.vouchers.models import Redemption
from tests.browser_fixtures import Login
from tests.builders import vouchers as b
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

REFUSED = {"zh-hans": "这张创新券已申请兑付。", "en": "This voucher has already been redeemed."}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_provider_redeems_a_voucher_once_and_a_second_redemption_is_refused(
    login: Login, world: World, language: str
) -> None:
    for person in (world.charlie, world.olivia):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    voucher = b.issued_voucher(world)
    today = timezone.localdate().isoformat()
    provider = login("charlie@example.com")

    def redeem(invoice: str) -> None:
        provider.locator("#id_invoice_number").fill(invoice)
        provider.locator("#id_invoice_date").fill(today)
        provider.locator("#id_invoice_amount").fill("50000.00")
        provider.locator("#id_amount").fill("35000.00")
        provider.locator("#id_delivered_on").fill(today)
        provider.locator("#id_report").fill("清洗完成 / cleaning delivered")
        provider.locator("#id_evidence").set_input_files(
            files=[{"name": "acceptance.pdf", "mimeType": "application/pdf", "buffer": b.PDF}]
        )
        provider.get_by_test_id("submit-redemption").click()

    provider.goto(f"/vouchers/organisations/{world.globex.public_id}/")
    provider.locator(f'[data-testid="vouchers"] a:text("{voucher.code}")').click()
    expect(provider.get_by_test_id("voucher-status")).to_have_attribute("data-status", "issued")
    provider.get_by_test_id("redeem").click()
    redeem("INV-2026-0001")
    expect(provider.get_by_test_id("voucher-status")).to_have_attribute("data-status", "redeeming")
    expect(provider.get_by_test_id("redemption-status")).to_have_attribute(
        "data-status", "awaiting"
    )
    expect(provider.get_by_test_id("redeem")).to_have_count(0)  # no second button

    # A second redemption (another tab kept the form, or a retry): refused, nothing recorded.
    provider.goto(f"/vouchers/v/{voucher.public_id}/redeem/")
    redeem("INV-2026-0002")
    expect(provider.locator(".errorlist")).to_contain_text(REFUSED[language])
    assert Redemption.objects.filter(voucher=voucher).count() == 1

    enterprise = login("olivia@example.com")
    enterprise.goto(f"/vouchers/v/{voucher.public_id}/")
    enterprise.get_by_test_id("confirm-delivery").click()
    expect(enterprise.get_by_test_id("redemption-status")).to_have_attribute(
        "data-status", "submitted"
    )
