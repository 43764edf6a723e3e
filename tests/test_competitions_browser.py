"""A maker competition's results in a real browser (Playwright driving Debian's Chromium), in
Chinese and in English: the organiser publishes a competition of two rounds (a metric
preliminary scored at once on a hidden answer set, limited to one submission a day, then a
jury final), a team's lead enters the team, a member submits to both rounds (a second
preliminary submission the same day is refused), the jury member scores on the rubric, the
organiser closes the scoring and announces the winners in 公示, makes the awards final, the
finance officer confirms the prize the bank reported paid, and the public winners' page
shows it paid; the winning project is introduced to an enterprise, which accepts, and the
90-day follow-up records a business registered in the zone (with its credit code: a
conversion).

Between the steps the test moves time on (the round closes, the appeal window and the 公示
end) through tests/builders, as the days would."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, expect

from nomadcloud.competitions import matchmaking, results, services
from nomadcloud.competitions.models import Award, Competition, Introduction, Round, Submission
from nomadcloud.competitions.schemas import (
    CompetitionCriterionDraft,
    CompetitionJudgeDraft,
    CompetitionRoundDraft,
    CompetitionTrackDraft,
)
from nomadcloud.core.inputs import parse_draft
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Payout
from tests.browser_fixtures import Login
from tests.builders import competitions as b
from tests.builders.world import World, make_person, verify_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WINNERS = {"zh-hans": "获奖名单", "en": "Winners of"}
PAID = {"zh-hans": "已支付（已确认）", "en": "Paid (confirmed)"}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_team_wins_a_jury_competition_and_its_prize_is_paid(
    login: Login, world: World, browser: Browser, live_server: Any, language: str
) -> None:
    lead = make_person("Lan", "lan@example.com")
    member = make_person("Mei", "mei@example.com")
    team = b.team_of(lead, member, name="椰风创客 Coconut Makers")
    for person in (world.olivia, world.wendy, lead, member):
        person.preferred_language = language
        person.save(update_fields=["preferred_language"])
    b.loaded_calendar()
    # Two rounds: a metric preliminary (at most 1 a day, 2 in all, scored at once on the
    # hidden answer set) and a jury final opening when the preliminary closes.
    item = b.draft_competition(world.acme, world.olivia)
    services.add_track(
        item, actor=None, draft=CompetitionTrackDraft(code="data", title=b.title("数据", "Data"))
    )
    services.add_round(
        item,
        actor=None,
        draft=parse_draft(
            CompetitionRoundDraft,
            b.round_body(max_per_day=1, max_total=2, closes_at=b.iso(timedelta(days=1))),
        ),
    )
    services.add_round(
        item,
        actor=None,
        draft=parse_draft(
            CompetitionRoundDraft,
            b.round_body(
                title=b.title("决赛", "Final"),
                scoring="jury",
                answers={},
                opens_at=b.iso(timedelta(days=1, minutes=1)),
                closes_at=b.iso(timedelta(days=10)),
            ),
        ),
    )
    results.add_criterion(
        item,
        actor=None,
        draft=CompetitionCriterionDraft(
            round=2, code="innovation", title=b.title("创新性", "Innovation"), weight=3
        ),
    )
    results.assign_judge(
        item, actor=None, draft=CompetitionJudgeDraft(round=2, email=world.wendy.email)
    )
    budget = payouts.create_budget(
        programme_code="acme-competition",
        year=2026,
        amount=Decimal("10000.00"),
        owner=world.acme,
        actor=None,
    )
    manage = f"/competitions/{item.public_id}/manage/"

    organiser = login("olivia@example.com")
    organiser.goto(manage)
    organiser.get_by_test_id("move-publish").locator("button").click()
    expect(organiser.get_by_test_id("judges")).to_contain_text(world.wendy.display_name)

    entrant = login("lan@example.com")
    entrant.goto(f"/competitions/{item.public_id}/")
    form = entrant.get_by_test_id("enter-form")
    form.locator("#id_name").fill("跨境选品助手")
    form.locator("#id_team").select_option(str(team.public_id))
    form.locator("button").click()
    expect(entrant.get_by_test_id("my-entry")).to_contain_text(team.name)

    worker = login("mei@example.com")
    worker.goto(f"/competitions/{item.public_id}/")
    # the preliminary: scored at once on the hidden answer set; the day's limit is enforced
    answers = "\n".join(f"{k},{v}" for k, v in b.ANSWERS.items())
    worker.get_by_test_id("submit-1").locator("textarea").fill(answers)
    worker.get_by_test_id("submit-1").locator("button").click()
    expect(worker.get_by_test_id("my-submissions-1")).to_contain_text("1.0000")
    worker.get_by_test_id("submit-1").locator("textarea").fill(answers)
    worker.get_by_test_id("submit-1").locator("button").click()
    expect(worker.locator(".message.error")).to_be_visible()
    expect(worker.get_by_test_id("my-submissions-1").locator("tbody tr")).to_have_count(1)
    assert Submission.objects.filter(round__number=1).count() == 1
    # the preliminary's time (and its appeal window) is over; the final is open
    first, final = item.rounds.order_by("number")
    days = timedelta(days=first.appeal_days + 1)
    Round.objects.filter(pk=first.pk).update(
        opens_at=timezone.now() - days - timedelta(hours=2), closes_at=timezone.now() - days
    )
    Round.objects.filter(pk=final.pk).update(opens_at=timezone.now() - timedelta(minutes=5))
    worker.goto(f"/competitions/{item.public_id}/")
    expect(worker.get_by_test_id("submit-1")).to_have_count(0)
    worker.get_by_test_id("submit-2").locator("textarea").fill(
        "方案与演示 https://example.org/demo"
    )
    worker.get_by_test_id("submit-2").locator("button").click()
    expect(worker.get_by_test_id("my-submissions-2")).to_be_visible()

    item = b.close_submissions(Competition.objects.get(pk=item.pk))  # the final's time is up
    juror = login("wendy@example.com")
    juror.goto(f"/competitions/{item.public_id}/jury/")
    juror.get_by_test_id("score-form-1").locator("input[type=number]").fill("9")
    juror.get_by_test_id("score-form-1").locator("button").click()
    expect(juror.get_by_test_id("scored")).to_be_visible()

    organiser.goto(manage)
    organiser.get_by_test_id("close-scoring-2").locator("button").click()
    expect(organiser.get_by_test_id("jury-board")).to_contain_text("90.00")
    b.end_appeal_windows(item)  # no appeal within the windows (the jury's, the metric's)
    Round.objects.filter(pk=first.pk).update(closes_at=timezone.now() - days)
    organiser.goto(manage)
    announce = organiser.get_by_test_id("announce-form")
    announce.locator("select").select_option(str(budget.public_id))
    announce.get_by_test_id("rank-1").fill("1")
    announce.get_by_test_id("prize-1").fill("3000.00")
    announce.locator("button").click()
    expect(organiser.get_by_test_id("award")).to_be_visible()
    b.end_notice(item)  # the 公示 ended with no objection
    organiser.get_by_test_id("award").locator("button").click()
    expect(organiser.get_by_test_id("award")).to_have_count(0)

    award = Award.objects.get(competition=item)
    payout = Payout.objects.get(public_id=award.payout_id)
    payouts.schedule(payout, actor=None)
    payouts.send(Payout.objects.get(pk=payout.pk), actor=None)  # the bank reports it paid
    payouts.mark_paid(Payout.objects.get(pk=payout.pk), external_reference="BANK-2026-1")
    organiser.goto(f"/payouts/{payout.public_id}/")
    organiser.get_by_test_id("move-confirm").locator("button").click()
    organiser.get_by_test_id("confirm-button").click()
    expect(organiser.get_by_test_id("payout").locator("[data-status]")).to_have_attribute(
        "data-status", "confirmed"
    )

    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN" if language == "zh-hans" else "en-US"
    )
    public = context.new_page()
    public.goto(f"/competitions/{item.public_id}/winners/")
    expect(public.locator("h1")).to_contain_text(WINNERS[language])
    expect(public.get_by_test_id("winners")).to_contain_text(team.name)
    expect(public.get_by_test_id("paid-1")).to_have_attribute("data-paid", "yes")
    expect(public.get_by_test_id("paid-1")).to_contain_text(PAID[language])
    context.close()

    # 获奖项目—企业对接: introduced to Globex, accepted by its owner, registered in the zone
    # at the 90-day follow-up the daily job created.
    verify_org(world.globex)
    organiser.goto(manage)
    introduce = organiser.get_by_test_id("introduce-1")
    introduce.locator("select").select_option(str(world.globex.public_id))
    introduce.locator("textarea").fill("选品数据需求 / product data needs")
    introduce.locator("button").click()
    enterprise = login("charlie@example.com")
    enterprise.goto("/competitions/introductions/")
    enterprise.get_by_test_id("introductions").locator("button").first.click()
    expect(enterprise.get_by_test_id("introductions").locator("li").first).to_have_attribute(
        "data-status", "accepted"
    )
    Introduction.objects.update(answered_at=timezone.now() - timedelta(days=91))
    assert [f.after_days for f in matchmaking.create_follow_ups()] == [30, 90]
    organiser.goto(manage)
    ninety = organiser.get_by_test_id("follow-up-90")
    ninety.locator("select").select_option("registered_in_zone")
    ninety.locator("textarea").fill("营业执照 9146 0300 TEST")
    ninety.locator("input[name=credit_code]").fill("91460100MA5TCP002T")
    ninety.locator("button").click()
    expect(organiser.get_by_test_id("outcome-90")).to_have_attribute(
        "data-outcome", "registered_in_zone"
    )
