"""Proofs of work in a real browser (Playwright driving Debian's Chromium).

An enterprise accepts a data batch; the nomad finds the credential in their list, downloads
it and prints its page; anyone verifies it on the public page (upload, paste, a photo of the
printed QR code), through the API and with the offline command on a copy. The operator
revokes it with a reason: all three then fail naming the revocation (offline, with the
downloaded status list). A second test scans the QR code with a (fake) camera."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import segno
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from nomadcloud.accounts.principal import Principal
from nomadcloud.datatasks import services as datatasks
from nomadcloud.proofs import services
from nomadcloud.proofs.models import Credential
from tests.browser_fixtures import CHROMIUM, CHROMIUM_ARGS, sign_in
from tests.builders.datatasks import answer_all, joined, labelling_skill, open_batch
from tests.builders.proofs import trust_the_zone
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def closed_batch(world: World) -> Any:
    labelling_skill()
    batch = open_batch(world, pay_per_item="0.35")
    for user in (world.charlie, world.wendy):
        joined(world, user, batch)
        answer_all(world, user, batch)
    return datatasks.change_status(
        principal=Principal.for_user(world.olivia), batch=batch, status="closed"
    )


def offline(*args: str) -> dict[str, Any]:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("proofs", "verify", *args, "--json", stdout=out)
    result: dict[str, Any] = json.loads(out.getvalue())
    return result


def checks(result: dict[str, Any]) -> dict[str, str]:
    return {c["name"]: c["code"] for c in result["checks"]}


def new_page(browser: Browser, live_server: Any, **options: Any) -> Page:
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", **options)
    page = context.new_page()
    page.set_default_timeout(15_000)
    return page


def expect_result(page: Page, valid: bool) -> None:
    expect(page.get_by_test_id("verification")).to_have_attribute(
        "data-valid", "true" if valid else "false"
    )


def test_accepted_work_to_a_verified_then_revoked_credential(
    page: Page, browser: Browser, live_server: Any, world: World, settings: Any, tmp_path: Path
) -> None:
    settings.SITE_URL = live_server.url  # the issuer, the QR code and the links point here
    batch = closed_batch(world)

    # the enterprise accepts the batch: credentials are issued in that transaction
    sign_in(page, "olivia@example.com")
    page.goto(f"/datatasks/{batch.public_id}/")
    page.get_by_test_id("accept-batch").click()
    expect(page.get_by_test_id("accept-batch")).to_have_count(0)
    credential = Credential.objects.get(user=world.charlie, kind="data")

    # the operator publishes a checkpoint on the operations page
    operator = new_page(browser, live_server)
    sign_in(operator, "oscar@example.com")
    operator.goto("/accounts/workspace/")
    operator.get_by_test_id("link-proofs-operator").click()
    operator.get_by_test_id("publish-checkpoint").click()
    expect(operator.get_by_test_id("log")).to_contain_text("2")
    assert services.latest_checkpoint() is not None

    # the nomad finds it in the list, downloads it and opens the printable page
    nomad = new_page(browser, live_server)
    sign_in(nomad, "charlie@example.com")
    nomad.goto("/accounts/workspace/")
    nomad.get_by_test_id("link-proofs").click()
    row = nomad.locator(f'[data-testid="credential"][data-credential="{credential.public_id}"]')
    expect(row).to_be_visible()
    expect(row.get_by_test_id("work-units")).to_have_text("2.80")
    expect(row.get_by_test_id("credential-status")).to_contain_text("有效")
    with nomad.expect_download() as info:
        row.get_by_test_id("download-json").click()
    downloaded = tmp_path / "credential.json"
    info.value.save_as(downloaded)
    bundle = json.loads(downloaded.read_text(encoding="utf-8"))
    assert bundle["credential"]["id"] == f"urn:uuid:{credential.public_id}"
    with nomad.expect_download() as info:
        row.get_by_test_id("download-openbadge").click()
    badge = tmp_path / "badge.json"
    info.value.save_as(badge)
    assert "OpenBadgeCredential" in json.loads(badge.read_text(encoding="utf-8"))["type"]
    row.get_by_test_id("printable").click()
    qr = nomad.get_by_test_id("qr").locator("svg")
    expect(qr).to_be_visible()
    expect(nomad.get_by_test_id("certificate")).to_contain_text("2.80")
    photo = tmp_path / "qr.png"
    qr.screenshot(path=str(photo))

    # anyone verifies it: upload, paste, a photo of the printed QR code
    public = new_page(browser, live_server)
    public.goto("/proofs/verify/")
    public.get_by_test_id("upload").set_input_files(str(downloaded))
    public.get_by_test_id("verify-submit").click()
    expect_result(public, True)
    expect(public.locator('[data-check="log"]')).to_have_attribute("data-code", "ok")
    public.goto("/proofs/verify/")
    public.get_by_test_id("paste").fill(json.dumps(bundle["credential"]))
    public.get_by_test_id("verify-submit").click()
    expect_result(public, True)
    public.goto("/proofs/verify/")
    public.wait_for_load_state("load")  # the scanner's scripts are in
    public.get_by_test_id("qr-photo").set_input_files(str(photo))
    public.wait_for_url(f"**/proofs/verify/?credential={credential.public_id}")
    expect_result(public, True)
    # … and the Open Badges file verifies on the page too
    public.goto("/proofs/verify/")
    public.get_by_test_id("upload").set_input_files(str(badge))
    public.get_by_test_id("verify-submit").click()
    expect_result(public, True)

    # through the API
    api = public.request.post("/api/v1/proofs/verify", data=bundle)
    assert api.ok and api.json()["valid"] is True

    # with the offline command, on a copy
    copy = tmp_path / "copy.json"
    shutil.copy(downloaded, copy)
    trust_the_zone(settings, tmp_path)  # the operator ships the zone's DID document
    result = offline(str(copy))
    assert result["valid"] is True and checks(result)["log"] == "ok"

    # the operator revokes it with a reason
    operator.goto(f"/proofs/operator/?credential={credential.public_id}")
    operator.locator("#id_reason").fill("答案抄袭 copied answers")
    operator.get_by_test_id("revoke").click()
    operator.get_by_test_id("confirm-button").click()  # the confirmation page states the units
    expect(operator.get_by_test_id("revoked-note")).to_contain_text("copied answers")

    # all three now fail, naming the revocation and its reason
    public.goto("/proofs/verify/")
    public.get_by_test_id("upload").set_input_files(str(downloaded))
    public.get_by_test_id("verify-submit").click()
    expect_result(public, False)
    expect(public.locator('[data-check="status"]')).to_have_attribute("data-code", "revoked")
    expect(public.get_by_test_id("revoked-reason")).to_contain_text("copied answers")
    public.goto(f"/proofs/verify/?credential={credential.public_id}")  # the QR code's link
    expect_result(public, False)
    api = public.request.post("/api/v1/proofs/verify", data=bundle).json()
    assert api["valid"] is False and checks(api)["status"] == "revoked"
    assert api["revoked_reason"] == "答案抄袭 copied answers"
    status_url = bundle["credential"]["credentialStatus"]["statusListCredential"]
    status_list = tmp_path / "status.json"
    status_list.write_bytes(public.request.get(status_url).body())
    result = offline(str(copy), "--status-list", str(status_list))
    assert result["valid"] is False and checks(result)["status"] == "revoked"
    assert result["revoked_reason"] == "答案抄袭 copied answers"
    # offline without the status list cannot see revocation, and says so
    assert checks(offline(str(copy)))["status"] == "unchecked"
    # the nomad's list shows the revocation with its reason
    nomad.goto("/proofs/mine/")
    expect(row.get_by_test_id("credential-status")).to_contain_text("copied answers")


def y4m_of(text: str, path: Path, width: int = 640, height: int = 480) -> None:
    """A short YUV4MPEG2 video of a QR code (Chromium's fake camera reads it)."""
    matrix = [list(r) for r in segno.make(text, error="m", micro=False).matrix]
    size = len(matrix) + 8  # quiet zone of 4 modules
    module = min(width, height) // size
    left, top = (width - module * size) // 2, (height - module * size) // 2
    luma = bytearray(b"\xeb" * (width * height))
    for y, line in enumerate(matrix):
        for x, dark in enumerate(line):
            if not dark:
                continue
            for dy in range(module):
                start = (top + (y + 4) * module + dy) * width + left + (x + 4) * module
                luma[start : start + module] = b"\x10" * module
    chroma = b"\x80" * (width * height // 4)
    frame = b"FRAME\n" + bytes(luma) + chroma + chroma
    header = f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
    path.write_bytes(header + frame * 10)


def test_the_camera_scans_a_qr_code(
    browser: Browser, live_server: Any, world: World, settings: Any, tmp_path: Path
) -> None:
    settings.SITE_URL = live_server.url
    credential = services.issue_credential(world.rita, _claims())
    assert credential is not None
    services.publish_checkpoint()
    video = tmp_path / "qr.y4m"
    y4m_of(services.verification_url(credential), video)
    camera_browser = browser.browser_type.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-ui-for-media-stream",
            "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        context = camera_browser.new_context(
            base_url=live_server.url, locale="zh-CN", permissions=["camera"]
        )
        page = context.new_page()
        page.set_default_timeout(20_000)
        page.goto("/proofs/verify/")
        page.wait_for_load_state("load")
        page.get_by_test_id("scan-camera").click()
        page.wait_for_url(f"**/proofs/verify/?credential={credential.public_id}")
        expect_result(page, True)
    finally:
        camera_browser.close()


def _claims() -> services.Claims:
    from tests.builders.proofs import claims

    return claims("camera")


def test_a_qr_code_holding_a_credential_fills_the_paste_box(
    page: Page, live_server: Any, world: World, settings: Any, tmp_path: Path
) -> None:
    settings.SITE_URL = live_server.url
    credential = services.issue_credential(world.rita, _claims())
    assert credential is not None
    text = json.dumps(credential.document, ensure_ascii=False, separators=(",", ":"))
    photo = tmp_path / "credential-qr.png"
    segno.make(text, error="l", micro=False).save(str(photo), scale=3, border=4)
    page.goto("/proofs/verify/")
    page.wait_for_load_state("load")
    page.get_by_test_id("qr-photo").set_input_files(str(photo))
    expect(page.get_by_test_id("scan-status")).to_have_attribute("data-state", "msgFilled")
    assert json.loads(page.get_by_test_id("paste").input_value()) == credential.document
    page.get_by_test_id("verify-submit").click()
    expect_result(page, True)
    # a picture without a QR code is reported, in the page's language
    blank = tmp_path / "blank.png"
    segno.make("x").save(str(blank), scale=1, border=0, dark="#fff", light="#fff")
    page.get_by_test_id("qr-photo").set_input_files(str(blank))
    expect(page.get_by_test_id("scan-status")).to_have_attribute("data-state", "msgNotFound")
