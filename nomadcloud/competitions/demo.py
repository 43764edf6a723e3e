"""Demo maker competitions (plan 004 task 15): the demo enterprise organises a published
"cross-border e-commerce smart selection" challenge with two tracks, a metric round open now
(a hidden answer set of 30 items) and a jury final, five nomads entered with scored
submissions on the public leaderboard; and a draft for the organiser's pages. Windows are
relative to the day of seeding. Idempotent: nothing is added once the organiser has one."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions import matchmaking, results, services
from nomadcloud.competitions.models import (
    Competition,
    FollowUp,
    Introduction,
    Judge,
    Park,
    Round,
)
from nomadcloud.competitions.schemas import (
    CompetitionAwardLine,
    CompetitionCriterionDraft,
    CompetitionDraft,
    CompetitionEntryDraft,
    CompetitionIntroductionDraft,
    CompetitionJudgeDraft,
    CompetitionOutcomeDraft,
    CompetitionRoundDraft,
    CompetitionScoreSheetDraft,
    CompetitionSubmissionDraft,
    CompetitionTrackDraft,
    CompetitionWinnersDraft,
)
from nomadcloud.core.models import PublicNotice
from nomadcloud.core.workdays import CalendarNotLoaded
from nomadcloud.payouts import services as payout_services
from nomadcloud.payouts.models import Payout
from nomadcloud.teams import services as team_services
from nomadcloud.teams.schemas import AnswerDraft, InvitationDraft, TeamDraft

LABELS = ("beauty", "electronics", "home", "outdoor", "toys")
ANSWERS = {f"sku-{n:03d}": LABELS[(n * 7) % len(LABELS)] for n in range(1, 31)}


def _t(zh: str, en: str) -> dict[str, str]:
    return {"zh-Hans": zh, "en": en}


def seed() -> dict[str, int]:
    owner = (
        Membership.objects.filter(user__email="enterprise@demo.nomadcloud.cn", role="owner")
        .select_related("organisation", "user")
        .first()
    )
    if owner is None or Competition.objects.filter(organiser=owner.organisation).exists():
        return {"competitions": 0}
    org, actor, now = owner.organisation, owner.user, timezone.now()
    item = services.create_competition(
        organiser=org,
        actor=actor,
        draft=CompetitionDraft(
            organisation=org.public_id,
            title=_t("跨境电商智能选品挑战赛", "Cross-border e-commerce smart selection challenge"),
            description=_t(
                "数字创客赛事：用数据为跨境电商选品，获奖项目对接企业与产业园。",
                "A maker competition: pick products for cross-border e-commerce with data; "
                "winning projects are introduced to enterprises and parks.",
            ),
            entry_opens_at=now - timedelta(days=3),
            entry_closes_at=now + timedelta(days=20),
        ),
    )
    services.add_track(
        item,
        actor=actor,
        draft=CompetitionTrackDraft(code="selection", title=_t("智能选品", "Selection")),
    )
    services.add_track(
        item,
        actor=actor,
        draft=CompetitionTrackDraft(
            code="data-services", title=_t("数据加工增值服务", "Data services")
        ),
    )
    services.add_round(
        item,
        actor=actor,
        draft=CompetitionRoundDraft(
            title=_t("初赛（自动评分）", "Preliminary (scored automatically)"),
            opens_at=now - timedelta(days=2),
            closes_at=now + timedelta(days=14),
            max_per_day=5,
            max_total=20,
            final_count=2,
            scoring="metric",
            answers=ANSWERS,
        ),
    )
    services.add_round(
        item,
        actor=actor,
        draft=CompetitionRoundDraft(
            title=_t("决赛（路演，评委评审）", "Final (pitch, jury)"),
            opens_at=now + timedelta(days=21),
            closes_at=now + timedelta(days=28),
            max_per_day=1,
            max_total=1,
            scoring="jury",
        ),
    )
    item = services.move(item, actor=actor, action="publish")
    nomads = list(User.objects.filter(is_nomad=True).order_by("id")[:5])
    for n, nomad in enumerate(nomads):
        entry = services.enter(
            item,
            actor=nomad,
            draft=CompetitionEntryDraft(track="selection", name=f"{nomad.display_name} · 选品模型"),
        )
        right = 12 + 4 * n
        lines = [
            f"{sku},{label if i < right else 'toys'}"
            for i, (sku, label) in enumerate(ANSWERS.items())
        ]
        services.submit(
            entry, actor=nomad, draft=CompetitionSubmissionDraft(round=1, content="\n".join(lines))
        )
    services.create_competition(
        organiser=org,
        actor=actor,
        draft=CompetitionDraft(
            organisation=org.public_id,
            title=_t("一带一路数据应用创客赛", "Belt and Road data application maker contest"),
            entry_opens_at=now + timedelta(days=30),
            entry_closes_at=now + timedelta(days=60),
        ),
    )
    awarded = _awarded(org, actor)
    _park()
    return {
        "competitions": 2 + int(awarded),
        "competition_entries": len(nomads) + 2 * int(awarded),
    }


def _awarded(org: Organisation, actor: User) -> bool:
    """A finished jury competition with its results (decision 0035): a team and a nomad
    entered, the 科工信局 reviewer scored on a two-criterion rubric, the winners went through
    公示, the first prize was paid and confirmed, and the winning project was introduced to a
    verified enterprise that accepted it, with the 90-day follow-up recording a business
    registered in the zone. The seeding runs it now and moves its times into the past (as if
    it had run over the last months); a 公示 that would end in a year whose holidays are not
    loaded stops it at the closed results."""
    judge = User.objects.filter(email="reviewer@demo.nomadcloud.cn").first()
    nomads = list(
        User.objects.filter(is_nomad=True, email__isnull=False)
        .exclude(email="")
        .order_by("id")[5:8]
    )
    if judge is None or len(nomads) < 3:
        return False
    now = timezone.now()
    item = services.create_competition(
        organiser=org,
        actor=actor,
        draft=CompetitionDraft(
            organisation=org.public_id,
            title=_t("数据加工增值服务创客赛（第一季）", "Data services maker contest (season 1)"),
            description=_t(
                "评委按评分标准评审，获奖项目对接企业。",
                "A jury scores on a rubric; winning projects meet enterprises.",
            ),
            entry_opens_at=now - timedelta(hours=2),
            entry_closes_at=now + timedelta(hours=1),
        ),
    )
    services.add_track(
        item,
        actor=actor,
        draft=CompetitionTrackDraft(code="data-services", title=_t("数据加工", "Data services")),
    )
    services.add_round(
        item,
        actor=actor,
        draft=CompetitionRoundDraft(
            title=_t("路演", "Pitch"),
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(hours=1),
            max_per_day=1,
            max_total=1,
            scoring="jury",
        ),
    )
    for code, zh, en, weight in (
        ("innovation", "创新性", "Innovation", 3),
        ("market", "市场前景", "Market", 2),
    ):
        results.add_criterion(
            item,
            actor=actor,
            draft=CompetitionCriterionDraft(round=1, code=code, title=_t(zh, en), weight=weight),
        )
    item = services.move(item, actor=actor, action="publish")
    results.assign_judge(
        item, actor=actor, draft=CompetitionJudgeDraft(round=1, email=str(judge.email))
    )
    lead, member, solo = nomads
    team = team_services.create_team(
        principal=Principal.for_user(lead), draft=TeamDraft(kind="team", name="椰林数据工坊")
    )
    team_services.invite_member(
        principal=Principal.for_user(lead),
        team=team,
        draft=InvitationDraft(email=str(member.email)),
    )
    team_services.answer_invitation(
        principal=Principal.for_user(member),
        team=team,
        draft=AnswerDraft(accept=True, consent=True),
    )
    first = services.enter(
        item,
        actor=lead,
        draft=CompetitionEntryDraft(
            track="data-services", name="跨境数据清洗流水线", team=team.public_id
        ),
    )
    second = services.enter(
        item, actor=solo, draft=CompetitionEntryDraft(track="data-services", name="多语种商品标注")
    )
    for entry, by in ((first, member), (second, solo)):
        services.submit(
            entry,
            actor=by,
            draft=CompetitionSubmissionDraft(round=1, content="路演材料 https://example.org/pitch"),
        )
    # The months pass: the round closes, the jury scores, appeals may be filed for 3 days.
    past = timezone.now() - timedelta(days=120)
    Competition.objects.filter(pk=item.pk).update(
        entry_opens_at=past - timedelta(days=30), entry_closes_at=past - timedelta(days=10)
    )
    Round.objects.filter(competition=item).update(
        opens_at=past - timedelta(days=9), closes_at=past - timedelta(days=2)
    )
    item = services.move(item, actor=actor, action="close")
    seat = Judge.objects.get(round__competition=item)
    for entry, points in (
        (first, {"innovation": 9, "market": 8}),
        (second, {"innovation": 7, "market": 6}),
    ):
        results.score_entry(
            seat, draft=CompetitionScoreSheetDraft(entry=entry.public_id, points=points)
        )
    round_ = results.close_scoring(item.rounds.get(), actor=actor)
    Round.objects.filter(pk=round_.pk).update(scoring_closed_at=past)
    budget = payout_services.create_budget(
        programme_code="maker-contest-prizes",
        year=timezone.localdate().year,
        amount=Decimal("50000.00"),
        owner=org,
        actor=actor,
        name_zh="创客赛奖金",
        name_en="Maker contest prizes",
    )
    try:
        results.announce_winners(
            item,
            actor=actor,
            draft=CompetitionWinnersDraft(
                budget=budget.public_id,
                awards=[
                    CompetitionAwardLine(entry=first.public_id, rank=1, prize=Decimal("20000.00")),
                    CompetitionAwardLine(entry=second.public_id, rank=2, prize=Decimal("10000.00")),
                ],
            ),
        )
    except CalendarNotLoaded:
        return True
    PublicNotice.objects.filter(
        subject_kind=results.SUBJECT, subject_id=str(item.public_id)
    ).update(starts_at=past + timedelta(days=1), ends_at=past + timedelta(days=8))
    item = results.award(item, actor=actor)
    prize = item.awards.get(rank=1)
    assert prize.payout_id is not None
    payout = Payout.objects.get(public_id=prize.payout_id)
    payout_services.schedule(payout, actor=actor)
    payout_services.send(Payout.objects.get(pk=payout.pk), actor=actor)
    payout_services.mark_paid(Payout.objects.get(pk=payout.pk), external_reference="DEMO-PRIZE-1")
    payout_services.confirm(Payout.objects.get(pk=payout.pk), actor=actor)
    enterprise = (
        Organisation.objects.filter(
            kind=Organisation.Kind.ENTERPRISE,
            verification_status=Organisation.Verification.VERIFIED,
        )
        .exclude(pk=org.pk)
        .order_by("id")
        .first()
    )
    if enterprise is None:
        return True
    intro = matchmaking.offer(
        prize,
        actor=actor,
        draft=CompetitionIntroductionDraft(
            organisation=enterprise.public_id,
            note="清洗流水线可用于贵司的跨境商品数据 / for your cross-border product data",
        ),
    )
    matchmaking.answer(intro, actor=None, accept=True)
    Introduction.objects.filter(pk=intro.pk).update(answered_at=past + timedelta(days=10))
    matchmaking.create_follow_ups()
    ninety = FollowUp.objects.filter(introduction=intro, after_days=90).first()
    if ninety is not None:
        matchmaking.record_outcome(
            ninety,
            actor=actor,
            draft=CompetitionOutcomeDraft(
                outcome="registered_in_zone",
                evidence="营业执照 / business licence 91460100MA5TCP001P",
                credit_code="91460100MA5TCP001P",
            ),
        )
    return True


def _park() -> Park:
    """An industrial park that welcomes data projects: the sectors are the skills the demo's
    published demands ask for, so the winner's landing page shows it with an explanation."""
    from nomadcloud.demands.models import Demand, DemandSkill

    organisation, _created = Organisation.objects.get_or_create(
        code="fuxingcheng-park",
        defaults={
            "kind": Organisation.Kind.ENTERPRISE,
            "name_zh": "海口复兴城互联网信息产业园",
            "name_en": "Haikou Fuxingcheng Internet Industrial Park",
            "verification_status": Organisation.Verification.VERIFIED,
        },
    )
    park, _made = Park.objects.get_or_create(
        organisation=organisation,
        defaults={
            "capacity": 12,
            "note": "跨境数据与软件企业工位、注册地址与一年免租 / desks, a registered address "
            "and a year rent-free for cross-border data and software companies",
        },
    )
    concepts = (
        DemandSkill.objects.filter(demand__status=Demand.Status.PUBLISHED)
        .values_list("concept_id", flat=True)
        .distinct()[:4]
    )
    park.sectors.add(*concepts)
    return park
