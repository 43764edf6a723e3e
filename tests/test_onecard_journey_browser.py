"""The one card's journeys of issue 16 in a real browser (headless Chromium against the live
server): in English, a foreign nomad checks the visa-facilitation letter's conditions,
applies (once-only prefill, the platform's passport and certificate, an uploaded statement),
the window asks for a supplement in one notice, the nomad corrects, the department approves
with four eyes and the signed result downloaded from the page verifies; in Chinese, a
domestic nomad applies for flexible talent recognition and the department decides; and an
enterprise finds the voucher item in the catalogue and claims it through its deep link.
The nomads use a phone (390×844); the officers work at a desktop width."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from nomadcloud.accounts.models import Membership, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.onecard.models import Application
from nomadcloud.onecard.services.results import verify_result
from nomadcloud.proofs.services import did_document
from nomadcloud.talent import services as talent_services
from nomadcloud.vouchers.models import Voucher
from tests.browser_fixtures import Login
from tests.builders import vouchers as vb
from tests.builders.onecard import PDF, onecard_zone
from tests.builders.talent import talent_zone
from tests.builders.world import make_person
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


def _speaks(language: str, *people: User) -> None:
    User.objects.filter(pk__in=[p.pk for p in people]).update(preferred_language=language)


def _status(page: Page, status: str) -> None:
    expect(page.get_by_test_id("application-status")).to_have_attribute("data-status", status)


def _attach(page: Page, code: str, name: str) -> None:
    page.get_by_test_id(f"file-{code}").set_input_files(
        files=[{"name": name, "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.get_by_test_id(f"attach-{code}").click()
    expect(page.get_by_test_id(f"material-{code}")).to_have_attribute("data-provided", "yes")


def test_foreign_nomad_in_english_supplement_approval_signed_result(
    login: Login, world: World
) -> None:
    zone = onecard_zone(world)
    _speaks("en", world.bob)
    _speaks("zh-hans", zone.officer, zone.reviewer, zone.approver)

    nomad = login(world.bob.email or "")
    nomad.goto("/services/KGX-GF-002/?stay_months=8")
    expect(nomad.get_by_test_id("criterion-foreign")).to_have_attribute("data-met", "yes")
    expect(nomad.get_by_test_id("criterion-certified")).to_have_attribute("data-met", "yes")
    expect(nomad.get_by_test_id("eligible")).to_contain_text("You meet every condition")
    nomad.get_by_test_id("apply").click()
    _status(nomad, "draft")
    nomad.get_by_test_id("use-prefill").click()
    expect(nomad.get_by_test_id("prefilled-passport_number")).to_be_visible()
    form = nomad.get_by_test_id("answers-form")
    form.locator("input[name=stay_from]").fill("2027-01-10")
    form.locator("input[name=stay_until]").fill("2027-09-10")
    form.locator("input[name=stay_months]").fill("8")
    form.locator("[name=purpose]").fill("Remote software work")
    nomad.get_by_test_id("save-answers").click()
    nomad.get_by_test_id("use-held-passport").click()
    nomad.get_by_test_id("use-held-certificate").click()
    _attach(nomad, "income", "income.pdf")
    nomad.get_by_test_id("submit-application").click()
    _status(nomad, "submitted")
    application = Application.objects.get(applicant=world.bob)
    path = f"/services/applications/{application.public_id}/"

    # The window (desktop, Chinese) finds it in the queue, receives it and asks once.
    officer = login(zone.officer.email or "")
    officer.set_viewport_size(DESKTOP)
    officer.goto(f"/services/departments/{zone.kegongxin.public_id}/queue/")
    officer.get_by_role("link", name=application.reference).click()
    officer.get_by_test_id("receive").click()
    _status(officer, "received")
    expect(officer.get_by_test_id("clock-promised")).to_have_attribute("data-colour", "green")
    officer.get_by_test_id("supplement-details").locator("summary").click()
    officer.get_by_test_id("supp-income").check()
    officer.get_by_test_id("supp-other").fill("请在第2页签名 / sign page 2")
    officer.get_by_test_id("request-supplement").click()
    _status(officer, "supplement_requested")

    # The nomad sees every item at once, the clock paused, and corrects.
    nomad.goto(path)
    expect(nomad.get_by_test_id("notice-item")).to_have_count(2)
    expect(nomad.get_by_test_id("clock-promised")).to_contain_text("paused: waiting for you")
    _attach(nomad, "income", "statement.pdf")
    nomad.get_by_test_id("resubmit").click()
    _status(nomad, "received")

    # Review, then another person approves (four eyes) and issues the signed result.
    reviewer = login(zone.reviewer.email or "")
    reviewer.set_viewport_size(DESKTOP)
    reviewer.goto(path)
    reviewer.get_by_test_id("start-review").click()
    _status(reviewer, "under_review")
    expect(reviewer.get_by_test_id("four-eyes")).to_be_visible()
    approver = login(zone.approver.email or "")
    approver.set_viewport_size(DESKTOP)
    approver.goto(path)
    approver.get_by_test_id("decision-reasons").fill("条件均已核实")
    approver.get_by_test_id("decide").click()
    _status(approver, "approved")
    approver.get_by_test_id("issue-result").click()
    _status(approver, "result_issued")

    # The nomad downloads the signed result; it verifies offline with the zone's key.
    nomad.goto(path)
    with nomad.expect_download() as download:
        nomad.get_by_test_id("download-result").click()
    document = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert verify_result(document, did_document())
    nomad.get_by_test_id("rating-form").locator("input[name=level][value='5']").check()
    nomad.get_by_test_id("rate").click()
    _status(nomad, "closed")


def test_domestic_nomad_in_chinese_applies_and_is_recognised(login: Login, world: World) -> None:
    talent = talent_zone(world)
    onecard_zone(world)
    rita = world.rita
    rita.nationality = "CN"
    rita.save(update_fields=["nationality"])
    talent_services.decide_certification(
        principal=Principal.for_user(world.wendy),
        application=talent.application,
        department=talent.department,
        approve=True,
        reason="合同已核实",
    )
    from nomadcloud.accounts.models import Organisation

    rencai = Organisation.objects.get(code="rencai", kind="department")
    officer = make_person("Wei Window", "wei@example.com")
    approver = make_person("Ann Approver", "ann@example.com")
    Membership.objects.create(user=officer, organisation=rencai, role="reviewer")
    Membership.objects.create(user=approver, organisation=rencai, role="owner")
    _speaks("zh-hans", rita, officer, approver)

    nomad = login(rita.email or "")
    nomad.goto("/services/RC-QR-006/")
    expect(nomad.get_by_test_id("criterion-certified")).to_have_attribute("data-met", "yes")
    nomad.get_by_test_id("apply").click()
    _status(nomad, "draft")
    form = nomad.get_by_test_id("answers-form")
    form.locator("[name=field_of_work]").fill("数据分析")
    nomad.get_by_test_id("save-answers").click()
    expect(nomad.get_by_text("保存")).not_to_have_count(0)
    _attach(nomad, "cv", "履历.pdf")
    nomad.get_by_test_id("submit-application").click()
    _status(nomad, "submitted")
    application = Application.objects.get(applicant=rita)
    path = f"/services/applications/{application.public_id}/"

    desk = login(officer.email or "")
    desk.set_viewport_size(DESKTOP)
    desk.goto(path)
    desk.get_by_test_id("receive").click()
    _status(desk, "received")
    desk.get_by_test_id("start-review").click()
    _status(desk, "under_review")
    boss = login(approver.email or "")
    boss.set_viewport_size(DESKTOP)
    boss.goto(path)
    boss.get_by_test_id("decision-reasons").fill("符合柔性引才条件")
    boss.get_by_test_id("decide").click()
    boss.get_by_test_id("issue-result").click()
    _status(boss, "result_issued")

    nomad.goto(path)
    expect(nomad.get_by_test_id("application-status")).to_have_text("已出件")
    expect(nomad.get_by_test_id("download-result")).to_be_visible()
    nomad.goto("/services/mine/")
    expect(nomad.get_by_text(application.reference)).to_be_visible()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_an_enterprise_claims_the_voucher_item_through_its_deep_link(
    login: Login, world: World, language: str
) -> None:
    onecard_zone(world)
    programme = vb.programme(world)
    vb.service(world)
    _speaks(language, world.olivia)

    owner = login(world.olivia.email or "")
    if language == "en":
        owner.set_viewport_size(DESKTOP)
    owner.goto("/services/?audience=enterprise")
    owner.locator('a[href="/services/KGX-Q-014/"]').first.click()
    expect(owner.get_by_test_id("item-title")).to_have_text(
        "数据创新券申领" if language == "zh-hans" else "Claiming a data innovation voucher"
    )
    owner.get_by_test_id("deep-link").click()
    owner.wait_for_url("**/vouchers/")
    owner.locator(f'a[href="/vouchers/programmes/{programme.public_id}/"]').first.click()
    owner.get_by_test_id("apply").click()
    form = owner.get_by_test_id("application-form")
    form.locator("#id_enterprise").select_option(str(world.acme.public_id))
    form.locator("#id_service").select_option(index=1)
    for name, value in vb.application_fields(world).items():
        if name in ("service", "copay_declared"):
            continue
        form.locator(f"#id_{name}").fill(str(value))
    form.locator("#id_copay_declared").check()
    owner.get_by_test_id("submit-application").click()
    expect(owner.get_by_test_id("voucher-status")).to_have_attribute("data-status", "applied")
    assert Voucher.objects.filter(enterprise=world.acme, programme=programme).count() == 1
