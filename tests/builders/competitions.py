"""Competitions for the competitions tests and the permission matrix: Acme organises them;
Rita (read-only at Acme) has entered the published one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions import matchmaking, results, services
from nomadcloud.competitions.models import (
    Competition,
    Entry,
    Introduction,
    Judge,
    Round,
    Submission,
)
from nomadcloud.competitions.schemas import (
    CompetitionAppealDraft,
    CompetitionAwardLine,
    CompetitionCriterionDraft,
    CompetitionDraft,
    CompetitionEntryDraft,
    CompetitionIntroductionDraft,
    CompetitionJudgeDraft,
    CompetitionRoundDraft,
    CompetitionScoreSheetDraft,
    CompetitionSubmissionDraft,
    CompetitionTrackDraft,
    CompetitionWinnersDraft,
)
from nomadcloud.core import workdays
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.models import PublicNotice
from nomadcloud.payouts import services as payout_services
from nomadcloud.payouts.models import Budget
from nomadcloud.teams import services as team_services
from nomadcloud.teams.models import Team
from nomadcloud.teams.schemas import AnswerDraft, InvitationDraft, TeamDraft
from tests.builders.world import World, verify_org

ANSWERS = {f"item-{n:02d}": ("cat" if n % 3 else "dog") for n in range(1, 21)}


def title(zh: str, en: str) -> dict[str, str]:
    return {"zh-Hans": zh, "en": en}


def iso(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


def competition_body(org: Organisation, **changes: Any) -> dict[str, Any]:
    return {
        "organisation": str(org.public_id),
        "title": title("跨境电商智能选品大赛", "Cross-border e-commerce selection contest"),
        "description": title("数字创客赛事", "A maker competition"),
        "entry_opens_at": iso(timedelta(days=-1)),
        "entry_closes_at": iso(timedelta(days=20)),
    } | changes


def round_body(**changes: Any) -> dict[str, Any]:
    return {
        "title": title("初赛", "Preliminary round"),
        "opens_at": iso(timedelta(hours=-2)),
        "closes_at": iso(timedelta(days=10)),
        "max_per_day": 2,
        "max_total": 3,
        "final_count": 1,
        "scoring": "metric",
        "answers": ANSWERS,
    } | changes


def draft_competition(org: Organisation, actor: User | None = None, **changes: Any) -> Competition:
    return services.create_competition(
        organiser=org,
        actor=actor,
        draft=parse_draft(CompetitionDraft, competition_body(org, **changes)),
    )


def open_competition(org: Organisation, actor: User | None = None, **round_: Any) -> Competition:
    """Published, entries open, one track (``data``) and one metric round open now."""
    item = draft_competition(org, actor)
    services.add_track(
        item, actor=actor, draft=CompetitionTrackDraft(code="data", title=title("数据加工", "Data"))
    )
    services.add_round(
        item, actor=actor, draft=parse_draft(CompetitionRoundDraft, round_body(**round_))
    )
    return services.move(item, actor=actor, action="publish")


def entered(item: Competition, person: User, name: str = "智能选品") -> Entry:
    return services.enter(item, actor=person, draft=CompetitionEntryDraft(track="data", name=name))


def answers_text(right: int) -> str:
    """A metric submission with the first ``right`` items right and the rest wrong."""
    lines = []
    for n, (item, label) in enumerate(ANSWERS.items()):
        lines.append(f"{item},{label if n < right else 'wrong'}")
    return "\n".join(lines)


def submitted(entry: Entry, right: int = 10, round_: int = 1) -> Submission:
    assert entry.person is not None
    return services.submit(
        entry,
        actor=entry.person,
        draft=CompetitionSubmissionDraft(round=round_, content=answers_text(right)),
    )


# --- the permission matrix's objects (Acme organises) ----------------------------------------


def acme_draft(w: World) -> Competition:
    existing = Competition.objects.filter(organiser=w.acme, status="draft").first()
    return existing or draft_competition(w.acme, w.olivia)


def acme_open(w: World) -> Competition:
    existing = Competition.objects.filter(organiser=w.acme, status="published").first()
    return existing or open_competition(w.acme, w.olivia)


def rita_entry(w: World) -> Entry:
    existing = Entry.objects.filter(person=w.rita).first()
    return existing or entered(acme_open(w), w.rita)


def rita_submission(w: World) -> Submission:
    existing = Submission.objects.filter(entry__person=w.rita).first()
    return existing or submitted(rita_entry(w))


# --- teams, juries, results (decision 0035) --------------------------------------------------


def team_of(lead: User, *members: User, name: str = "椰风创客") -> Team:
    """A team led by ``lead`` whose ``members`` accepted (with consent)."""
    team = team_services.create_team(
        principal=Principal.for_user(lead), draft=TeamDraft(kind="team", name=name)
    )
    for person in members:
        team_services.invite_member(
            principal=Principal.for_user(lead), team=team, draft=InvitationDraft(email=person.email)
        )
        team_services.answer_invitation(
            principal=Principal.for_user(person),
            team=team,
            draft=AnswerDraft(accept=True, consent=True),
        )
    return team


def jury_competition(org: Organisation, actor: User | None, *judges: User) -> Competition:
    """Published, one track (``data``), one jury round open now with a two-criterion rubric
    (innovation ×3 of 10 points, feasibility ×2 of 5 points) and the given jury."""
    item = draft_competition(org, actor)
    services.add_track(
        item, actor=actor, draft=CompetitionTrackDraft(code="data", title=title("数据加工", "Data"))
    )
    services.add_round(
        item,
        actor=actor,
        draft=parse_draft(
            CompetitionRoundDraft,
            round_body(title=title("决赛", "Final"), scoring="jury", answers={}),
        ),
    )
    for code, zh, en, weight, top in (
        ("innovation", "创新性", "Innovation", 3, 10),
        ("feasibility", "可行性", "Feasibility", 2, 5),
    ):
        results.add_criterion(
            item,
            actor=actor,
            draft=CompetitionCriterionDraft(
                round=1, code=code, title=title(zh, en), weight=weight, max_points=top
            ),
        )
    item = services.move(item, actor=actor, action="publish")
    for person in judges:
        results.assign_judge(
            item, actor=actor, draft=CompetitionJudgeDraft(round=1, email=person.email)
        )
    return item


def submitted_work(
    entry: Entry, by: User, text: str = "方案与演示 https://example.org/demo"
) -> Submission:
    return services.submit(entry, actor=by, draft=CompetitionSubmissionDraft(round=1, content=text))


def close_submissions(item: Competition) -> Competition:
    """As if the rounds' and the entry windows' time were up; the organiser closes it."""
    past = timezone.now() - timedelta(minutes=1)
    for r in item.rounds.all():
        Round.objects.filter(pk=r.pk).update(
            opens_at=min(r.opens_at, past - timedelta(hours=1)), closes_at=past
        )
    if item.status == Competition.Status.PUBLISHED:
        item = services.move(item, actor=None, action="close")
    return item


def sheet(judge: User, entry: Entry, innovation: int, feasibility: int) -> None:
    j = Judge.objects.get(user=judge, round__competition=entry.competition)
    results.score_entry(
        j,
        draft=CompetitionScoreSheetDraft(
            entry=entry.public_id, points={"innovation": innovation, "feasibility": feasibility}
        ),
    )


def end_appeal_windows(item: Competition) -> None:
    for r in item.rounds.all():
        if r.scoring_closed_at is not None:
            Round.objects.filter(pk=r.pk).update(
                scoring_closed_at=r.scoring_closed_at - timedelta(days=r.appeal_days, minutes=1)
            )


def loaded_calendar() -> None:
    """The 公示's working days fall in loaded years whatever today is."""
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)


