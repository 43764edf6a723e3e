"""A 揭榜挂帅 challenge end to end in a real browser (Debian's Chromium, headless), in Chinese
and in English: the issuer submits the challenge and the department publishes it; the
studio's lead applies (eligibility explained); the department records the qualification; an
expert sees an anonymised proposal (blind first round) and recuses, replaced from the pool;
the experts score; the department selects with reasons and the selection goes into 公示;
the task book is signed on its page after an explicit confirmation; the milestone is
reported and accepted; the department accepts the challenge; the finance officer confirms
the payout; the OCDS feed shows the trail and validates; the lead finds the credential.

Built from tests/builders: the world, the budget, the studio and the expert pool; the two
waits of the real procedure (the application window, the 公示's working days) are passed by
moving their dates. Each person has their own browser context."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from nomadcloud.bounties.models import Application, Assignment, Milestone
from nomadcloud.bounties.schemas import ChallengeDraft
from nomadcloud.bounties.services import challenges
from nomadcloud.core.inputs import parse_draft
from nomadcloud.payouts import services as payouts
from nomadcloud.proofs.models import Credential
from tests.browser_fixtures import sign_in
from tests.builders.bounties import (
    P,
    budget,
    challenge_fields,
    close_window,
    end_publicity,
    experts,
    loaded_calendar,
    ocds_validator,
    person,
    score_all,
    team,
)
from tests.conftest import World

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

Login = Callable[[str], Page]
WORDS = {
    "zh-hans": {
        "published": "已发布",
        "in_progress": "进行中",
        "closed": "已关闭",
        "publicity": "公示",
    },
    "en": {
        "published": "Published",
        "in_progress": "In progress",
        "closed": "Closed",
        "publicity": "Public notice",
    },
}


@pytest.fixture(params=["zh-hans", "en"])
def language(request: Any) -> str:
    return str(request.param)


@pytest.fixture
def login(
    browser: Browser, live_server: Any, audit_triggers_lifted_for_flush: None, language: str
) -> Iterator[Login]:
    contexts = []
    locale = "zh-CN" if language == "zh-hans" else "en-GB"

    def open_as(email: str) -> Page:
        context = browser.new_context(
            base_url=live_server.url, locale=locale, viewport={"width": 390, "height": 844}
        )
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        sign_in(page, email)
        return page

    yield open_as
    for context in contexts:
        context.close()


def move(page: Page, action: str, reason: str = "") -> None:
    form = page.get_by_test_id(f"move-{action}")
    if reason:
        form.locator("input[name=reason]").fill(reason)
    form.get_by_role("button").click()


def test_a_challenge_from_publication_to_payout_and_credentials(
    login: Login, world: World, language: str
) -> None:
    loaded_calendar()
    budget(world)
    lead = person("Tina Lead")
    member = person("Tom Member")
    studio = team(lead, [member], name="蓝鲸工作室 Blue Whale")
    pool = experts(world, n=4)
    for user in (world.olivia, world.wendy, world.oscar, lead, *pool):
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])
    c = challenges.create_challenge(
        principal=P(world.olivia),
        issuer=world.acme,
        draft=parse_draft(ChallengeDraft, challenge_fields(world, blind_first_round=True)),
    )
    url = f"/bounties/{c.public_id}/"
    words = WORDS[language]

    # the issuer submits, the department approves (publishes: the budget is committed)
    olivia = login("olivia@example.com")
    olivia.goto(url)
    move(olivia, "submit")
    wendy = login(world.wendy.email or "")
    wendy.goto(url)
    move(wendy, "approve")
    expect(wendy.get_by_test_id("challenge-status")).to_have_text(words["published"])

    # the studio's lead applies, seeing the eligibility explained per criterion
    tina = login(lead.email or "")
    tina.goto(f"{url}apply/")
    tina.locator("#id_team").select_option(str(studio.public_id))
    tina.locator("#id_proposal").fill("约束求解加到港预测 / constraint solver with arrival model")
    tina.locator("#id_amount").fill("200000.00")
    due = timezone.localdate() + dt.timedelta(days=60)
    tina.locator("#id_plan").fill(f"模型与试点 Model and pilot | 200000.00 | {due.isoformat()}")
    expect(tina.get_by_test_id("eligibility")).to_be_visible()
    tina.get_by_test_id("application-form").get_by_role("button").click()
    expect(tina.get_by_test_id("challenge-status")).to_be_visible()
    app = Application.objects.get(challenge=c)

    # the window closes; the department records the qualification and starts the evaluation
    close_window(c)
    wendy.reload()
    move(wendy, "close_applications")
    form = wendy.get_by_test_id("eligibility-form")
    form.locator("select[name=eligible]").select_option("yes")
    form.get_by_role("button").click()
    move(wendy, "start_evaluation")

    # three experts score the anonymised proposal; one declares a conflict and is replaced
    first_sheet = Assignment.objects.filter(application=app).order_by("pk").first()
    assert first_sheet is not None
    first = login(first_sheet.expert.user.email or "")
    first.goto("/bounties/expert/")
    expect(first.get_by_test_id("assignment-team")).to_have_text(
        {"zh-hans": "方案", "en": "Proposal"}[language] + " " + app.public_id.hex[:6].upper()
    )
    expect(first.get_by_test_id("assignment")).not_to_contain_text("Blue Whale")
    recusal = first.get_by_test_id("recuse-form")
    recusal.locator("textarea[name=conflict]").fill("曾与发榜方合作 / worked with the issuer")
    recusal.get_by_role("button").click()
    expect(first.get_by_test_id("score-form")).to_have_count(0)
    sheets = Assignment.objects.filter(application=app)
    assert sheets.filter(status=Assignment.Status.RECUSED).count() == 1
    assert sheets.filter(status=Assignment.Status.ASSIGNED).count() == 3  # replaced
    score_all(c)

    # selection with reasons, then 公示
    wendy.reload()
    form = wendy.get_by_test_id("selection-form")
    form.locator("select[name=application]").select_option(str(app.public_id))
    form.locator("textarea[name=reason]").fill("技术方案最优 / best technique")
    form.get_by_role("button").click()
    expect(wendy.get_by_test_id("publicity")).to_be_visible()
    expect(wendy.get_by_test_id("challenge-status")).to_have_text(words["publicity"])
    end_publicity(c)
    # the issuer co-signs the selection (who, when, evidence, rule version) before signing
    olivia.goto(url)
    cosign = olivia.get_by_test_id("cosign-form")
    cosign.locator("textarea[name=evidence]").fill("盖章确认函 2026-17 / sealed letter")
    cosign.get_by_role("button").click()
    expect(olivia.get_by_test_id("selection-cosign")).to_contain_text("2026-17")
    wendy.reload()
    move(wendy, "start_signing")

    # the task book: signed on its page, after confirming the version read
    tina.goto(f"{url}task-book/")
    expect(tina.get_by_test_id("book-changes")).to_be_visible()
    tina.get_by_test_id("sign-form").get_by_role("button").click()  # not confirmed: refused
    expect(tina.get_by_test_id("lead-signature")).not_to_contain_text(":")
    tina.get_by_test_id("sign-form").locator("input[name=confirm]").check()
    tina.get_by_test_id("sign-form").get_by_role("button").click()
    expect(tina.get_by_test_id("lead-signature")).to_contain_text(":")
    wendy.goto(f"{url}task-book/")
    wendy.get_by_test_id("sign-form").locator("input[name=confirm]").check()
    wendy.get_by_test_id("sign-form").get_by_role("button").click()
    wendy.goto(url)
    expect(wendy.get_by_test_id("challenge-status")).to_have_text(words["in_progress"])

    # the milestone: reported by the team, accepted by the issuer (a payout is approved)
    tina.goto(url)
    report = tina.get_by_test_id("report-form")
    report.locator("textarea[name=report]").fill("模型上线，试点完成 / model live, pilot done")
    report.locator("input[name=deliverable_sha256]").fill("ab" * 32)
    report.get_by_role("button").click()
    olivia.goto(url)
    review = olivia.get_by_test_id("review-form")
    review.locator("select[name=decision]").select_option("accept")
    review.get_by_role("button").click()
    expect(olivia.get_by_test_id("milestone-payout")).to_have_attribute("data-status", "approved")
    wendy.goto(url)
    move(wendy, "accept_final")

    # the finance officer confirms the payout on its page; the challenge closes
    milestone = Milestone.objects.get(challenge=c)
    assert milestone.payout is not None
    payout = payouts.schedule(milestone.payout, actor=world.oscar)
    payout = payouts.send(payout, actor=world.oscar)
    payouts.mark_paid(payout, external_reference="BANK-JB-0001")
    oscar = login(world.oscar.email or "")
    oscar.goto(f"/payouts/{payout.public_id}/")
    oscar.get_by_test_id("move-confirm").get_by_role("button").click()
    oscar.get_by_test_id("confirm-button").click()
    expect(oscar.get_by_test_id("payout").locator("[data-status]")).to_have_attribute(
        "data-status", "confirmed"
    )
    tina.goto(url)
    expect(tina.get_by_test_id("challenge-status")).to_have_text(words["closed"])
    expect(tina.get_by_test_id("milestone-payout")).to_have_attribute("data-status", "confirmed")

    # the OCDS trail: tender, award, contract, implementation; both packages validate
    releases = tina.request.get("/api/ocds/releases.json").json()
    assert {"tender", "award", "contract", "implementation"} <= {
        r["tag"][0] for r in releases["releases"]
    }
    records = tina.request.get("/api/ocds/records.json").json()
    for name, doc in (
        ("release-package-schema.json", releases),
        ("record-package-schema.json", records),
    ):
        assert [e.message for e in ocds_validator(name).iter_errors(doc)] == []

    # every member holds a credential for their share
    tina.goto("/proofs/mine/")
    expect(tina.get_by_test_id("credential")).to_have_count(1)
    assert {cr.user_id for cr in Credential.objects.filter(kind=Credential.Kind.CHALLENGE)} == {
        lead.pk,
        member.pk,
    }
