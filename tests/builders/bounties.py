"""Builders for teams and 揭榜挂帅 challenges: a studio with accepted members and shares,
an expert pool, and a challenge advanced through the services to any state (the window's
close and the end of 公示 are reached by moving their dates into the past)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
from django.utils import timezone
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties.models import Application, Assignment, Challenge, Milestone, Phase
from nomadcloud.bounties.schemas import (
    ActionIn,
    ApplicationDraft,
    ChallengeDraft,
    CosignDraft,
    EligibilityDraft,
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
    signing,
)
from nomadcloud.bounties.services.money import programme_code
from nomadcloud.core import workdays
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.models import PublicNotice
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget
from nomadcloud.teams import services as team_services
from nomadcloud.teams.models import Team
from nomadcloud.teams.schemas import AnswerDraft, InvitationDraft, SharesDraft, TeamDraft
from tests.builders.world import World, credit_code, make_person
from tests.helpers import shared_data

P = Principal.for_user


def loaded_calendar() -> None:
    today = timezone.localdate()
    for year in (today.year, today.year + 1):
        workdays.declare_year_loaded(year, actor=None)


def person(name: str) -> User:
    email = f"{name.lower().replace(' ', '.')}@example.com"
    return User.objects.filter(email=email).first() or make_person(name, email)


def team(
    lead: User,
    members: list[User],
    *,
    kind: str = "studio",
    shares: list[str] | None = None,
    name: str = "Blue Studio",
) -> Team:
    fields: dict[str, Any] = {"kind": kind, "name": name}
    if kind == "studio":
        fields["credit_code"] = credit_code(name)
    t = team_services.create_team(principal=P(lead), draft=parse_draft(TeamDraft, fields))
    for m in members:
        team_services.invite_member(
            principal=P(lead), team=t, draft=InvitationDraft(email=m.email or "")
        )
        team_services.answer_invitation(
            principal=P(m), team=t, draft=AnswerDraft(accept=True, consent=True)
        )
    if shares is None:
        n = len(members) + 1
        part = (Decimal(100) / n).quantize(Decimal("0.01"))
        values = [part] * n
        values[0] += Decimal(100) - part * n
        shares = [str(v) for v in values]
    people = [lead, *members]
    team_services.set_shares(
        principal=P(lead),
        team=t,
        draft=parse_draft(
            SharesDraft,
            {"shares": {str(p.public_id): s for p, s in zip(people, shares, strict=True)}},
        ),
    )
    return t


def challenge_fields(w: World, **overrides: Any) -> dict[str, Any]:
    today = timezone.localdate()

    def d(n: int) -> str:
        return (today + dt.timedelta(days=n)).isoformat()

    return {
        "department": str(w.department.public_id),
        "title": {"zh-Hans": "港口调度算法榜单", "en": "Port scheduling algorithm"},
        "statement": {"zh-Hans": "优化洋浦港集装箱调度。", "en": "Optimise container scheduling."},
        "kpis": {"zh-Hans": "等待时间降低20%", "en": "Waiting time down 20%"},
        "terms": {"zh-Hans": "知识产权归发榜方", "en": "IP belongs to the issuer"},
        "budget": "300000.00",
        "subsidy": "100000.00",
        "rubric": [
            {
                "code": "tech",
                "name_zh": "技术",
                "name_en": "Technique",
                "weight": 60,
                "max_points": 10,
            },
            {"code": "team", "name_zh": "团队", "name_en": "Team", "weight": 40, "max_points": 10},
        ],
        "phases": [
            {"kind": "applications", "starts_on": d(0), "ends_on": d(9)},
            {"kind": "qualification", "starts_on": d(10), "ends_on": d(14)},
            {"kind": "evaluation", "starts_on": d(15), "ends_on": d(24)},
            {"kind": "selection", "starts_on": d(25), "ends_on": d(30)},
        ],
        **overrides,
    }


def application_fields(t: Team, amount: str = "200000.00") -> dict[str, Any]:
    today = timezone.localdate()
    half = str(Decimal(amount) / 2)
    return {
        "team": str(t.public_id),
        "proposal": "A constraint solver with a learned arrival model.",
        "amount": amount,
        "plan": [
            {
                "title": "Model",
                "amount": half,
                "due_on": (today + dt.timedelta(days=60)).isoformat(),
            },
            {
                "title": "Pilot",
                "amount": half,
                "due_on": (today + dt.timedelta(days=120)).isoformat(),
            },
        ],
    }


def experts(w: World, n: int = 4) -> list[User]:
    people = [person(f"Expert {i}") for i in range(1, n + 1)]
    for p in people:
        challenges.add_expert(
            principal=P(w.wendy), department=w.department, person=p, affiliation=None, fields="ops"
        )
    return people


@dataclass
class Flow:
    challenge: Challenge
    team: Team
    lead: User
    members: list[User]
    experts: list[User] = field(default_factory=list)
    application: Application | None = None

    def refresh(self) -> Challenge:
        self.challenge.refresh_from_db()
        return self.challenge


def act(w: World, c: Challenge, action: str, who: User, reason: str = "") -> Challenge:
    return challenges.act(
        principal=P(who),
        challenge=c,
        draft=ActionIn.model_validate({"action": action, "reason": reason}),
    )


def close_window(c: Challenge) -> None:
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    Phase.objects.filter(challenge=c, kind=Phase.Kind.APPLICATIONS).update(
        starts_on=yesterday - dt.timedelta(days=9), ends_on=yesterday
    )


def end_publicity(c: Challenge) -> None:
    PublicNotice.objects.filter(subject_id=str(c.public_id)).update(
        ends_at=timezone.now() - dt.timedelta(seconds=1)
    )


def score_all(c: Challenge, points: int = 8) -> None:
    for a in Assignment.objects.filter(
        application__challenge=c, status=Assignment.Status.ASSIGNED
    ).select_related("expert__user", "application__challenge"):
        evaluation.submit_scores(
            principal=P(a.expert.user),
            assignment=a,
            draft=ScoresDraft(scores={"tech": points, "team": points - 1}),
        )


STEPS = [
    "draft",
    "submitted",
    "published",
    "applied",
    "qualification_review",
    "evaluation",
    "selection",
    "publicity",
    "signing",
    "in_progress",
    "final_acceptance",
]


def budget(w: World, amount: str = "1000000.00") -> Budget:
    existing = Budget.objects.filter(
        programme_code=programme_code(), year=timezone.localdate().year, owner=w.department
    ).first()
    return existing or payouts.create_budget(
        programme_code=programme_code(),
        year=timezone.localdate().year,
        amount=Decimal(amount),
        owner=w.department,
        actor=w.wendy,
    )


def pay_all(w: World, c: Challenge) -> None:
    """The finance officer takes every milestone payout to confirmed (the fake bank)."""
    for m in Milestone.objects.filter(challenge=c).select_related("payout"):
        assert m.payout is not None
        p = payouts.schedule(m.payout, actor=w.oscar)
        p = payouts.send(p, actor=w.oscar)
        p = payouts.mark_paid(p, external_reference=f"BANK-{m.position}")
        payouts.confirm(p, actor=w.oscar)


def flow(w: World, until: str = "in_progress", *, lead_name: str = "Tina Lead") -> Flow:
    """Olivia's (Acme's) challenge, approved by Wendy (市科工信局), applied for by Tina's
    studio with Tom and Uma, evaluated by the pool, selected, signed, up to ``until``."""
    loaded_calendar()
    budget(w)
    stop = STEPS.index(until)
    lead = person(lead_name)
    members = [person(f"{lead_name} Tom"), person(f"{lead_name} Uma")]
    c = challenges.create_challenge(
        principal=P(w.olivia), issuer=w.acme, draft=parse_draft(ChallengeDraft, challenge_fields(w))
    )
    f = Flow(
        challenge=c,
        team=team(lead, members, name=f"{lead_name} Studio"),
        lead=lead,
        members=members,
    )
    if stop >= 1:
        act(w, c, "submit", w.olivia)
    if stop >= 2:
        act(w, c, "approve", w.wendy)
    if stop >= 3:
        f.application = applications.apply(
            principal=P(lead),
            challenge=c,
            draft=parse_draft(ApplicationDraft, application_fields(f.team)),
        )
    if stop >= 4:
        close_window(c)
        act(w, c, "close_applications", w.wendy)
    if stop >= 5:
        assert f.application is not None
        applications.review(
            principal=P(w.wendy), application=f.application, draft=EligibilityDraft(eligible=True)
        )
        f.experts = experts(w)
        act(w, c, "start_evaluation", w.wendy)
    if stop >= 6:
        score_all(c)
    if stop >= 7:
        assert f.application is not None
        signing.select(
            principal=P(w.wendy),
            challenge=c,
            draft=SelectionDraft(applications=[f.application.public_id], reason="Best technique."),
        )
    if stop >= 8:
        end_publicity(c)
        signing.cosign_selection(
            principal=P(w.olivia), challenge=c, draft=CosignDraft(evidence="Acme letter 2026-17")
        )
        act(w, c, "start_signing", w.wendy)
    if stop >= 9:
        signing.sign_task_book(principal=P(lead), challenge=c, version=1)
        signing.sign_task_book(principal=P(w.wendy), challenge=c, version=1)
    if stop >= 10:
        for m in Milestone.objects.filter(challenge=c).order_by("position"):
            milestones.submit(
                principal=P(members[0]),
                milestone=m,
                draft=ReportDraft(report="Done.", deliverable_sha256="a" * 64),
            )
            milestones.review(principal=P(w.olivia), milestone=m, draft=ReviewDraft(accept=True))
    f.refresh()
    if f.application is not None:
        f.application.refresh_from_db()
    return f


def organisation_of(w: World) -> Organisation:
    return w.acme


def ocds_validator(name: str) -> jsonschema.Draft4Validator:
    """A validator for one of the OCDS 1.1 schemas in shared/data/standards/ocds (draft 4,
    the package schemas referring to the release schema by its id)."""
    root = Path(shared_data("standards", "ocds", "release-schema.json")).parent
    resources = []
    for path in root.glob("*.json"):
        schema = json.loads(path.read_text())
        resources.append(
            (schema["id"], Resource.from_contents(schema, default_specification=DRAFT4))
        )
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads((root / name).read_text())
    return jsonschema.Draft4Validator(schema, registry=registry)
