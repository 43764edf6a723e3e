"""A demo data batch (called from ``seed_demo``): an open sentiment-labelling batch of the
persona enterprise 洋浦云帆科技有限公司, with a three-item qualification test and gold items
mixed into the work. Three generated nomads have qualified and answered part of it (one of
them carelessly), so the enterprise's page shows progress, accuracy and agreement, while the
nomad personas (林小雨, Emma Schulz) can still take the test themselves. Idempotent."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from django.db import transaction

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.datatasks import services
from nomadcloud.datatasks.models import Batch
from nomadcloud.datatasks.schemas import BatchDraft
from nomadcloud.taxonomy.models import Concept

DEMO_FILE = "demo-product-reviews.csv"
POSITIVE, NEGATIVE, NEUTRAL = "正面 positive", "负面 negative", "中性 neutral"
LABELS = [POSITIVE, NEGATIVE, NEUTRAL]
# id, review, gold answer ("" for items to label), in the qualification test
ITEMS = [
    ("q1", "物流很快，包装完好，非常满意。", POSITIVE, True),
    ("q2", "用了两天就坏了，客服也不回复。", NEGATIVE, True),
    ("q3", "收到了，和描述一致，暂时没发现问题。", NEUTRAL, True),
    ("g1", "椰子糖味道很正，家里老人小孩都爱吃，已回购。", POSITIVE, False),
    ("g2", "尺码偏小两号，退货还要自己付运费，很失望。", NEGATIVE, False),
    ("g3", "Arrived on time, works as described.", NEUTRAL, False),
    ("g4", "The best coffee I have had in Hainan!", POSITIVE, False),
    ("r01", "儋州的黄皮果酱太好吃了，推荐！", "", False),
    ("r02", "快递放在门口被雨淋湿了。", "", False),
    ("r03", "价格和超市差不多。", "", False),
    ("r04", "客服耐心解答了所有问题，点赞。", "", False),
    ("r05", "包装有点简陋，但东西没坏。", "", False),
    ("r06", "第二次买了，质量稳定。", "", False),
    ("r07", "发票一直没开出来。", "", False),
    ("r08", "颜色比图片暗一些。", "", False),
    ("r09", "The hotel shuttle from Yangpu port was fast and friendly.", "", False),
    ("r10", "Room was fine, nothing special.", "", False),
    ("r11", "Never received my refund.", "", False),
    ("r12", "海花岛的夜景太美了，值得一去。", "", False),
    ("r13", "排队两个小时，体验很差。", "", False),
    ("r14", "东坡书院讲解很专业。", "", False),
    ("r15", "停车位不够，周末人很多。", "", False),
    ("r16", "一般般，不会再来。", "", False),
    ("r17", "共享办公空间网速很快，安静。", "", False),
    ("r18", "空调有点吵。", "", False),
    ("r19", "Great coworking space, met many other nomads.", "", False),
    ("r20", "The app crashed twice during checkout.", "", False),
    ("r21", "按时送达。", "", False),
]
# What careful workers answer on the items to label.
ANSWERS = {
    "r01": POSITIVE,
    "r02": NEGATIVE,
    "r03": NEUTRAL,
    "r04": POSITIVE,
    "r05": NEUTRAL,
    "r06": POSITIVE,
    "r07": NEGATIVE,
    "r08": NEUTRAL,
    "r09": POSITIVE,
    "r10": NEUTRAL,
    "r11": NEGATIVE,
    "r12": POSITIVE,
    "r13": NEGATIVE,
    "r14": POSITIVE,
    "r15": NEGATIVE,
    "r16": NEGATIVE,
    "r17": POSITIVE,
    "r18": NEGATIVE,
    "r19": POSITIVE,
    "r20": NEGATIVE,
    "r21": NEUTRAL,
}
GOLD = {item_id: gold for item_id, _text, gold, _q in ITEMS if gold}


def items_file() -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["id", "text", "gold", "qualification"])
    for item_id, text, gold, qualification in ITEMS:
        writer.writerow([item_id, text, gold, "1" if qualification else ""])
    return buffer.getvalue().encode()


def _enterprise() -> tuple[Organisation, User] | None:
    membership = (
        Membership.objects.filter(
            organisation__kind=Organisation.Kind.ENTERPRISE,
            role=Membership.Role.OWNER,
        )
        .exclude(organisation__verification_status=Organisation.Verification.PENDING)
        .select_related("organisation", "user")
        .order_by("organisation_id")
        .first()
    )
    return (membership.organisation, membership.user) if membership else None


def _workers(organisation: Organisation) -> list[User]:
    """Three nomads who are neither the personas nor members of the enterprise."""
    return list(
        User.objects.filter(is_nomad=True, is_active=True, email__startswith="nomad")
        .exclude(email__startswith="nomad@")
        .exclude(memberships__organisation=organisation)
        .order_by("id")[:3]
    )


@transaction.atomic
def seed() -> dict[str, int]:
    found = _enterprise()
    if found is None:
        return {"datatask_batches": 0, "datatask_answers": 0}
    organisation, owner = found
    if Batch.objects.filter(organisation=organisation, file_name=DEMO_FILE).exists():
        return {"datatask_batches": 0, "datatask_answers": 0}
    Concept.objects.get_or_create(
        code="nc.data-annotation",
        defaults={
            "kind": Concept.Kind.SKILL,
            "label_zh": "数据标注",
            "label_en": "data annotation",
            "source": "nomadcloud",
        },
    )
    principal = Principal.for_user(owner)
    draft = parse_draft(
        BatchDraft,
        {
            "title_zh": "商品与服务评论情感标注",
            "title_en": "Sentiment of product and service reviews",
            "instructions_zh": (
                "阅读每条用户评论（中文或英文），判断其整体情感：\n"
                "正面：满意、推荐、称赞；负面：不满、投诉、失望；中性：陈述事实，无明显褒贬。\n"
                "按数字键 1–3 选择，回车提交。"
            ),
            "instructions_en": (
                "Read each customer review (Chinese or English) and choose its overall "
                "sentiment:\npositive: satisfied, recommends, praises; negative: unhappy, "
                "complains, disappointed; neutral: states facts without praise or blame.\n"
                "Press 1–3 to choose and Enter to submit."
            ),
            "task_type": Batch.TaskType.SINGLE_LABEL,
            "labels": LABELS,
            "overlap": 3,
            "pay_per_item": Decimal("0.50"),
            "min_accuracy_percent": 60,
            "min_gold_answers": 2,
            "qualification_min_percent": 66,
            "gold_percent": 15,
            "skills": [{"code": "nc.data-annotation", "level": 5}],
        },
    )
    batch = services.create_batch(
        principal=principal,
        organisation=organisation,
        draft=draft,
        upload=services.Upload(name=DEMO_FILE, data=items_file()),
    )
    batch = services.change_status(principal=principal, batch=batch, status=Batch.Status.OPEN)
    answers = 0
    for index, worker in enumerate(_workers(organisation)):
        answers += _work(batch, worker, careless=index == 2, limit=(23, 19, 13)[index])
    return {"datatask_batches": 1, "datatask_answers": answers}


def _work(batch: Batch, worker: User, *, careless: bool, limit: int) -> int:
    principal = Principal.for_user(worker)
    services.join_batch(principal=principal, batch=batch)
    count = 0
    missed_once = False
    while count < limit:
        assignment = services.next_assignment(principal=principal, batch=batch)
        if assignment is None:
            break
        item_id = assignment.item.external_id
        right = GOLD.get(item_id) or ANSWERS[item_id]
        value = NEUTRAL if careless and item_id.startswith("r") and count % 2 else right
        # The careless worker also misses the first gold item of the work (a warning follows)
        # and appeals it: the enterprise's reviewers find it in their appeals queue.
        missed = careless and item_id.startswith("g") and not missed_once
        if missed:
            value = next(label for label in LABELS if label != right)
            missed_once = True
        submitted = services.submit_answer(principal=principal, assignment=assignment, value=value)
        if missed:
            services.appeal_gold(
                principal=principal,
                answer=submitted.answer,
                reason="这条评论有反讽的意思，我认为答案应当是另一个。 "
                "The review reads as ironic to me.",
            )
        count += 1
        if submitted.state.status != "qualified" and submitted.state.status != "qualifying":
            break
    return count
