"""Demo data for 揭榜挂帅: 市科工信局's challenge budget, the demo enterprise's published
challenge with a public question, and a studio of demo nomads (led by the nomad persona) that
has applied; three nomads join the expert pool. A second challenge (blind first round) is in
progress with a mid-term check, a disputed milestone and a later due date asked."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.validators import uscc_check_character
from nomadcloud.bounties.models import Assignment, Challenge, Phase
from nomadcloud.bounties.schemas import (
    ActionIn,
    ApplicationDraft,
    ChallengeDraft,
    CosignDraft,
    DisputeDraft,
    EligibilityDraft,
    ExtensionDraft,
    MidtermDraft,
    QuestionDraft,
    ReportDraft,
    ReviewDraft,
    ScoresDraft,
    SelectionDraft,
)
from nomadcloud.bounties.services import (
    applications,
    challenges,
    evaluation,
    milestones,
    money,
    signing,
)
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.models import PublicNotice
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget
from nomadcloud.teams import services as teams
from nomadcloud.teams.models import Team
from nomadcloud.teams.schemas import AnswerDraft, InvitationDraft, SharesDraft, TeamDraft

STUDIO_BODY = "91460400MA5T7D0N1"  # a registered studio (foreign members take part through it)


def seed() -> dict[str, int]:
    department = Organisation.objects.filter(code="kegongxin").first()
    owner = User.objects.filter(email__startswith="enterprise@").first()
    reviewer = User.objects.filter(email__startswith="reviewer@").first()
    lead = User.objects.filter(email__startswith="nomad@").first()
    membership = (
        Membership.objects.filter(user=owner, organisation__kind="enterprise")
        .select_related("organisation")
        .first()
    )
    if None in (department, owner, reviewer, lead, membership) or Challenge.objects.exists():
        return {"challenges": 0}
    assert department and owner and reviewer and lead and membership
    today = timezone.localdate()
    if not Budget.objects.filter(
        programme_code=money.programme_code(), year=today.year, owner=department
    ).exists():
        payouts.create_budget(
            programme_code=money.programme_code(),
            year=today.year,
            amount=Decimal("2000000.00"),
            owner=department,
            actor=reviewer,
            name_zh="揭榜挂帅奖补",
            name_en="Open-bounty challenge rewards",
        )
    others = list(User.objects.filter(is_nomad=True).exclude(pk=lead.pk).order_by("pk")[:5])
    for person in others[2:5]:
        challenges.add_expert(
            principal=Principal.for_user(reviewer),
            department=department,
            person=person,
            affiliation=None,
            fields="数据分析 / data analysis",
        )

    def day(n: int) -> str:
        return (today + dt.timedelta(days=n)).isoformat()

    draft = parse_draft(
        ChallengeDraft,
        {
            "department": department.public_id,
            "title": {"zh-Hans": "洋浦港集装箱调度优化", "en": "Yangpu port container scheduling"},
            "statement": {
                "zh-Hans": "用历史到港数据优化堆场与岸桥调度，减少船舶等待。",
                "en": "Use past arrivals to schedule yards and cranes so ships wait less.",
            },
            "kpis": {"zh-Hans": "平均等待时间降低20%", "en": "Average waiting time down 20%"},
            "terms": {
                "zh-Hans": "成果知识产权归发榜方，团队保留署名权。",
                "en": "The issuer owns the IP; the team keeps attribution.",
            },
            "budget": "300000.00",
            "subsidy": "100000.00",
            "rubric": [
                {
                    "code": "tech",
                    "name_zh": "技术方案",
                    "name_en": "Technique",
                    "weight": 60,
                    "max_points": 10,
                },
                {
                    "code": "team",
                    "name_zh": "团队能力",
                    "name_en": "Team",
                    "weight": 40,
                    "max_points": 10,
                },
            ],
            "phases": [
                {"kind": "applications", "starts_on": day(0), "ends_on": day(20)},
                {"kind": "qualification", "starts_on": day(21), "ends_on": day(27)},
                {"kind": "evaluation", "starts_on": day(28), "ends_on": day(40)},
                {"kind": "selection", "starts_on": day(41), "ends_on": day(45)},
            ],
        },
    )
    issuer = Principal.for_user(owner)
    challenge = challenges.create_challenge(
        principal=issuer, issuer=membership.organisation, draft=draft
    )
    challenge = challenges.act(
        principal=issuer, challenge=challenge, draft=ActionIn(action="submit")
    )
    challenge = challenges.act(
        principal=Principal.for_user(reviewer),
        challenge=challenge,
        draft=ActionIn(action="approve"),
    )
    studio = teams.create_team(
        principal=Principal.for_user(lead),
        draft=TeamDraft(
            kind="studio",
            name="椰风数据工作室 Coconut Data Studio",
            credit_code=STUDIO_BODY + uscc_check_character(STUDIO_BODY),
        ),
    )
    members = others[:2]
    for person in members:
        teams.invite_member(
            principal=Principal.for_user(lead),
            team=studio,
            draft=InvitationDraft(email=person.email or ""),
        )
        teams.answer_invitation(
            principal=Principal.for_user(person),
            team=studio,
            draft=AnswerDraft(accept=True, consent=True),
        )
    teams.set_shares(
        principal=Principal.for_user(lead),
        team=studio,
        draft=parse_draft(
            SharesDraft,
            {
                "shares": {
                    str(lead.public_id): "40.00",
                    **{str(p.public_id): "30.00" for p in members},
                }
            },
        ),
    )
    challenges.ask_question(
        principal=Principal.for_user(members[0]),
        challenge=challenge,
        draft=QuestionDraft(question="是否提供2025年的到港记录？ Are 2025 arrival logs provided?"),
    )
    applications.apply(
        principal=Principal.for_user(lead),
        challenge=challenge,
        draft=parse_draft(
            ApplicationDraft,
            {
                "team": str(studio.public_id),
                "proposal": "约束求解与到港预测结合的调度方案。A solver with an arrival model.",
                "amount": "200000.00",
                "plan": [
                    {"title": "模型 Model", "amount": "100000.00", "due_on": day(90)},
                    {"title": "试点 Pilot", "amount": "100000.00", "due_on": day(150)},
                ],
            },
        ),
    )
    supervised(draft, membership.organisation, owner, reviewer, studio, day)
    return {"challenges": 2, "teams": 1}


def supervised(
    base: ChallengeDraft,
    issuer_org: Organisation,
    owner: User,
    reviewer: User,
    studio: Team,
    day: Callable[[int], str],
) -> Challenge:
    """A second challenge, evaluated blind and signed, now in progress: a mid-term check on
    record, the first milestone rejected by the issuer and disputed by the studio (waiting
    for the issuer's response and the department's decision). The application window and
    the 公示 are passed by moving their dates, as the demo cannot wait for them."""
    issuer, department = Principal.for_user(owner), Principal.for_user(reviewer)
    draft = base.model_copy(
        update={
            "title": {"zh-Hans": "骑楼老街客流预测", "en": "Arcade street footfall forecast"},
            "blind_first_round": True,
        }
    )
    challenge = challenges.create_challenge(principal=issuer, issuer=issuer_org, draft=draft)
    challenge = challenges.act(
        principal=issuer, challenge=challenge, draft=ActionIn(action="submit")
    )
    challenge = challenges.act(
        principal=department, challenge=challenge, draft=ActionIn(action="approve")
    )
    app = applications.apply(
        principal=Principal.for_user(studio.lead),
        challenge=challenge,
        draft=parse_draft(
            ApplicationDraft,
            {
                "team": str(studio.public_id),
                "proposal": "手机信令与天气客流模型。Footfall from phone signals and weather.",
                "amount": "150000.00",
                "plan": [
                    {"title": "模型 Model", "amount": "60000.00", "due_on": day(3)},
                    {"title": "上线 Launch", "amount": "90000.00", "due_on": day(120)},
                ],
            },
        ),
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Phase.objects.filter(challenge=challenge, kind=Phase.Kind.APPLICATIONS).update(
        starts_on=yesterday - dt.timedelta(days=20), ends_on=yesterday
    )
    challenge = challenges.act(
        principal=department, challenge=challenge, draft=ActionIn(action="close_applications")
    )
    applications.review(
        principal=department, application=app, draft=EligibilityDraft(eligible=True)
    )
    challenge = challenges.act(
        principal=department, challenge=challenge, draft=ActionIn(action="start_evaluation")
    )
    for points, sheet in enumerate(
        Assignment.objects.filter(application=app).select_related("expert__user"), start=7
    ):
        evaluation.submit_scores(
            principal=Principal.for_user(sheet.expert.user),
            assignment=sheet,
            draft=ScoresDraft(scores={"tech": min(points, 10), "team": 8}),
        )
    challenge.refresh_from_db()
    signing.select(
        principal=department,
        challenge=challenge,
        draft=SelectionDraft(applications=[app.public_id], reason="唯一合格且得分最高的方案。"),
    )
    PublicNotice.objects.filter(subject_id=str(challenge.public_id)).update(
        ends_at=timezone.now() - dt.timedelta(minutes=1)
    )
    signing.cosign_selection(
        principal=issuer,
        challenge=challenge,
        draft=CosignDraft(evidence="发榜方盖章确认函 / sealed confirmation letter DEMO-2026-01"),
    )
    challenge = challenges.act(
        principal=department, challenge=challenge, draft=ActionIn(action="start_signing")
    )
    signing.sign_task_book(
        principal=Principal.for_user(studio.lead), challenge=challenge, version=1
    )
    signing.sign_task_book(principal=department, challenge=challenge, version=1)
    milestones.midterm_check(
        principal=department,
        challenge=challenge,
        draft=MidtermDraft(outcome="on_track", findings="数据已接入，模型按计划推进。"),
    )
    first = challenge.milestones.order_by("position").first()
    assert first is not None
    first = milestones.submit(
        principal=Principal.for_user(studio.lead),
        milestone=first,
        draft=ReportDraft(
            report="模型已训练，误差12%。Model trained, 12% error.", deliverable_sha256="5" * 64
        ),
    )
    first = milestones.review(
        principal=issuer,
        milestone=first,
        draft=ReviewDraft(
            accept=False, reject=True, note="误差高于约定的10%。Error above the 10% agreed."
        ),
    )
    milestones.raise_dispute(
        principal=Principal.for_user(studio.lead),
        milestone=first,
        draft=DisputeDraft(
            reason="约定的10%针对工作日，工作日误差为9%。The 10% was for weekdays: 9%."
        ),
    )
    second = challenge.milestones.order_by("position").last()
    assert second is not None
    milestones.request_extension(
        principal=Principal.for_user(studio.lead),
        milestone=second,
        draft=ExtensionDraft(
            due_on=second.due_on + dt.timedelta(days=30),
            reason="商场改造推迟上线。The mall's works delay the launch.",
        ),
    )
    return challenge
