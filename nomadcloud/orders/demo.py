"""Demo orders and conversions for the first demo enterprise (洋浦云帆科技, owner 陈建国
enterprise@…), so that every state has something to show: an open order made from the
website-redesign demand, one in progress for 林小雨 (nomad@…) with a milestone due soon,
one delivered by Emma (emma@…) awaiting review, one settled and rated both ways, and one in
dispute waiting for the zone operator (operator@…). Conversions: 林小雨's two-year
employment contract, her studio registered in the zone, and Emma's flexible employment.

Runs after the accounts, talent, demands and training demos; idempotent (does nothing when
the enterprise already has orders)."""

from __future__ import annotations

import random
from datetime import timedelta
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN, fake_credit_code
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.demands.models import Demand
from nomadcloud.orders import conversions, services
from nomadcloud.orders.models import Order
from nomadcloud.orders.schemas import MilestoneIn, OrderDraft, SkillIn
from nomadcloud.taxonomy.models import Concept
from nomadcloud.training.demo import demo_enterprise

CONCEPTS = {
    "nc.ui-design": ("skill", "UI设计", "user interface design"),
    "nc.video-editing": ("skill", "视频剪辑", "video editing"),
    "nc.data-cleaning": ("skill", "数据清洗", "data cleaning"),
    "nc.translation": ("skill", "翻译", "translation"),
    "nc.graphic-design": ("skill", "平面设计", "graphic design"),
}
PDF = b"%PDF-1.4\n% NomadCloud demo document\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _concepts() -> None:
    for code, (kind, zh, en) in CONCEPTS.items():
        Concept.objects.get_or_create(
            code=code,
            defaults={"kind": kind, "label_zh": zh, "label_en": en, "source": "nomadcloud"},
        )


def _milestones(*rows: tuple[str, str, int]) -> list[MilestoneIn]:
    today = timezone.localdate()
    return [
        MilestoneIn(title=title, amount=Decimal(amount), due_on=today + timedelta(days=days))
        for title, amount, days in rows
    ]


def _taken(boss: Principal, nomad: User, order: Order) -> Order:
    """Open the order, let the nomad apply and assign it to them."""
    services.publish_order(principal=boss, order=order)
    application = services.apply_for_order(
        principal=Principal.for_user(nomad), order=order, note="我有相关经验，可以按时交付。"
    )
    return services.assign(principal=boss, order=order, application=application)


