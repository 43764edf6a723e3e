"""Demo data for talent: the current certification rules, and profiles with skills, projects
and tools for the demo nomads (林小雨 nomad@…, Emma Schulz emma@…).

Works when the taxonomy holds only a few concepts: the concepts used here are created with
get_or_create by code. Idempotent; called by ``seed_demo`` after the accounts demo.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.talent import services
from nomadcloud.talent.models import Profile, RuleSet, Track
from nomadcloud.talent.schemas import ProfileChanges, ProjectDraft, VisibilityIn
from nomadcloud.taxonomy.models import Concept

DOMESTIC_CRITERIA = {
    "nationality": "any",
    "min_remote_income_cny_12m": "60000.00",
    "min_contract_value_cny_12m": "100000.00",
    "earnings": "any",
    "min_clients_outside_city": 1,
    "min_verified_skills": 1,
    "min_planned_stay_days": 90,
    "validity_months": 12,
}
FOREIGN_CRITERIA = {
    "nationality": "foreign",
    "min_remote_income_cny_12m": "120000.00",
    "min_clients_outside_city": 1,
    "min_planned_stay_days": 180,
    "permit_months": {"min": 6, "max": 12},
}
CONCEPTS = {
    "nc.data-annotation": ("skill", "数据标注", "Data labelling"),
    "nc.video-editing": ("skill", "视频剪辑", "Video editing"),
    "nc.frontend-dev": ("skill", "前端开发", "front-end development"),
    "nc.ux-design": ("skill", "用户体验设计", "UX design"),
    "nc.premiere": ("tool", "Adobe Premiere Pro", "Adobe Premiere Pro"),
    "nc.label-studio": ("tool", "Label Studio", "Label Studio"),
    "nc.figma": ("tool", "Figma", "Figma"),
    "nc.vscode": ("tool", "Visual Studio Code", "Visual Studio Code"),
}


def _concept(code: str) -> Concept:
    kind, zh, en = CONCEPTS[code]
    concept, _created = Concept.objects.get_or_create(
        code=code,
        defaults={"kind": kind, "label_zh": zh, "label_en": en, "source": "nomadcloud"},
    )
    return concept


def _rules() -> int:
    created = 0
    for track, criteria in ((Track.DOMESTIC, DOMESTIC_CRITERIA), (Track.FOREIGN, FOREIGN_CRITERIA)):
        if not RuleSet.objects.filter(track=track).exists():
            RuleSet.objects.create(
                track=track,
                version=1,
                effective_from=date(2026, 1, 1),
                criteria=criteria,
                notes_zh="示范区数字游民认定标准（演示）",
                notes_en="Demonstration zone nomad certification criteria (demo)",
            )
            created += 1
    return created


def _linxiaoyu(user: User) -> None:
    me = Principal.for_user(user)
    services.update_profile(
        principal=me,
        changes=ProfileChanges(
            headline_zh="数据标注与短视频剪辑",
            headline_en="Data labelling and short-video editing",
            bio_zh="在洋浦远程工作，为上海、深圳的客户做数据标注与视频后期。",
            bio_en="Working remotely from Yangpu for clients in Shanghai and Shenzhen.",
            location="儋州市洋浦",
            time_zone="Asia/Shanghai",
            rate_amount="180.00",
            rate_unit="hour",
            visibility=VisibilityIn(
                about="public", skills="public", projects="public", tools="public"
            ),
        ),
    )
    services.set_language(principal=me, language="zh", level="native")
    services.set_language(principal=me, language="en", level="B2")
    services.add_link(principal=me, title="作品集", url="https://example.com/linxiaoyu")
    services.declare_skill(principal=me, concept=_concept("nc.video-editing"), level=4)
    services.record_verified_work(
        user=user,
        skills=[(_concept("nc.data-annotation"), 3)],
        source="datatasks.batch",
        reference="demo-batch-001",
        occurred_at=timezone.now() - timedelta(days=20),
    )
    services.add_project(
        principal=me,
        draft=ProjectDraft(
            title_zh="自动驾驶图像标注",
            title_en="Image labelling for autonomous driving",
            role="标注组长",
            started_on=date(2025, 3, 1),
            ended_on=date(2025, 9, 30),
            outcome_zh="完成 12 万张图像，质检通过率 98.6%",
            outcome_en="120,000 images, 98.6% passed quality control",
            skills=["nc.data-annotation", "nc.label-studio"],
        ),
    )
    services.set_tool(principal=me, concept=_concept("nc.label-studio"), proficiency=4, years=2)
    services.set_tool(
        principal=me,
        concept=_concept("nc.premiere"),
        proficiency=3,
        years=3,
        last_used=timezone.localdate() - timedelta(days=10),
    )


def _emma(user: User) -> None:
    me = Principal.for_user(user)
    services.update_profile(
        principal=me,
        changes=ProfileChanges(
            headline_zh="用户体验设计师",
            headline_en="UX designer",
            bio_en="Designing products for European and Chinese start-ups from Hainan.",
            location="Danzhou",
            time_zone="Europe/Berlin",
            availability="partly",
            rate_amount="4500.00",
            rate_unit="day",
            visibility=VisibilityIn(about="public", skills="public", tools="public"),
        ),
    )
    services.set_language(principal=me, language="de", level="native")
    services.set_language(principal=me, language="en", level="C2")
    services.set_language(principal=me, language="zh", level="A2")
    services.declare_skill(
        principal=me,
        concept=_concept("nc.ux-design"),
        level=2,
        evidence=services.EvidenceInput(
            source="Interaction Design Foundation", reference="IDF-2023-7781"
        ),
    )
    services.declare_skill(principal=me, concept=_concept("nc.frontend-dev"), level=5)
    services.add_project(
        principal=me,
        draft=ProjectDraft(
            title_en="Booking app for Ocean Flower Island",
            title_zh="海花岛预订应用",
            role="Lead designer",
            started_on=date(2025, 10, 1),
            skills=["nc.ux-design", "nc.figma"],
        ),
    )
    services.set_tool(principal=me, concept=_concept("nc.figma"), proficiency=5, years=6)
    services.set_tool(principal=me, concept=_concept("nc.vscode"), proficiency=2, years=1)


@transaction.atomic
def seed() -> dict[str, int]:
    counts = {"rule_sets": _rules(), "profiles": 0}
    for code in CONCEPTS:
        _concept(code)
    for email, build in ((f"nomad@{DEMO_DOMAIN}", _linxiaoyu), (f"emma@{DEMO_DOMAIN}", _emma)):
        user = User.objects.filter(email=email).first()
        if user is None or Profile.objects.filter(user=user).exists():
            continue
        build(user)
        counts["profiles"] += 1
    counts["profiles"] += _generated_profiles()
    return counts


# What the zone's typical nomads do, for the generated demo people (nomad1…N): headline and
# the vocabulary codes they hold (skills, or tools for concepts of kind "tool").
TRADES = [
    ("Python 数据工程师", "Python data engineer",
     ["nc.python", "nc.sql", "nc.data-cleaning", "nc.docker"]),
    ("数据标注员", "Data annotator", ["nc.data-annotation", "nc.data-cleaning", "nc.label-studio"]),
    ("短视频剪辑师", "Short-video editor", ["nc.video-editing", "nc.copywriting", "nc.premiere"]),
    ("UI 设计师", "UI designer", ["nc.ui-design", "nc.graphic-design", "nc.figma"]),
    ("跨境电商运营", "Cross-border e-commerce operator",
     ["nc.cross-border-ecommerce", "nc.copywriting", "nc.excel"]),
    ("前端开发工程师", "Front-end developer", ["nc.frontend-dev", "nc.javascript", "nc.react"]),
    ("机器学习工程师", "Machine-learning engineer",
     ["nc.machine-learning", "nc.python", "nc.pytorch"]),
    ("直播运营", "Live-stream operator", ["nc.live-streaming", "nc.new-media-operation"]),
]  # fmt: skip


def _generated_profiles() -> int:
    """Profiles for the generated demo nomads, so that matching has people to rank. Uses
    only concepts of the shipped vocabulary; skips codes that are missing."""
    created = 0
    nomads = User.objects.filter(email__startswith="nomad", email__endswith=f"@{DEMO_DOMAIN}")
    for index, user in enumerate(nomads.exclude(email=f"nomad@{DEMO_DOMAIN}").order_by("id")):
        if Profile.objects.filter(user=user).exists():
            continue
        me = Principal.for_user(user)
        zh, en, codes = TRADES[index % len(TRADES)]
        services.update_profile(
            principal=me,
            changes=ProfileChanges(
                headline_zh=zh,
                headline_en=en,
                location="儋州" if index % 3 else "洋浦",
                availability="available" if index % 5 else "partly",
            ),
        )
        services.set_language(principal=me, language="zh", level="native")
        services.set_language(principal=me, language="en", level=("B1", "B2", "C1")[index % 3])
        for position, concept in enumerate(Concept.objects.filter(code__in=codes)):
            if concept.kind == Concept.Kind.TOOL:
                services.set_tool(principal=me, concept=concept, proficiency=2 + index % 4)
            else:
                level = 4 if (index + position) % 2 else 5  # self-declared: at most 四级
                services.declare_skill(principal=me, concept=concept, level=level)
        created += 1
    return created
