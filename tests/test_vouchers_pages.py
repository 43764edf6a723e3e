"""The voucher pages and API: bad inputs of the specification refused with a localized
message naming the field (English and Chinese), the department's big moves confirmed
first, a second redemption refused on the page and in the API, the workspace tools."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nomadcloud.vouchers.models import Voucher
from tests.builders import vouchers as b
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import api_post, assert_error


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


def _json(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()}


def _apply_path(w: World) -> str:
    return f"/api/v1/vouchers/programmes/{b.programme(w).public_id}/vouchers"


@pytest.mark.parametrize(
    ("language", "words"), [("en", "at least ¥15,000.00"), ("zh-hans", "不得低于 ¥15,000.00")]
)
def test_api_refuses_a_co_pay_below_the_ratio_naming_the_field(
    world: World, language: str, words: str
) -> None:
    body = {
        **b.application_fields(world, copay_amount="100"),
        "enterprise": str(world.acme.public_id),
    }
    before = database_fingerprint(["vouchers", "payouts"])
    answer = api_post(
        client_for(world.olivia, HTTP_ACCEPT_LANGUAGE=language), _apply_path(world), body
    )
    envelope = assert_error(answer, "copay_below_ratio", field="copay_amount", status=422)
    assert words in envelope["fields"]["copay_amount"][0]
    assert database_fingerprint(["vouchers", "payouts"]) == before


def test_api_refuses_a_float_amount(world: World) -> None:
    body = {**b.application_fields(world), "agreed_price": 50000.5}
    answer = api_post(world.olivia, _apply_path(world), body)
    assert_error(answer, "invalid_input", field="agreed_price", status=422)


def test_api_redemption_over_the_face_value_and_a_second_one(world: World) -> None:
    voucher = b.issued_voucher(world)
    path = f"/api/v1/vouchers/vouchers/{voucher.public_id}/redemption"
    over = api_post(world.charlie, path, _json(b.redemption_fields(amount="35000.01")))
    assert_error(over, "over_face_value", field="amount", status=422)
    first = api_post(world.charlie, path, _json(b.redemption_fields()))
    assert first.status_code == 201, first.content
    assert first.json()["status"] == "awaiting"
    second = api_post(world.charlie, path, _json(b.redemption_fields(invoice_number="INV-9")))
    assert_error(second, "already_redeemed", status=409)


def test_api_issue_and_detail_show_the_code_and_no_paid_before_confirmed(world: World) -> None:
    voucher = b.submitted_voucher(world)
    path = f"/api/v1/vouchers/vouchers/{voucher.public_id}/redemption/decision"
    answer = api_post(world.wendy, path, {"approve": True})
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "verified"
    page = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/vouchers/v/{voucher.public_id}/"
    )
    text = page.content.decode()
    assert voucher.code in text and 'data-status="approved"' in text
    assert "Paid (confirmed)" not in text


def test_the_application_page_shows_the_refusal_on_the_field_in_chinese(world: World) -> None:
    fields = b.application_fields(world, copay_amount="100")
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans")
    answer = client.post(
        f"/vouchers/programmes/{b.programme(world).public_id}/apply/",
        {**fields, "enterprise": str(world.acme.public_id), "copay_declared": "on"},
    )
    assert answer.status_code == 422
    text = answer.content.decode()
    assert "企业自付金额不得低于" in text
    assert not Voucher.objects.exists()


def test_the_department_confirms_before_issuing(world: World) -> None:
    voucher = b.applied_voucher(world)
    client = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en")
    path = f"/vouchers/v/{voucher.public_id}/approve/"
    page = client.get(path)
    assert page.status_code == 200 and "committed on the programme" in page.content.decode()
    client.post(path, {})  # without the confirmation: nothing happens
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.APPLIED
    done = client.post(path, {"confirm": "yes"})
    assert done.status_code == 302
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.ISSUED and voucher.code


def test_a_second_redemption_is_refused_on_the_page(world: World) -> None:
    voucher = b.issued_voucher(world)
    client = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    path = f"/vouchers/v/{voucher.public_id}/redeem/"

    def post(number: str) -> Any:
        fields = {**b.redemption_fields(invoice_number=number)}
        pdf = SimpleUploadedFile("acceptance.pdf", b.PDF, content_type="application/pdf")
        return client.post(path, {**_json(fields), "evidence": pdf})

    assert post("INV-1").status_code == 302
    again = post("INV-2")
    assert again.status_code == 422
    assert "already been redeemed" in again.content.decode()
    assert voucher.redemptions.count() == 1


def test_the_workspace_tools_count_the_waiting_work(world: World) -> None:
    b.redeeming_voucher(world)
    b.applied_provider(world)
    enterprise = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en").get("/accounts/workspace/")
    assert "Deliveries to confirm" in enterprise.content.decode()
    department = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en").get("/accounts/workspace/")
    assert "Redemptions to verify" in department.content.decode()