@transaction.atomic
def seed() -> dict[str, int]:
    found = demo_enterprise()
    nomad = User.objects.filter(email=f"nomad@{DEMO_DOMAIN}").first()
    emma = User.objects.filter(email=f"emma@{DEMO_DOMAIN}").first()
    operator = User.objects.filter(email=f"operator@{DEMO_DOMAIN}").first()
    if found is None or nomad is None or emma is None or operator is None:
        return {"orders": 0, "conversions": 0}
    enterprise, owner = found
    if Order.objects.filter(organisation=enterprise).exists():
        return {"orders": 0, "conversions": 0}
    _concepts()
    boss = Principal.for_user(owner)
    lin, em = Principal.for_user(nomad), Principal.for_user(emma)

    # 1. Open, from the website-redesign demand.
    demand = Demand.objects.filter(organisation=enterprise, title_zh="企业官网改版").first()
    website = services.create_order(
        principal=boss,
        organisation=enterprise,
        demand=demand,
        draft=OrderDraft(
            title_zh="" if demand else "企业官网改版",
            skills=[SkillIn(code="nc.ui-design", level=3)],
            milestones=_milestones(
                ("交互与视觉设计稿", "12000.00", 14),
                ("前端开发", "18000.00", 28),
                ("上线与验收", "8000.50", 42),
            ),
        ),
    )
    services.publish_order(principal=boss, order=website)

    # 2. In progress for 林小雨, the first milestone due in two days.
    clips = services.create_order(
        principal=boss,
        organisation=enterprise,
        draft=OrderDraft(
            title_zh="宣传短视频剪辑（三条）",
            title_en="Three promotional clips",
            skills=[SkillIn(code="nc.video-editing", level=3)],
            milestones=_milestones(("第一条成片", "2000.00", 2), ("其余两条", "2500.00", 10)),
        ),
    )
    clips = _taken(boss, nomad, clips)
    services.start_work(principal=lin, order=clips)
    services.post_message(principal=boss, order=clips, body="素材已上传到共享盘，请查收。")
    services.post_message(principal=lin, order=clips, body="收到，周五前交第一条。")

    # 3. Delivered by Emma, awaiting review.
    cleaning = services.create_order(
        principal=boss,
        organisation=enterprise,
        draft=OrderDraft(
            title_zh="用户评论数据清洗脚本",
            title_en="Review data cleaning script",
            skills=[SkillIn(code="nc.data-cleaning", level=4)],
            milestones=_milestones(("脚本与说明", "6800.00", 7)),
        ),
    )
    cleaning = _taken(boss, emma, cleaning)
    services.start_work(principal=em, order=cleaning)
    services.add_deliverable(
        principal=em, order=cleaning, url="https://example.com/emma/cleaning-script", milestone=1
    )
    services.deliver(principal=em, order=cleaning, note="Script, tests and a README.")

    # 4. Settled and rated both ways.
    manual = services.create_order(
        principal=boss,
        organisation=enterprise,
        draft=OrderDraft(
            title_zh="产品说明书翻译（中译英）",
            title_en="Product manual translation (zh → en)",
            skills=[SkillIn(code="nc.translation", level=3)],
            milestones=_milestones(("前半部分", "1500.00", 5), ("后半部分", "1500.00", 9)),
        ),
    )
    manual = _taken(boss, nomad, manual)
    services.start_work(principal=lin, order=manual)
    services.add_deliverable(
        principal=lin,
        order=manual,
        file=SimpleUploadedFile("manual-en.pdf", PDF),
        note="英文版说明书",
    )
    services.deliver(principal=lin, order=manual)
    services.request_revision(principal=boss, order=manual, reason="请统一术语表中的产品名称。")
    services.add_deliverable(
        principal=lin, order=manual, url="https://example.com/linxiaoyu/manual-en-v2"
    )
    services.deliver(principal=lin, order=manual)
    services.accept_milestone(principal=boss, order=manual, position=1)
    services.add_deliverable(
        principal=lin, order=manual, url="https://example.com/linxiaoyu/manual-en-part-2"
    )
    services.deliver(principal=lin, order=manual)
    services.accept_milestone(principal=boss, order=manual, position=2)
    services.settle(principal=boss, order=manual)
    services.rate(principal=boss, order=manual, score=5, comment="译文准确，沟通顺畅。")
    services.rate(principal=lin, order=manual, score=5, comment="需求清楚，验收及时。")

    # 5. In dispute, waiting for the zone operator.
    poster = services.create_order(
        principal=boss,
        organisation=enterprise,
        draft=OrderDraft(
            title_zh="活动海报设计",
            title_en="Event poster design",
            skills=[SkillIn(code="nc.graphic-design", level=4)],
            milestones=_milestones(("海报两版", "1800.00", 3)),
        ),
    )
    poster = _taken(boss, nomad, poster)
    services.start_work(principal=lin, order=poster)
    services.add_deliverable(
        principal=lin, order=poster, url="https://example.com/linxiaoyu/poster", milestone=1
    )
    services.deliver(principal=lin, order=poster)
    services.open_dispute(
        principal=lin, order=poster, reason="交付后企业要求增加第三版，超出约定范围。"
    )

    # Conversions.
    today = timezone.localdate()
    conversions.record_conversion(
        principal=boss,
        organisation=enterprise,
        nomad=nomad,
        kind="contract",
        starts_on=today - timedelta(days=10),
        ends_on=today - timedelta(days=10) + timedelta(days=730),
        order=Order.objects.get(pk=manual.pk),
        note="远程内容运营岗位，劳动合同两年。",
        documents=[SimpleUploadedFile("contract-summary.pdf", PDF)],
    )
    conversions.record_conversion(
        principal=boss,
        organisation=enterprise,
        nomad=nomad,
        kind="business",
        business_name="洋浦小雨数字工作室",
        credit_code=fake_credit_code(random.Random(4604)),
        registered_on=today - timedelta(days=40),
        order=Order.objects.get(pk=manual.pk),
    )
    conversions.record_conversion(
        principal=boss,
        organisation=enterprise,
        nomad=emma,
        kind="flexible",
        starts_on=today - timedelta(days=3),
        note="Flexible engagement for data work, two days a week.",
    )
    return {"orders": 5, "conversions": 3}
