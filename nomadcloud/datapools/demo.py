"""Demo data pools (还数于民), one per plan-004 task:

- 智慧交通出行行为数据池 (traffic, 市科工信局 approved; steward 儋州海数智能数据服务): trips of
  three nomads uploaded as CSV (12 rows each), version 1 released; 洋浦云帆科技 holds an
  agreement for aggregates, asked one last month, and last month's rewards were paid (points,
  and 30 % of ¥600 fees through payouts from the steward's budget); the product carries its
  registration query code and 洋浦云帆科技's shuttle-route scenario is in the library; every
  agreement was confirmed by 市科工信局 (经核定, decision 0062), and a second request for
  aggregates (30 days), agreed by the steward, awaits that 核定 (the reviewer's workspace);
- 文旅消费数据池 (consumption, 市旅文局; same steward): the nomad persona (nomad@…) opted in a
  month ago, so the points-payments connector read their payment at 海花岛; Emma uploaded
  a day of spending; version 1 released; 洋浦云帆科技 has asked it for aggregates (the
  request waits for the steward on the negotiations page);
- 文娱元宇宙数字资产池 (metaverse assets, 市旅文局; steward 海南蓝湾元宇宙科技): asset
  metadata of two creators, one upload quarantined because it held a phone number;
- 来数加工标注数据池 (labelled data, 市科工信局; steward 儋州海数): open and empty, for the
  datatasks connector once an enterprise releases an accepted batch to it.

Runs after the accounts, points and consent demos; idempotent (nothing once a pool exists)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.access import DECIDING_ROLES
from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import services as consent
from nomadcloud.core.inputs import parse_draft
from nomadcloud.crossborder import demo as crossborder_demo
from nomadcloud.crossborder import services as crossborder_services
from nomadcloud.crossborder.schemas import ExportRequestDraft, ReviewDraft
from nomadcloud.datapools import (
    aggregates,
    negotiation,
    querytemplates,
    registration,
    rewards,
    scenarios,
    services,
)
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.inputs import PoolDraft, ScenarioDraft
from nomadcloud.datapools.models import IN_FORCE, Negotiation, Pool, UsageEvent
from nomadcloud.payouts import services as payouts

NOTICE = "2026-12"
CATEGORIES = ["culture_tourism", "dining", "transport", "coworking", "entertainment"]

TRAFFIC = [
    {"name": "day", "type": "date", "required": True},
    {"name": "area", "type": "enum", "values": ["yangpu", "baimajing", "sandu"], "required": True},
    {"name": "mode", "type": "enum", "values": ["car", "bus", "bike", "walk"], "required": True},
    {"name": "trips", "type": "integer", "min": 0, "max": 500, "required": True},
    {"name": "km", "type": "number", "min": 0, "max": 2000},
]
CONSUMPTION = [
    {"name": "merchant_category", "type": "enum", "values": CATEGORIES, "required": True},
    {"name": "scenario", "type": "string", "max_length": 40, "required": True},
    {
        "name": "amount_band",
        "type": "enum",
        "values": ["0-99", "100-499", "500+"],
        "required": True,
    },
    {"name": "day", "type": "date", "required": True},
    {"name": "area", "type": "string", "max_length": 40, "required": True},
]
METAVERSE = [
    {
        "name": "asset_type",
        "type": "enum",
        "values": ["3d_model", "image", "audio", "scene"],
        "required": True,
    },
    {"name": "format", "type": "enum", "values": ["glb", "gltf", "png", "wav"], "required": True},
    {"name": "polygons", "type": "integer", "min": 0, "max": 10_000_000},
    {"name": "licence", "type": "enum", "values": ["CC-BY-4.0", "commercial"], "required": True},
    {"name": "sha256", "type": "string", "max_length": 64, "required": True},
    {"name": "title", "type": "string", "max_length": 120},
    {"name": "created", "type": "date", "required": True},
]

# The columns the datatasks connector writes (connectors.py).
LABELLED = [
    {
        "name": "task_type",
        "type": "enum",
        "values": ["single_label", "multi_label", "transcription", "spans"],
        "required": True,
    },
    {"name": "item", "type": "string", "max_length": 100, "required": True},
    {"name": "text", "type": "string", "max_length": 20000, "required": True},
    {"name": "label", "type": "string", "max_length": 2000, "required": True},
    {"name": "result", "type": "string", "max_length": 2000, "required": True},
]


def _charter(columns: list[dict[str, Any]], categories: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "purposes": ["dpv:ResearchAndDevelopment"],
        "data_categories": categories,
        "classification": "general",
        "grade": "pi",
        "consent_notice_version": NOTICE,
        "access_modes": ["aggregate", "query_template"],
        "points_per_row": 2,
        "fee_share_percent": 30,
        "distribution_period": "month",
        "retention_days": 730,
        "columns": columns,
        **extra,
    }


def _org(name_zh: str) -> Organisation | None:
    return Organisation.objects.filter(name_zh=name_zh).first()


def _owner(org: Organisation) -> User:
    membership = Membership.objects.filter(organisation=org, role="owner").order_by("pk").first()
    assert membership is not None, org
    return membership.user


def _open(pool: Pool, steward: User, reviewer: User) -> Pool:
    pool = services.move(principal=Principal.for_user(reviewer), pool=pool, action="approve")
    return services.move(principal=Principal.for_user(steward), pool=pool, action="open")


def _upload(user: User, pool: Pool, text: str) -> None:
    services.contribute(
        principal=Principal.for_user(user),
        pool=pool,
        data=text.encode(),
        consent_notice_version=NOTICE,
        give_consent=True,
    )


@transaction.atomic
def seed() -> dict[str, int]:
    if Pool.objects.exists():
        return {}
    haishu, bluebay = _org("儋州海数智能数据服务有限公司"), _org("海南蓝湾元宇宙科技有限公司")
    kegongxin = Organisation.objects.filter(kind="department", code="kegongxin").first()
    lvwen = Organisation.objects.filter(kind="department", code="lvwen").first()
    if None in (haishu, bluebay, kegongxin, lvwen):
        return {}
    assert haishu and bluebay and kegongxin and lvwen
    steward, creator_steward = _owner(haishu), _owner(bluebay)
    kegongxin_reviewer = User.objects.get(email=f"reviewer@{DEMO_DOMAIN}")
    lvwen_reviewer = User.objects.get(email=f"lvwen@{DEMO_DOMAIN}")
    nomads = list(
        User.objects.filter(is_nomad=True, email__endswith=DEMO_DOMAIN).order_by("pk")[:4]
    )
    nomad = User.objects.get(email=f"nomad@{DEMO_DOMAIN}")
    emma = User.objects.get(email=f"emma@{DEMO_DOMAIN}")
    today = timezone.localdate()
    days = [(today - timedelta(days=n)).isoformat() for n in (3, 2, 1)]

    traffic = services.propose_pool(
        principal=Principal.for_user(steward),
        steward=haishu,
        department=kegongxin,
        draft=parse_draft(
            PoolDraft,
            {
                "kind": "traffic",
                "title": {
                    "zh-Hans": "智慧交通出行行为数据池",
                    "en": "Smart traffic behaviour pool",
                },
                "description": {
                    "zh-Hans": "车主与乘客贡献的出行行为数据，向园区企业开放用于交通算法研发。",
                    "en": "Trips contributed by car owners and passengers, open to zone "
                    "enterprises for traffic algorithm research.",
                },
                "charter": _charter(TRAFFIC, ["pd:Location", "pd:TravelHistory"]),
            },
        ),
    )
    traffic = _open(traffic, steward, kegongxin_reviewer)
    modes = ["car", "bus", "bike", "walk"]
    for index, person in enumerate(nomads[:3]):
        area = ["yangpu", "baimajing", "sandu"][index]
        lines = [
            f"{day},{area},{mode},{2 + n + index},{5 + 3 * n + index}"
            for n, day in enumerate(days)
            for mode in modes
        ]
        _upload(person, traffic, "day,area,mode,trips,km\n" + "\n".join(lines) + "\n")
    services.release_version(principal=Principal.for_user(steward), pool=traffic)

    consumption = services.propose_pool(
        principal=Principal.for_user(steward),
        steward=haishu,
        department=lvwen,
        draft=parse_draft(
            PoolDraft,
            {
                "kind": "consumption",
                "title": {
                    "zh-Hans": "文旅消费数据池",
                    "en": "Culture and tourism consumption pool",
                },
                "description": {
                    "zh-Hans": "数字游民在环新英湾、海花岛等场景的积分消费"
                    "（商户类别、金额区间、日期、区域），"
                    "不含身份信息。",
                    "en": "Nomads' points spending in zone scenarios (merchant category, amount "
                    "band, day, area), never their identity.",
                },
                # Aggregates of consumption carry Laplace noise: ε 2 per agreement.
                "charter": _charter(
                    CONSUMPTION,
                    ["pd:PurchasesAndSpendingHabit", "pd:Location"],
                    dp_epsilon_budget="2.00",
                ),
            },
        ),
    )
    consumption = _open(consumption, steward, lvwen_reviewer)
    consent.give_consent(
        nomad,
        purpose="dpv:ResearchAndDevelopment",
        purpose_description="文旅消费数据池",
        data_categories=["pd:PurchasesAndSpendingHabit", "pd:Location"],
        recipients=[consumption.recipient],
        notice_version=NOTICE,
        method="web_form",
        at=timezone.now() - timedelta(days=30),
    )
    imported = services.import_points_payments(
        principal=Principal.for_user(steward), pool=consumption
    )
    _upload(
        emma,
        consumption,
        "merchant_category,scenario,amount_band,day,area\n"
        f"dining,haihua-island,0-99,{days[0]},haihua\n"
        f"culture_tourism,haihua-island,100-499,{days[1]},haihua\n",
    )
    services.release_version(principal=Principal.for_user(steward), pool=consumption)

    metaverse = services.propose_pool(
        principal=Principal.for_user(creator_steward),
        steward=bluebay,
        department=lvwen,
        draft=parse_draft(
            PoolDraft,
            {
                "kind": "metaverse",
                "title": {"zh-Hans": "文娱元宇宙数字资产池", "en": "Metaverse digital asset pool"},
                "description": {
                    "zh-Hans": "数字游民创作的三维模型、图像与音频资产的元数据与哈希，"
                    "用于加工增值与评估计价。",
                    "en": "Metadata and hashes of 3D models, images and audio created by nomads, "
                    "for processing, valuation and sale.",
                },
                "charter": _charter(METAVERSE, ["pd:Name"], access_modes=["download"]),
            },
        ),
    )
    metaverse = _open(metaverse, creator_steward, lvwen_reviewer)
    header = "asset_type,format,polygons,licence,sha256,title,created\n"
    _upload(
        nomad,
        metaverse,
        header
        + f"3d_model,glb,48210,CC-BY-4.0,{'a3' * 32},洋浦盐田古村,{days[0]}\n"
        + f"image,png,,commercial,{'5f' * 32},新英湾日落,{days[1]}\n",
    )
    _upload(
        emma,
        metaverse,
        header + f"audio,wav,,CC-BY-4.0,{'0c' * 32},Call 13912345678 for the stems,{days[2]}\n",
    )
    labelled = services.propose_pool(
        principal=Principal.for_user(steward),
        steward=haishu,
        department=kegongxin,
        draft=parse_draft(
            PoolDraft,
            {
                "kind": "labelled",
                "title": {"zh-Hans": "来数加工标注数据池", "en": "Labelled data pool"},
                "description": {
                    "zh-Hans": "园区企业验收的数据标注成果，经企业授权、标注员同意后入池。",
                    "en": "Accepted outputs of zone enterprises' labelling batches, pooled with "
                    "the enterprise's agreement and each worker's consent.",
                },
                "charter": _charter(LABELLED, []),
            },
        ),
    )
    _open(labelled, steward, kegongxin_reviewer)
    agreed = _agreement(traffic, steward)
    awaiting = _awaiting_confirmation(traffic, steward)
    services.release_version(principal=Principal.for_user(creator_steward), pool=metaverse)
    return {
        "datapools_templates": _templates(traffic, steward),
        "datapools_downloads": _download(metaverse, creator_steward),
        "datapools": 4,
        "datapools_connector_contributions": len(imported),
        "datapools_agreements": agreed,
        "datapools_requests": _pending_request(consumption),
        "datapools_awaiting_confirmation": awaiting,
    }


def confirm_agreement(made: Negotiation, note: str = "") -> Negotiation:
    """The lead department's 核定 of an agreement both sides reached (decision 0062)."""
    reviewer = (
        Membership.objects.filter(organisation=made.pool.lead_department, role__in=DECIDING_ROLES)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert reviewer is not None
    return negotiation.move(
        principal=Principal.for_user(reviewer.user),
        negotiation=made,
        action="confirm",
        reason=note,
    )


def _awaiting_confirmation(pool: Pool, steward: User) -> int:
    """洋浦云帆科技 asks the traffic pool for aggregates over 30 days more; the steward
    agreed, and the agreement waits for 市科工信局's 核定."""
    yunfan = _org("洋浦云帆科技有限公司")
    if yunfan is None or yunfan.verification_status != Organisation.Verification.VERIFIED:
        return 0
    made = negotiation.request_access(
        principal=Principal.for_user(_owner(yunfan)),
        pool=pool,
        consumer=yunfan,
        purpose="dpv:ResearchAndDevelopment",
        access_mode="aggregate",
        duration_days=30,
    )
    negotiation.move(principal=Principal.for_user(steward), negotiation=made, action="agree")
    return 1


def _pending_request(pool: Pool) -> int:
    """洋浦云帆科技 also asks the consumption pool for aggregates: a request waiting for the
    steward (its workspace shows it to answer; the enterprise's shows it pending)."""
    yunfan = _org("洋浦云帆科技有限公司")
    if yunfan is None or yunfan.verification_status != Organisation.Verification.VERIFIED:
        return 0
    charter = current_charter(pool)
    negotiation.request_access(
        principal=Principal.for_user(_owner(yunfan)),
        pool=pool,
        consumer=yunfan,
        purpose=charter.purposes[0],
        access_mode="aggregate",
        duration_days=90,
    )
    return 1


def _agreement(pool: Pool, steward: User) -> int:
    """洋浦云帆科技 (enterprise@…) holds an agreement for aggregates of the traffic pool."""
    yunfan = _org("洋浦云帆科技有限公司")
    if yunfan is None or yunfan.verification_status != Organisation.Verification.VERIFIED:
        return 0
    made = negotiation.request_access(
        principal=Principal.for_user(_owner(yunfan)),
        pool=pool,
        consumer=yunfan,
        purpose="dpv:ResearchAndDevelopment",
        access_mode="aggregate",
        duration_days=180,
    )
    made = negotiation.move(principal=Principal.for_user(steward), negotiation=made, action="agree")
    agreed = confirm_agreement(made, "符合池章程第1版的开放目的与方式。")
    # One aggregate last month, and that month's rewards paid to the three contributors.
    aggregates.aggregate(
        principal=Principal.for_user(_owner(yunfan)), negotiation=agreed, group_by=["area"]
    )
    first = timezone.localdate().replace(day=1)
    last = first - timedelta(days=1)
    UsageEvent.objects.filter(negotiation=agreed).update(
        at=timezone.now().replace(year=last.year, month=last.month, day=15)
    )
    # Last month's fees: ¥600, of which the charter's 30 % (¥180.00) goes to the
    # contributors through payouts, out of the steward's reward budget.
    budget = payouts.create_budget(
        programme_code="datapool-rewards",
        year=last.year,
        amount=Decimal("20000.00"),
        owner=pool.steward,
        actor=steward,
        name_zh="数据池贡献者奖励",
        name_en="Data pool contributor rewards",
    )
    rewards.distribute(
        principal=Principal.for_user(steward),
        pool=pool,
        period=last.strftime("%Y-%m"),
        fees=Decimal("600.00"),
        budget=budget,
    )
    # The product is registered with the provincial registry, and 洋浦云帆科技 tells the
    # scenario library what it made with the aggregates.
    registration.register(
        principal=Principal.for_user(steward),
        pool=pool,
        code=f"460000-{timezone.now().year}-DP000001",
    )
    scenarios.add_scenario(
        principal=Principal.for_user(_owner(yunfan)),
        draft=parse_draft(
            ScenarioDraft,
            {
                "title": {
                    "zh-Hans": "洋浦通勤班车线路优化",
                    "en": "Yangpu commuter shuttle routes",
                },
                "summary": {
                    "zh-Hans": "按片区和出行方式汇总的出行数据，用于规划园区通勤班车的线路与班次。",
                    "en": "Trips counted by area and mode, used to plan the zone's commuter "
                    "shuttle routes and timetable.",
                },
                "outcome": {
                    "zh-Hans": "新增白马井—洋浦早晚班车两条，试运行期间通勤时间平均缩短约12%。",
                    "en": "Two new Baimajing–Yangpu peak shuttles; commutes about 12% shorter "
                    "during the trial.",
                },
                "enterprise": str(yunfan.public_id),
                "pools": [str(pool.public_id)],
            },
        ),
    )
    return 1


def _templates(pool: Pool, steward: User) -> int:
    """The traffic pool's steward approved a template (trips and kilometres by area since a
    day) and wrote a second one, by mode, still a draft; 洋浦云帆科技 holds an agreement for
    query templates and ran the approved one once (decision 0048)."""
    olivia = Principal.for_user(steward)
    approved = querytemplates.write_template(
        principal=olivia,
        pool=pool,
        draft=parse_draft(
            querytemplates.TemplateDraft,
            {
                "title": {"zh-Hans": "各区域出行次数与里程", "en": "Trips and kilometres by area"},
                "sql": "SELECT area, count(*) AS n, sum(trips) AS trips, round(sum(km), 1) AS km "
                "FROM release WHERE day >= $since GROUP BY area ORDER BY area",
                "parameters": [{"name": "since", "type": "date"}],
            },
        ),
    )
    approved = querytemplates.decide_template(principal=olivia, template=approved, action="approve")
    querytemplates.write_template(
        principal=olivia,
        pool=pool,
        draft=parse_draft(
            querytemplates.TemplateDraft,
            {
                "title": {"zh-Hans": "某种出行方式的各区域次数", "en": "Trips by area for a mode"},
                "sql": "SELECT area, count(*) AS n FROM release WHERE mode = $mode GROUP BY area",
                "parameters": [
                    {"name": "mode", "type": "enum", "values": ["car", "bus", "bike", "walk"]}
                ],
            },
        ),
    )
    yunfan = _org("洋浦云帆科技有限公司")
    if yunfan is None or yunfan.verification_status != Organisation.Verification.VERIFIED:
        return 1
    made = negotiation.request_access(
        principal=Principal.for_user(_owner(yunfan)),
        pool=pool,
        consumer=yunfan,
        purpose="dpv:ResearchAndDevelopment",
        access_mode="query_template",
        duration_days=180,
    )
    agreed = confirm_agreement(negotiation.move(principal=olivia, negotiation=made, action="agree"))
    since = (timezone.localdate() - timedelta(days=7)).isoformat()
    querytemplates.run(
        principal=Principal.for_user(_owner(yunfan)),
        negotiation=agreed,
        template=approved,
        parameters={"since": since},
    )
    return 2


def _download(pool: Pool, steward: User) -> int:
    """洋浦云帆科技 holds an agreement to download the metaverse pool's de-identified extract
    (the charter allows downloads); the extract is written to the storage once."""
    yunfan = _org("洋浦云帆科技有限公司")
    if yunfan is None or yunfan.verification_status != Organisation.Verification.VERIFIED:
        return 0
    made = negotiation.request_access(
        principal=Principal.for_user(_owner(yunfan)),
        pool=pool,
        consumer=yunfan,
        purpose="dpv:ResearchAndDevelopment",
        access_mode="download",
        duration_days=90,
    )
    made = negotiation.move(principal=Principal.for_user(steward), negotiation=made, action="agree")
    confirm_agreement(made)
    return 1


def seed_agreement_abroad() -> dict[str, int]:
    """After the cross-border demo (its 网信办 reviewer, the enterprises' owners): 儋州海数's
    traffic pool used by 洋浦云帆科技 in Singapore under a whitelist entry (decisions 0052,
    0064). Here, not in crossborder's demo: the pools sit above cross-border in the layers."""
    names = ("洋浦云帆科技有限公司", "儋州海数智能数据服务有限公司")
    orgs = {o.name_zh: o for o in Organisation.objects.filter(name_zh__in=names)}
    department = Organisation.objects.filter(kind="department", code="wangxin").first()
    if len(orgs) < 2 or department is None:
        return {}
    yunfan, haishu = orgs[names[0]], orgs[names[1]]
    reviewer = crossborder_demo._reviewer(department)
    yunfan_owner, haishu_owner = crossborder_demo._owner(yunfan), crossborder_demo._owner(haishu)
    if reviewer is None or yunfan_owner is None or haishu_owner is None:
        return {}
    abroad = _agreement_abroad(haishu, haishu_owner, yunfan, yunfan_owner, reviewer)
    return {"datapools_agreements_abroad": abroad}


def _agreement_abroad(
    steward: Organisation,
    steward_owner: User,
    consumer: Organisation,
    consumer_owner: User,
    reviewer: User,
) -> int:
    """The whitelist entry covering 洋浦云帆科技's use of the traffic pool in Singapore, and the
    agreement made under it through the ordinary negotiation (checked at the request and
    again at the agreement), used once. Nothing when the datapools demo has not run."""
    pool = Pool.objects.filter(steward=steward, kind=Pool.Kind.TRAFFIC, status="open").first()
    version = pool.versions.order_by("-number").first() if pool else None
    if pool is None or version is None:
        return 0
    if consumer.verification_status != Organisation.Verification.VERIFIED:
        return 0
    charter = current_charter(pool)
    purpose = charter.purposes[0]
    recipient = consumer.name_zh
    crossborder_demo._consents(recipient, purpose, version.contributor_count)
    request = crossborder_demo._file(
        steward_owner,
        steward,
        ExportRequestDraft(
            recipient_name=recipient,
            recipient_country="SG",
            purpose=purpose,
            data_categories=list(charter.data_categories),
            scenario="other",
            pi_count=500,
            sensitive_count=500,
        ),
    )
    crossborder_demo._evidence(steward_owner, request, "separate_consent")
    crossborder_demo._evidence(
        steward_owner, request, "impact_assessment", reference="PIA-DZHS-2026-12"
    )
    request = crossborder_demo._evidence(
        steward_owner, request, "filing_receipt", reference="琼网信备〔2026〕207号"
    )
    crossborder_services.review(
        principal=Principal.for_user(reviewer),
        request=request,
        draft=parse_draft(
            ReviewDraft,
            {"approve": True, "note": "标准合同已备案；仅限研发用途。"},
        ),
    )
    made = negotiation.request_access(
        principal=Principal.for_user(consumer_owner),
        pool=pool,
        consumer=consumer,
        purpose=purpose,
        access_mode="aggregate",
        duration_days=90,
        spatial="SG",
    )
    agreed = negotiation.move(
        principal=Principal.for_user(steward_owner), negotiation=made, action="agree"
    )
    if agreed.state not in IN_FORCE:  # the lead department's 核定 first (decision 0062)
        agreed = confirm_agreement(agreed, "出境已列入白名单（标准合同已备案）。")
    aggregates.aggregate(
        principal=Principal.for_user(consumer_owner), negotiation=agreed, group_by=["area"]
    )
    return 1
