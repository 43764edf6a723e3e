"""Demo training scenarios for the first demo enterprise (洋浦云帆科技, owner 陈建国
enterprise@…): a short-video editing scenario that 林小雨 (nomad@…) passed — so her profile
shows the verified skill — a prompt-engineering scenario where Emma (emma@…) has submitted
work awaiting assessment, and a draft linked to the enterprise's training demand.

Runs after the accounts, talent and demands demos; idempotent (does nothing when the
enterprise already has scenarios)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.demands.models import Demand
from nomadcloud.taxonomy.models import Concept
from nomadcloud.training import services
from nomadcloud.training.models import Scenario
from nomadcloud.training.schemas import CriterionIn, ScenarioDraft, SkillIn

CONCEPTS = {
    "nc.video-editing": ("skill", "视频剪辑", "video editing"),
    "nc.prompt-engineering": ("skill", "提示词工程", "prompt engineering"),
    "nc.data-cleaning": ("skill", "数据清洗", "data cleaning"),
}


def _concepts() -> None:
    for code, (kind, zh, en) in CONCEPTS.items():
        Concept.objects.get_or_create(
            code=code,
            defaults={"kind": kind, "label_zh": zh, "label_en": en, "source": "nomadcloud"},
        )


def _dates(**extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "enrol_from": today - timedelta(days=20),
        "enrol_until": today + timedelta(days=20),
        "runs_from": today - timedelta(days=20),
        "runs_until": today + timedelta(days=40),
        **extra,
    }


def demo_enterprise() -> tuple[Organisation, User] | None:
    owner = User.objects.filter(email=f"enterprise@{DEMO_DOMAIN}").first()
    if owner is None:
        return None
    membership = (
        Membership.objects.filter(
            user=owner, role=Membership.Role.OWNER, organisation__kind="enterprise"
        )
        .select_related("organisation")
        .first()
    )
    return (membership.organisation, owner) if membership else None


@transaction.atomic
def seed() -> dict[str, int]:
    found = demo_enterprise()
    nomad = User.objects.filter(email=f"nomad@{DEMO_DOMAIN}").first()
    emma = User.objects.filter(email=f"emma@{DEMO_DOMAIN}").first()
    if found is None or nomad is None or emma is None:
        return {"training_scenarios": 0}
    enterprise, owner = found
    if Scenario.objects.filter(organisation=enterprise).exists():
        return {"training_scenarios": 0}
    _concepts()
    boss = Principal.for_user(owner)
    video = services.create_scenario(
        principal=boss,
        organisation=enterprise,
        draft=ScenarioDraft(
            title_zh="短视频剪辑实训",
            title_en="Short-video editing training",
            goal_zh="在导师指导下为洋浦港宣传片剪辑三条 60 秒短视频。",
            goal_en="Edit three 60-second clips for a Yangpu port promotion, with a mentor.",
            tasks_zh="1. 阅读素材说明\n2. 剪辑三条短视频\n3. 提交成片链接与剪辑说明",
            tasks_en="1. Read the brief\n2. Edit three clips\n3. Submit links and notes",
            capacity=12,
            pass_score=Decimal("70"),
            skills=[SkillIn(code="nc.video-editing", level=3)],
            criteria=[
                CriterionIn(
                    title_zh="节奏与叙事", title_en="Pacing and story", weight=3, max_points=10
                ),
                CriterionIn(
                    title_zh="画面与调色", title_en="Picture and grading", weight=2, max_points=10
                ),
                CriterionIn(title_zh="按时交付", title_en="On time", weight=1, max_points=5),
            ],
            **_dates(),
        ),
    )
    services.add_material(
        principal=boss,
        scenario=video,
        title="素材与品牌规范 Brand guide",
        url="https://example.com/yunfan/brand-guide",
    )
    video = services.publish_scenario(principal=boss, scenario=video)
    enrolment = services.enrol(principal=Principal.for_user(nomad), scenario=video)
    services.submit_work(
        principal=Principal.for_user(nomad),
        enrolment=enrolment,
        text="三条成片已上传，剪辑思路见说明。",
        links=["https://example.com/linxiaoyu/yangpu-port-clips"],
    )
    services.assess(
        principal=boss,
        enrolment=enrolment,
        scores=[services.Score(1, 9, "节奏很好"), services.Score(2, 8), services.Score(3, 5)],
        comment="通过，推荐转为正式订单。",
    )

    prompts = services.create_scenario(
        principal=boss,
        organisation=enterprise,
        draft=ScenarioDraft(
            title_zh="提示词工程实训",
            title_en="Prompt engineering training",
            goal_en="Write and evaluate prompts for a customer-service assistant.",
            goal_zh="为客服助手编写并评估提示词。",
            capacity=20,
            skills=[SkillIn(code="nc.prompt-engineering", level=4)],
            criteria=[
                CriterionIn(title_zh="准确率", title_en="Accuracy", weight=2, max_points=10),
                CriterionIn(title_zh="可复用性", title_en="Reusability", weight=1, max_points=10),
            ],
            **_dates(),
        ),
    )
    prompts = services.publish_scenario(principal=boss, scenario=prompts)
    emma_enrolment = services.enrol(principal=Principal.for_user(emma), scenario=prompts)
    services.submit_work(
        principal=Principal.for_user(emma),
        enrolment=emma_enrolment,
        text="Prompt set v1 with an evaluation on 50 real questions.",
        links=["https://example.com/emma/prompt-set"],
    )

    demand = Demand.objects.filter(organisation=enterprise, kind=Demand.Kind.TRAINING).first()
    services.create_scenario(
        principal=boss,
        organisation=enterprise,
        demand=demand,
        draft=ScenarioDraft(
            title_zh="数据清洗实训",
            title_en="Data cleaning training",
            capacity=10,
            skills=[SkillIn(code="nc.data-cleaning", level=4)],
            criteria=[
                CriterionIn(
                    title_zh="去重正确", title_en="Correct deduplication", weight=1, max_points=10
                )
            ],
            **_dates(),
        ),
    )
    return {"training_scenarios": 3}
