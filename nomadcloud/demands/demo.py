"""Demo demands for the demo enterprises (called from ``seed_demo``): about twenty bilingual
jobs, projects, data-processing tasks and training scenarios, mostly published, a few drafts,
one paused and one filled, so that every list and state has something to show."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.demands import applications, services
from nomadcloud.demands.models import Demand, DemandApplication
from nomadcloud.demands.schemas import ApplicationDraft, DemandDraft
from nomadcloud.taxonomy.models import Concept

# code, kind, label_zh, label_en — created when the vocabulary is not imported yet.
CONCEPTS = [
    ("nc.python", "tool", "Python", "Python"),
    ("nc.sql", "tool", "SQL", "SQL"),
    ("nc.docker", "tool", "Docker", "Docker"),
    ("nc.cpp", "tool", "C++", "C++"),
    ("nc.javascript", "tool", "JavaScript", "JavaScript"),
    ("nc.react", "tool", "React", "React"),
    ("nc.excel", "tool", "Excel", "Microsoft Excel"),
    ("nc.figma", "tool", "Figma", "Figma"),
    ("nc.photoshop", "tool", "Photoshop", "Adobe Photoshop"),
    ("nc.premiere", "tool", "Premiere Pro", "Adobe Premiere Pro"),
    ("nc.pytorch", "tool", "PyTorch", "PyTorch"),
    ("nc.unity", "tool", "Unity", "Unity"),
    ("nc.data-annotation", "skill", "数据标注", "data annotation"),
    ("nc.data-cleaning", "skill", "数据清洗", "data cleaning"),
    ("nc.machine-learning", "knowledge", "机器学习", "machine learning"),
    ("nc.prompt-engineering", "skill", "提示词工程", "prompt engineering"),
    ("nc.graphic-design", "skill", "平面设计", "graphic design"),
    ("nc.ui-design", "skill", "UI设计", "user interface design"),
    ("nc.copywriting", "skill", "文案写作", "copywriting"),
    ("nc.new-media-operation", "skill", "新媒体运营", "social media operations"),
    ("nc.video-editing", "skill", "视频剪辑", "video editing"),
    ("nc.live-streaming", "skill", "直播", "live streaming"),
    ("nc.cross-border-ecommerce", "skill", "跨境电商", "cross-border e-commerce"),
    ("nc.translation", "skill", "翻译", "translation"),
]


def _d(
    org: int,
    kind: str,
    zh: str,
    en: str,
    desc_zh: str,
    desc_en: str,
    skills: list[tuple[str, int, bool]],
    tools: list[str],
    budget: tuple[str, str] | None,
    period: str = "month",
    mode: str = "remote",
    location: str = "",
    languages: tuple[str, ...] = ("zh",),
    status: str = "published",
    **extra: Any,
) -> dict[str, Any]:
    return {
        "org": org,
        "status": status,
        "kind": kind,
        "title_zh": zh,
        "title_en": en,
        "description_zh": desc_zh,
        "description_en": desc_en,
        "skills": [{"code": c, "min_level": lvl, "required": req} for c, lvl, req in skills],
        "tools": tools,
        "budget_min": budget[0] if budget else None,
        "budget_max": budget[1] if budget else None,
        "pay_period": period,
        "work_mode": mode,
        "location": location,
        "languages": list(languages),
        **extra,
    }


DEMANDS = [
    _d(0, "job", "Python 后端工程师", "Python backend engineer",
       "负责数字游民服务平台的后端开发，熟悉 Python、SQL 与 Docker，有 C++ 经验者优先。",
       "Build the backend of our nomad services platform with Python, SQL and Docker.",
       [("nc.python", 2, True), ("nc.sql", 3, True), ("nc.cpp", 4, False)], ["nc.docker"],
       ("20000.00", "32000.00"), years_experience=3, languages=("zh", "en"), headcount=2),
    _d(0, "job", "前端工程师（React）", "Front-end engineer (React)",
       "使用 React 与 JavaScript 开发移动端页面，配合 UI设计 完成交互。",
       "Build mobile pages with React and JavaScript together with our UI designers.",
       [("nc.javascript", 3, True), ("nc.react", 3, True)], ["nc.figma"],
       ("18000.00", "26000.00"), mode="hybrid", location="洋浦经济开发区"),
    _d(0, "project", "企业官网改版", "Company website redesign",
       "为期六周的官网改版项目，需要 UI设计 与前端实现。", "A six-week redesign of our website.",
       [("nc.ui-design", 3, True)], ["nc.figma"], ("30000.00", "45000.00"), period="total",
       duration_days=42),
    _d(0, "training", "Docker 部署实训", "Docker deployment training scenario",
       "在真实项目中练习用 Docker 部署 Python 服务，完成后获得工作证明。",
       "Practise deploying a Python service with Docker on a real project.",
       [("nc.python", 4, True)], ["nc.docker"], ("800.00", "800.00"), period="total",
       duration_days=7, status="draft"),
    _d(1, "data_task", "自动驾驶图像数据标注", "Image annotation for autonomous driving",
       "对道路图像进行目标框标注，要求准确率 98% 以上，按条计酬。",
       "Draw bounding boxes on road images; accuracy above 98%, paid per batch.",
       [("nc.data-annotation", 4, True)], [], ("3000.00", "6000.00"), period="total",
       headcount=20),
    _d(1, "data_task", "电商评论数据清洗", "E-commerce review data cleaning",
       "使用 Python 或 Excel 清洗十万条商品评论，去重并标注情感。",
       "Clean 100,000 product reviews with Python or Excel; deduplicate and label sentiment.",
       [("nc.data-cleaning", 4, True), ("nc.data-annotation", 5, False)], ["nc.excel"],
       ("5000.00", "8000.00"), period="total", duration_days=14),
    _d(1, "job", "数据质检专员", "Data quality inspector",
       "负责标注数据的抽检与反馈，熟悉数据标注流程。",
       "Sample-check annotated data and give feedback to annotators.",
       [("nc.data-annotation", 3, True)], ["nc.excel"], ("7000.00", "10000.00"),
       mode="onsite", location="儋州市那大镇"),
    _d(2, "job", "Unity 游戏客户端工程师", "Unity game client engineer",
       "使用 Unity 与 C++ 开发休闲游戏客户端，有上线作品者优先。",
       "Develop casual game clients with Unity and C++.",
       [("nc.cpp", 3, True)], ["nc.unity"], ("22000.00", "35000.00"), languages=("zh", "en"),
       years_experience=2),
    _d(2, "project", "游戏宣传视频剪辑", "Game trailer video editing",
       "剪辑三支 60 秒的游戏宣传视频，使用 Premiere Pro。",
       "Edit three 60-second game trailers in Premiere Pro.",
       [("nc.video-editing", 3, True)], ["nc.premiere"], ("6000.00", "9000.00"), period="total"),
    _d(3, "job", "跨境电商运营（英语）", "Cross-border e-commerce operator (English)",
       "负责亚马逊店铺运营与英文文案写作，需良好英语沟通能力。",
       "Run our Amazon store and write English copy.",
       [("nc.cross-border-ecommerce", 3, True), ("nc.copywriting", 4, False)], [],
       ("12000.00", "18000.00"), languages=("zh", "en")),
    _d(3, "project", "商品详情页翻译（中译英）", "Product page translation (Chinese → English)",
       "将 200 个商品详情页从中文翻译为英文。", "Translate 200 product pages into English.",
       [("nc.translation", 3, True)], [], ("8000.00", "8000.00"), period="total",
       languages=("zh", "en")),
    _d(4, "project", "文创产品平面设计", "Graphic design for cultural products",
       "为东坡文化系列文创产品设计包装，使用 Photoshop。",
       "Design packaging for a Dongpo culture product line in Photoshop.",
       [("nc.graphic-design", 3, True)], ["nc.photoshop"], ("10000.00", "15000.00"),
       period="total"),
    _d(4, "job", "新媒体运营", "Social media operator",
       "负责小红书与抖音账号的内容策划、文案写作与数据复盘。",
       "Plan content and write copy for our Xiaohongshu and Douyin accounts.",
       [("nc.new-media-operation", 4, True), ("nc.copywriting", 4, True)], [],
       ("8000.00", "12000.00"), status="paused"),
    _d(5, "job", "机器学习工程师", "Machine learning engineer",
       "使用 PyTorch 训练三维场景理解模型，熟悉 Python 与机器学习。",
       "Train 3D scene understanding models with PyTorch.",
       [("nc.machine-learning", 2, True), ("nc.python", 2, True)], ["nc.pytorch"],
       ("30000.00", "45000.00"), languages=("zh", "en"), years_experience=3),
    _d(6, "data_task", "贸易单证信息录入", "Trade document data entry",
       "将报关单证信息录入系统，需细心，按单计酬。",
       "Enter customs document data into our system; paid per document.",
       [("nc.data-cleaning", 5, True)], ["nc.excel"], ("2.50", "4.00"), period="total",
       headcount=10),
    _d(7, "job", "直播运营", "Live-streaming operator",
       "负责海南特产直播间的场控与运营，工作地点在儋州。",
       "Run live-stream sessions for Hainan produce in Danzhou.",
       [("nc.live-streaming", 4, True)], [], ("6000.00", "9000.00"), mode="onsite",
       location="儋州市", status="filled"),
    _d(7, "training", "短视频剪辑实训", "Short-video editing training scenario",
       "在导师指导下完成五条短视频剪辑，合格者可转为正式订单。",
       "Edit five short videos with a mentor; good work turns into paid orders.",
       [("nc.video-editing", 5, True)], ["nc.premiere"], None, duration_days=10),
    _d(8, "data_task", "大模型对话数据标注", "LLM dialogue data annotation",
       "为大模型训练标注多轮对话质量，熟悉提示词工程者优先。",
       "Rate multi-turn dialogues for LLM training; prompt engineering a plus.",
       [("nc.data-annotation", 4, True), ("nc.prompt-engineering", 4, False)], [],
       ("4000.00", "7000.00"), period="total", headcount=30, languages=("zh", "en")),
    _d(8, "training", "提示词工程实训", "Prompt engineering training scenario",
       "通过真实业务场景练习提示词工程，完成后获得能力认证。",
       "Practise prompt engineering on real tasks and earn a certification.",
       [("nc.prompt-engineering", 5, True)], [], None, duration_days=5),
    _d(9, "project", "", "Remote Python data pipeline",
       "", "Build a Python and SQL data pipeline for our Lisbon and Hainan teams.",
       [("nc.python", 3, True), ("nc.sql", 3, True)], ["nc.docker"], ("40000.00", "60000.00"),
       period="total", languages=("en",)),
]  # fmt: skip


def _concepts() -> None:
    for code, kind, zh, en in CONCEPTS:
        Concept.objects.get_or_create(
            code=code,
            defaults={"kind": kind, "label_zh": zh, "label_en": en, "source": "nomadcloud"},
        )


def _owner_principal(org: Organisation) -> Principal:
    membership = (
        Membership.objects.filter(organisation=org, role=Membership.Role.OWNER)
        .select_related("user")
        .first()
    )
    return Principal(user=membership.user if membership else None)


def seed() -> dict[str, int]:
    """Create the demo demands; does nothing when the enterprises already have demands."""
    enterprises = list(
        Organisation.objects.filter(kind=Organisation.Kind.ENTERPRISE)
        .exclude(verification_status=Organisation.Verification.PENDING)
        .order_by("id")
    )
    if not enterprises or Demand.objects.filter(organisation__in=enterprises).exists():
        return {"demands": 0}
    _concepts()
    created = 0
    deadline = timezone.localdate() + timedelta(days=45)
    for spec in DEMANDS:
        data = dict(spec)
        org = enterprises[int(data.pop("org")) % len(enterprises)]
        status = str(data.pop("status"))
        principal = _owner_principal(org)
        demand = services.create_demand(
            principal=principal,
            organisation=org,
            draft=parse_draft(DemandDraft, {**data, "deadline": deadline}),
        )
        path = {
            "published": ["published"],
            "paused": ["published", "paused"],
            "filled": ["published", "filled"],
            "draft": [],
        }[status]
        for step in path:
            services.change_status(principal=principal, demand=demand, status=step)
        created += 1
    return {"demands": created}


APPLICATION_NOTES = [
    (
        "我做过两年图像与文本标注，熟悉质检流程，可以马上开始。",
        "300",
        "即日起，每周 30 小时",
    ),
    (
        "I have shipped similar work for two clients in Berlin; happy to share the results.",
        "450",
        "From next month, 20 hours a week",
    ),
]


def seed_applications() -> dict[str, int]:
    """A few applications of the demo nomads to the demo enterprise's published jobs and
    projects; the first is shortlisted (which opens a conversation). Does nothing when there
    are applications already."""
    if DemandApplication.objects.exists():
        return {"applications": 0}
    owner = User.objects.filter(email=f"enterprise@{DEMO_DOMAIN}").first()
    emails = [f"nomad@{DEMO_DOMAIN}", f"emma@{DEMO_DOMAIN}"]
    found = {u.email: u for u in User.objects.filter(email__in=emails)}
    nomads = [found[e] for e in emails if e in found]
    membership = (
        Membership.objects.filter(user=owner, role=Membership.Role.OWNER).first() if owner else None
    )
    if membership is None or not nomads:
        return {"applications": 0}
    demands = list(
        Demand.objects.filter(
            organisation=membership.organisation,
            status=Demand.Status.PUBLISHED,
            kind__in=applications.APPLYING_KINDS,
        ).order_by("id")[:2]
    )
    created = 0
    for index, demand in enumerate(demands):
        for nomad, (note, rate, availability) in zip(nomads, APPLICATION_NOTES, strict=False):
            if Membership.objects.filter(user=nomad, organisation=demand.organisation).exists():
                continue
            application = applications.apply(
                principal=Principal(user=nomad),
                demand=demand,
                draft=parse_draft(
                    ApplicationDraft,
                    {"note": note, "proposed_rate": rate, "availability": availability},
                ),
            )
            created += 1
            if index == 0 and created == 1:
                applications.decide(
                    principal=Principal(user=owner),
                    application=application,
                    decision=DemandApplication.Status.SHORTLISTED,
                )
    return {"applications": created}