def end_notice(item: Competition) -> None:
    PublicNotice.objects.filter(
        subject_kind=results.SUBJECT, subject_id=str(item.public_id)
    ).update(ends_at=timezone.now() - timedelta(minutes=1))


# --- the permission matrix's results objects (Acme organises; Wendy sits on the jury; Rita
# entered; Globex, verified, is offered the winning project) ----------------------------------

STAGES = (
    "jury_draft",
    "jury_open",
    "scoring",
    "scored",
    "results",
    "appealed",
    "announceable",
    "publicity",
    "awarded",
    "introduced",
    "followed",
)


def acme_results(w: World, stage: str) -> Competition:
    """An Acme jury competition brought to ``stage`` (one of ``STAGES``), found again by its
    marker title when the case's path and body both ask for it."""
    marker = f"results-{stage}"
    existing = Competition.objects.filter(title__en=marker).first()
    if existing is not None:
        return existing
    at = STAGES.index(stage)
    item = services.create_competition(
        organiser=w.acme,
        actor=w.olivia,
        draft=parse_draft(
            CompetitionDraft, competition_body(w.acme, title=title(f"结果-{stage}", marker))
        ),
    )
    services.add_track(
        item, actor=None, draft=CompetitionTrackDraft(code="data", title=title("数据", "Data"))
    )
    services.add_round(
        item,
        actor=None,
        draft=parse_draft(CompetitionRoundDraft, round_body(scoring="jury", answers={})),
    )
    if at == 0:
        return item
    results.add_criterion(
        item,
        actor=None,
        draft=CompetitionCriterionDraft(
            round=1, code="innovation", title=title("创新性", "Innovation"), weight=1
        ),
    )
    item = services.move(item, actor=None, action="publish")
    if at == 1:
        return item
    results.assign_judge(
        item, actor=None, draft=CompetitionJudgeDraft(round=1, email=w.wendy.email)
    )
    entry = entered(item, w.rita)
    submitted_work(entry, w.rita)
    item = close_submissions(item)
    if at == 2:
        return item
    judge = Judge.objects.get(round__competition=item, user=w.wendy)
    results.score_entry(
        judge,
        draft=CompetitionScoreSheetDraft(entry=entry.public_id, points={"innovation": 8}),
    )
    if at == 3:
        return item
    results.close_scoring(item.rounds.get(), actor=None)
    if at == 4:
        return item
    if stage == "appealed":
        results.file_appeal(
            entry, actor=w.rita, draft=CompetitionAppealDraft(round=1, grounds="评分有误")
        )
        return item
    end_appeal_windows(item)
    if at == 6:
        return item
    loaded_calendar()
    prizes = Budget.objects.filter(owner=w.acme, programme_code="acme-competition").first()
    prizes = prizes or payout_services.create_budget(
        programme_code="acme-competition",
        year=2026,
        amount=Decimal("10000.00"),
        owner=w.acme,
        actor=None,
    )
    results.announce_winners(
        item,
        actor=None,
        draft=CompetitionWinnersDraft(
            budget=prizes.public_id,
            awards=[CompetitionAwardLine(entry=entry.public_id, rank=1, prize=Decimal("1000.00"))],
        ),
    )
    end_notice(item)
    item.refresh_from_db()
    if at == 7:
        return item
    item = results.award(item, actor=None)
    if at == 8:
        return item
    verify_org(w.globex)
    intro = matchmaking.offer(
        item.awards.get(),
        actor=None,
        draft=CompetitionIntroductionDraft(organisation=w.globex.public_id, note="选品"),
    )
    if at == 9:
        return item
    matchmaking.answer(intro, actor=w.charlie, accept=True)
    Introduction.objects.filter(pk=intro.pk).update(answered_at=timezone.now() - timedelta(days=31))
    matchmaking.create_follow_ups()
    return item
