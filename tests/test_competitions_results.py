"""Competition results (decision 0035): team entries, jury rubric scoring with conflicts of
interest and hidden scores, exact aggregation, appeals, the winners' 公示, prizes through
payouts shown paid only when confirmed, and the follow-ups of introductions."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from nomadcloud.competitions import matchmaking, results, services
from nomadcloud.competitions.models import Appeal, Award, Competition, FollowUp, Judge
from nomadcloud.competitions.schemas import (
    CompetitionAppealDecision,
    CompetitionAppealDraft,
    CompetitionAwardLine,
    CompetitionEntryDraft,
    CompetitionIntroductionDraft,
    CompetitionJudgeDraft,
    CompetitionOutcomeDraft,
    CompetitionRecusalDraft,
    CompetitionScoreSheetDraft,
    CompetitionWinnersDraft,
)
from nomadcloud.core import indicators, publicity
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput
from nomadcloud.orders.models import Conversion
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Payout
from tests.builders.competitions import (
    close_submissions,
    end_appeal_windows,
    end_notice,
    jury_competition,
    loaded_calendar,
    sheet,
    submitted_work,
    team_of,
)
from tests.builders.payouts import budget
from tests.builders.world import World, make_org, make_person, verify_org
from tests.conftest import client_for, database_fingerprint
from tests.helpers import api_post


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _winners(item: Competition, b: object, *lines: tuple[object, int, str]) -> list[Award]:
    draft = CompetitionWinnersDraft(
        budget=b.public_id,  # type: ignore[attr-defined]
        awards=[
            CompetitionAwardLine(entry=e.public_id, rank=r, prize=Decimal(p))  # type: ignore[attr-defined]
            for e, r, p in lines
        ],
    )
    return results.announce_winners(item, actor=None, draft=draft)


def test_a_team_enters_through_its_lead_and_its_members_submit(world: World) -> None:
    lead, member = make_person("Lan", "lan@example.com"), make_person("Mei", "mei@example.com")
    team = team_of(lead, member)
    item = jury_competition(world.acme, world.olivia)
    draft = CompetitionEntryDraft(track="data", name="选品助手", team=team.public_id)
    with pytest.raises(Forbidden) as not_lead:
        services.enter(item, actor=member, draft=draft)
    assert not_lead.value.code == "lead_only"
    entry = services.enter(item, actor=lead, draft=draft)
    assert entry.entrant_kind == "team" and entry.team_ref == str(team.public_id)
    # A member takes part once: not again alone, and the team not twice.
    with pytest.raises(Conflict) as twice:
        services.enter(item, actor=member, draft=CompetitionEntryDraft(track="data", name="x"))
    assert twice.value.code == "already_entered"
    submitted_work(entry, member)  # any accepted member submits
    client = client_for(world.bob)
    response = client.post(
        f"/competitions/entries/{entry.public_id}/submit/", {"round": 1, "content": "x"}
    )
    assert response.status_code == 403  # the organiser's member sees it, may not submit
    # A participant cannot sit on the jury.
    with pytest.raises(InvalidInput) as juror:
        results.assign_judge(
            item, actor=None, draft=CompetitionJudgeDraft(round=1, email=member.email)
        )
    assert juror.value.code == "juror_conflict"


def test_jury_scores_are_hidden_until_closed_and_aggregated_exactly(world: World) -> None:
    j1, j2, j3 = (make_person(f"J{n}", f"j{n}@example.com") for n in (1, 2, 3))
    item = jury_competition(world.acme, world.olivia, j1, j2, j3)
    a = services.enter(item, actor=world.rita, draft=CompetitionEntryDraft(track="data", name="A"))
    b = services.enter(item, actor=world.bob, draft=CompetitionEntryDraft(track="data", name="B"))
    submitted_work(a, world.rita)
    submitted_work(b, world.bob)
    judge1 = Judge.objects.get(user=j1)
    with pytest.raises(Conflict) as early:
        sheet(j1, a, 5, 5)
    assert early.value.code == "scoring_not_open"
    item = close_submissions(item)
    round_ = item.rounds.get()
    results.declare_conflict(
        Judge.objects.get(user=j3),
        draft=CompetitionRecusalDraft(entry=b.public_id, reason="前同事 / former colleague"),
    )
    before = database_fingerprint(["competitions"])
    with pytest.raises(Forbidden) as recused:
        sheet(j3, b, 10, 5)
    assert recused.value.code == "recused"
    with pytest.raises(InvalidInput) as over:
        results.score_entry(
            judge1,
            draft=CompetitionScoreSheetDraft(
                entry=a.public_id, points={"innovation": 11, "feasibility": 1}
            ),
        )
    assert "points.innovation" in over.value.fields
    with pytest.raises(InvalidInput):
        results.score_entry(
            judge1, draft=CompetitionScoreSheetDraft(entry=a.public_id, points={"innovation": 1})
        )
    assert database_fingerprint(["competitions"]) == before
    # A: (3·7/10 + 2·4/5)/5 = 74 %, (3·8/10 + 2·3/5)/5 = 72 %, (3·9/10 + 2·5/5)/5 = 94 %
    sheet(j1, a, 7, 4)
    sheet(j2, a, 8, 3)
    sheet(j3, a, 9, 5)
    # B: (3·10/10+2·1/5)/5 = 68 %, (3·1/10+2·2/5)/5 = 22 %; j3 recused
    sheet(j1, b, 10, 1)
    assert results.jury_board(round_) == []  # hidden while scoring is open
    with pytest.raises(Conflict) as missing:
        results.close_scoring(round_, actor=None)
    assert missing.value.code == "sheets_missing"
    sheet(j2, b, 1, 2)
    results.close_scoring(round_, actor=None)
    round_.refresh_from_db()
    board = results.jury_board(round_)
    assert [(r.entry.name, r.score, r.sheets) for r in board] == [
        ("A", Decimal("80.00"), 3),
        ("B", Decimal("45.00"), 2),
    ]
    # The exact mean is rounded once: 240/3 = 80, (68 + 22)/2 = 45.


def test_appeals_winners_publicity_and_prizes(world: World) -> None:
    loaded_calendar()
    judge = make_person("Ju", "ju@example.com")
    item = jury_competition(world.acme, world.olivia, judge)
    a = services.enter(item, actor=world.rita, draft=CompetitionEntryDraft(track="data", name="A"))
    lead, member = make_person("Lan", "lan2@example.com"), make_person("Mei", "mei2@example.com")
    team = team_of(lead, member, name="二号队")
    b = services.enter(
        item, actor=lead, draft=CompetitionEntryDraft(track="data", name="B", team=team.public_id)
    )
    submitted_work(a, world.rita)
    submitted_work(b, member)
    item = close_submissions(item)
    round_ = item.rounds.get()
    with pytest.raises(Conflict) as too_early:
        results.file_appeal(a, actor=world.rita, draft=CompetitionAppealDraft(round=1, grounds="x"))
    assert too_early.value.code == "appeal_window_closed"
    sheet(judge, a, 5, 5)
    sheet(judge, b, 9, 5)
    results.close_scoring(round_, actor=None)
    appeal = results.file_appeal(
        a, actor=world.rita, draft=CompetitionAppealDraft(round=1, grounds="评分有误")
    )
    prizes = budget(world.acme, "10000.00", code="acme-prizes")
    with pytest.raises(Conflict) as pending:
        _winners(item, prizes, (b, 1, "6000.00"), (a, 2, "3000.00"))
    assert pending.value.code == "appeal_pending"
    results.decide_appeal(
        appeal, actor=world.olivia, draft=CompetitionAppealDecision(upheld=False, reason="复核无误")
    )
    assert Appeal.objects.get().status == "dismissed"
    with pytest.raises(Conflict) as window:
        _winners(item, prizes, (b, 1, "6000.00"), (a, 2, "3000.00"))
    assert window.value.code == "appeal_window_open"
    end_appeal_windows(item)
    with pytest.raises(InvalidInput) as ranks:
        _winners(item, prizes, (b, 1, "6000.00"), (a, 3, "3000.00"))
    assert "awards" in ranks.value.fields
    awards = _winners(item, prizes, (b, 1, "6000.00"), (a, 2, "3000.00"))
    item.refresh_from_db()
    assert item.status == "publicity"
    assert payouts.available(prizes) == Decimal("1000.00")  # committed at publication
    with pytest.raises(DomainError) as still_open:
        results.award(item, actor=None)
    assert still_open.value.code == "publicity_open"
    end_notice(item)
    results.award(item, actor=None)
    first = Award.objects.get(pk=awards[0].pk)
    payout = Payout.objects.get(public_id=first.payout_id)
    assert (payout.payee_kind, payout.payee_id) == ("teams.team", str(team.public_id))
    page = client_for(None).get(f"/competitions/{item.public_id}/winners/")
    assert page.status_code == 200 and "B" in page.content.decode()
    assert first.paid_at is None
    payouts.schedule(payout, actor=None)
    payouts.send(payout, actor=None)
    payouts.mark_paid(Payout.objects.get(pk=payout.pk), external_reference="BANK-1")
    first.refresh_from_db()
    assert first.paid_at is None  # reported by the bank is not paid
    payouts.confirm(Payout.objects.get(pk=payout.pk), actor=world.olivia)
    first.refresh_from_db()
    assert first.paid_at is not None


def test_an_upheld_objection_withdraws_the_winners_and_releases_the_money(world: World) -> None:
    loaded_calendar()
    judge = make_person("Ju", "ju3@example.com")
    item = jury_competition(world.acme, world.olivia, judge)
    a = services.enter(item, actor=world.rita, draft=CompetitionEntryDraft(track="data", name="A"))
    submitted_work(a, world.rita)
    item = close_submissions(item)
    sheet(judge, a, 5, 5)
    results.close_scoring(item.rounds.get(), actor=None)
    end_appeal_windows(item)
    prizes = budget(world.acme, "5000.00", code="acme-prizes-2")
    _winners(item, prizes, (a, 1, "5000.00"))
    notice = publicity.notice_for(results.SUBJECT, str(item.public_id))
    assert notice is not None
    objection = publicity.file_objection(notice, actor=world.bob, grounds="抄袭 / plagiarism")
    publicity.decide_objection(objection, actor=world.olivia, upheld=True, reason="属实")
    item.refresh_from_db()
    assert item.status == "closed" and not item.awards.exists()
    assert payouts.available(prizes) == Decimal("5000.00")


def test_introductions_are_followed_up_at_30_90_180_days(world: World) -> None:
    loaded_calendar()
    judge = make_person("Ju", "ju4@example.com")
    item = jury_competition(world.acme, world.olivia, judge)
    a = services.enter(item, actor=world.rita, draft=CompetitionEntryDraft(track="data", name="A"))
    submitted_work(a, world.rita)
    item = close_submissions(item)
    sheet(judge, a, 5, 5)
    results.close_scoring(item.rounds.get(), actor=None)
    end_appeal_windows(item)
    (award,) = _winners(item, budget(world.acme, "100.00", code="acme-p3"), (a, 1, "0.00"))
    globex = world.globex
    with pytest.raises(Conflict):
        matchmaking.offer(
            award,
            actor=None,
            draft=CompetitionIntroductionDraft(organisation=globex.public_id, note="x"),
        )
    end_notice(item)
    results.award(item, actor=None)
    with pytest.raises(InvalidInput):  # not verified
        matchmaking.offer(
            award,
            actor=None,
            draft=CompetitionIntroductionDraft(organisation=globex.public_id, note="x"),
        )
    verify_org(globex)
    intro = matchmaking.offer(
        award,
        actor=world.olivia,
        draft=CompetitionIntroductionDraft(organisation=globex.public_id, note="选品需求"),
    )
    api = "/api/v1/competitions"
    refused = api_post(
        world.olivia, f"{api}/introductions/{intro.public_id}/answer", {"accept": True}
    )
    assert (refused.status_code, refused.json()["code"]) == (403, "organisation_only")
    answered = api_post(
        world.charlie, f"{api}/introductions/{intro.public_id}/answer", {"accept": True}
    )
    assert answered.status_code == 200 and answered.json()["status"] == "accepted"
    start = timezone.localdate()
    assert matchmaking.create_follow_ups(today=start + timedelta(days=29)) == []
    assert [
        f.after_days for f in matchmaking.create_follow_ups(today=start + timedelta(days=95))
    ] == [30, 90]
    assert matchmaking.create_follow_ups(today=start + timedelta(days=95)) == []  # idempotent
    assert [
        f.after_days for f in matchmaking.create_follow_ups(today=start + timedelta(days=200))
    ] == [180]
    ninety = FollowUp.objects.get(after_days=90)
    with pytest.raises(InvalidInput) as no_evidence:
        matchmaking.record_outcome(
            ninety, actor=None, draft=CompetitionOutcomeDraft(outcome="registered_in_zone")
        )
    assert "evidence" in no_evidence.value.fields
    recorded = api_post(
        world.olivia,
        f"{api}/follow-ups/{ninety.pk}/outcome",
        {"outcome": "registered_in_zone", "evidence": "营业执照 91460000…"},
    )
    assert recorded.status_code == 422 and "credit_code" in recorded.json()["fields"]
    recorded = api_post(
        world.olivia,
        f"{api}/follow-ups/{ninety.pk}/outcome",
        {
            "outcome": "registered_in_zone",
            "evidence": "营业执照",
            "credit_code": "91460100MA5TCP002T",
        },
    )
    assert recorded.status_code == 200, recorded.json()
    assert FollowUp.objects.get(pk=ninety.pk).outcome == "registered_in_zone"
    conversion = Conversion.objects.get(credit_code="91460100MA5TCP002T")
    assert (conversion.kind, conversion.organisation, conversion.nomad) == (
        "business",
        globex,
        world.rita,
    )
    this_month = indicators.Period.parse(timezone.localdate().strftime("%Y-%m"))
    assert indicators.get("competitions.conversions").value(this_month) == 1
    assert indicators.get("competitions.projects_industrialised").value(this_month) == 1
    listed = client_for(world.charlie).get(f"{api}/introductions").json()["items"]
    assert [(i["id"], i["status"]) for i in listed] == [(str(intro.public_id), "accepted")]
    assert [(f["after_days"], f["outcome"]) for f in listed[0]["follow_ups"]] == [
        (30, ""),
        (90, "registered_in_zone"),
        (180, ""),
    ]


def test_a_winner_sees_matched_demands_and_parks_with_explanations(world: World) -> None:
    from nomadcloud.accounts.principal import Principal
    from nomadcloud.competitions.models import Park
    from nomadcloud.matching import matcher
    from nomadcloud.talent import services as talent_services
    from tests.builders.competitions import acme_results
    from tests.builders.demands import concept, make_concepts, published

    concepts = make_concepts()
    talent_services.declare_skill(
        principal=Principal.for_user(world.rita), concept=concepts["python"], level=4
    )
    matcher.reset()
    demand = published(world)
    item = acme_results(world, "awarded")
    award = Award.objects.get(competition=item)
    verify_org(world.globex)
    welcoming = Park.objects.create(organisation=world.globex, capacity=3, note="海口复兴城")
    welcoming.sectors.set([concepts["python"], concepts["labelling"]])
    full = Park.objects.create(organisation=world.department, capacity=0)
    full.sectors.set([concepts["python"]])
    elsewhere = Park.objects.create(
        organisation=verify_org(make_org(world.charlie, "Weld Park")), capacity=9
    )
    elsewhere.sectors.set([concept("nc.welding", "Welding", "焊接")])
    # An organisation not verified is never offered as a landing place, however well it fits.
    unverified = Park.objects.create(organisation=world.pending, capacity=9)
    unverified.sectors.set([concepts["python"], concepts["labelling"]])

    answer = client_for(world.rita).get(f"/api/v1/competitions/awards/{award.public_id}/landings")
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert [d["id"] for d in body["demands"]] == [str(demand.public_id)]
    # full, unrelated, unverified: no
    assert [p["id"] for p in body["parks"]] == [str(world.globex.public_id)]
    python = body["parks"][0]["explanation"]["items"][0]
    assert (python["code"], python["status"]) == ("nc.python", "met")
    page = client_for(world.rita).get(f"/competitions/awards/{award.public_id}/landings/")
    assert page.status_code == 200
    assert "海口复兴城" in page.content.decode()
    stranger = client_for(world.charlie).get(
        f"/api/v1/competitions/awards/{award.public_id}/landings"
    )
    assert stranger.status_code == 404


def test_a_verified_organisation_registers_itself_as_a_park(world: World) -> None:
    """The park profile (page and API): only a verified organisation's owners (or the zone
    operator) register it; unknown sectors are refused by field; nothing changes on refusal;
    a second save replaces the profile and both are in the audit log."""
    from nomadcloud.competitions.models import Park
    from nomadcloud.core.models import AuditEvent
    from tests.builders.taxonomy import concept as labelling
    from tests.helpers import api_get, assert_error

    code = labelling(world).code
    path = f"/api/v1/competitions/parks/{world.acme.public_id}"
    body = {"sectors": [code], "capacity": 4, "note": "工位 / desks"}
    assert_error(
        client_for(world.olivia).put(path, body, content_type="application/json"), "not_verified"
    )
    verify_org(world.acme)
    assert_error(
        client_for(world.rita).put(path, body, content_type="application/json"),
        "park_managers_only",
    )
    unknown = client_for(world.olivia).put(
        path, body | {"sectors": [code, "nc.nope"]}, content_type="application/json"
    )
    assert_error(unknown, "unknown_concept", "sectors.1")
    assert_error(
        client_for(world.olivia).put(
            path, body | {"capacity": -1}, content_type="application/json"
        ),
        "invalid_input",
        "capacity",
    )
    assert not Park.objects.filter(organisation=world.acme).exists()

    saved = client_for(world.olivia).put(path, body, content_type="application/json")
    assert saved.status_code == 200, saved.content
    assert saved.json() | {"organisation": ""} == {
        "organisation": "", "name": str(world.acme), "verified": True,
        "sectors": [code], "capacity": 4, "note": "工位 / desks",
    }  # fmt: skip
    page = client_for(world.olivia).post(
        f"/competitions/parks/{world.acme.public_id}/",
        {"sectors": code, "capacity": "7", "note": ""},
    )
    assert page.status_code == 302
    assert api_get(world.rita, path).json()["capacity"] == 7
    actions = AuditEvent.objects.filter(action__startswith="competitions.park.")
    assert list(actions.order_by("id").values_list("action", flat=True)) == [
        "competitions.park.register",
        "competitions.park.update",
    ]
    shown = client_for(world.rita).get(f"/competitions/parks/{world.acme.public_id}/")
    assert "数据标注" in shown.content.decode() or "data labelling" in shown.content.decode()
    assert 'data-testid="park-form"' not in shown.content.decode()  # Rita only reads
