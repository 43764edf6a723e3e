"""Demo valuations and bubble watch:

- a licensed valuation firm, 海南中衡资产评估有限公司, whose owner is the valuer persona
  (valuer@…, the demo password);
- the traffic pool of 儋州海数智能数据服务 as a data asset: a valuation as of last 30 June,
  issued (signed by the valuer and by 市科工信局's reviewer), and a new one reconciled and
  waiting for both signatures;
- the metaverse asset pool of 海南蓝湾元宇宙科技 as a data asset with five years of monthly
  transaction prices whose last 18 months run away (a simulated explosive path): the watch
  raised an alert to 市旅文局 with the PSY evidence;
- monitor settings per category (threshold ρ > 3, 95 %, lag 0);
- (decision 0063) 洋浦云帆科技's agreement on the traffic pool at a fee of ¥48,000 (the
  steward's counter-offer, accepted in January), read into both valuations' platform revenue;
  the issued valuation's costs recognised in 儋州海数's books (入表) as an intangible asset
  with a 60-month life on 1 July, and an impairment of ¥12,000 since: the roll-forward at
  /valuation/books/<儋州海数>/.

Runs after the datapools demo; idempotent (nothing once an asset exists)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.datapools import demo as datapools_demo
from nomadcloud.datapools import negotiation
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import Negotiation, Pool
from nomadcloud.valuation import books, psy, services, watch
from nomadcloud.valuation.inputs import (
    AssetDraft,
    CollectDraft,
    ComputeDraft,
    LegalGateDraft,
    MovementDraft,
    QualityDraft,
    RecognitionDraft,
    ReconcileDraft,
    RequestDraft,
)
from nomadcloud.valuation.models import DataAsset, MonitorConfig, PriceObservation, Valuation

FIRM = ("海南中衡资产评估有限公司", "Hainan Zhongheng Asset Appraisal Co., Ltd.")
VALUER = f"valuer@{DEMO_DOMAIN}"

COLLECT = {
    "cost_lines": [
        {"category": "acquisition", "amount": "180000.00", "source": "采购合同 HS-2025-031"},
        {"category": "labour", "amount": "96000.00", "source": "datatasks cleaning batches 2025"},
        {"category": "storage", "amount": "24000.00", "source": "cloud invoices 2025"},
        {"category": "quality", "amount": "18000.00", "source": "quality audit report Q4"},
    ],
    "notes": "Costs since the pool opened; the platform's own records were read too.",
}
LEGAL = {
    "rights": [
        {"right": "resource_holding", "evidence": "pool charter v1; 数据资产登记 HN-DA-2026-0107"},
        {"right": "processing_use", "evidence": "contributors' consent records (dpv)",
         "expires_on": "2031-12-31"},
        {"right": "product_operation", "evidence": "市科工信局 approval of the pool"},
    ],
    "consent_scope_covers_purpose": True,
}  # fmt: skip
QUALITY = {
    "dimensions": [
        {"dimension": "normative", "score": "95", "weight": "0.2", "evidence": "schema 100 %"},
        {"dimension": "completeness", "score": "88", "weight": "0.2", "evidence": "null 1.5 %"},
        {"dimension": "accuracy", "score": "82", "weight": "0.2", "evidence": "sample audit"},
        {"dimension": "consistency", "score": "90", "weight": "0.15", "evidence": "dups 0.4 %"},
        {"dimension": "timeliness", "score": "85", "weight": "0.15", "evidence": "lag 1 day"},
        {"dimension": "accessibility", "score": "92", "weight": "0.1", "evidence": "uptime 99.6 %"},
    ]
}


def _compute(flows: list[str]) -> dict[str, object]:
    factors = {"quality": "1", "value_density": "1", "date": "1", "volume": "1", "other": "1"}
    return {
        "cost": {"basis": "historical", "return_rate": "0.12"},
        "income": {
            "attribution": "royalty_split",
            "cash_flows": flows,
            "share": "0.35",
            "discount_rate": "0.11",
        },
        "market": {
            "comparables": [
                {**factors, "reference": "上海数据交易所 listing 2026-0412", "price": "420000.00",
                 "quality": "0.95", "related_party": False},
                {**factors, "reference": "深圳数据交易所 listing 2026-0877", "price": "380000.00",
                 "date": "1.03", "related_party": False},
                {**factors, "reference": "platform agreement (aggregates, 12 months)",
                 "price": "360000.00", "volume": "1.05", "related_party": False},
            ]
        },
        "assumptions": "The pool stays open and its contributors' consents are not withdrawn "
        "in bulk; agreements renew at their current fees.",
        "limitations": "Three comparables; revenue history of 18 months only.",
        "method_choice": "Income approach weighted most: revenue is contracted. Cost and market "
        "approaches as checks.",
    }  # fmt: skip


def _valuation(
    firm: Organisation, holder_user: User, valuer: User, asset: DataAsset, department: Organisation,
    on: date, flows: list[str],
) -> Valuation:  # fmt: skip
    request = {
        "asset": str(asset.public_id),
        "purpose": "accounting",
        "valuation_date": on.isoformat(),
        "valuer": str(firm.public_id),
        "department": str(department.public_id),
    }
    made = services.request_valuation(
        principal=Principal.for_user(holder_user), draft=parse_draft(RequestDraft, request)
    )
    by = Principal.for_user(valuer)
    made = services.collect(principal=by, valuation=made, draft=parse_draft(CollectDraft, COLLECT))
    made = services.legal_gate(
        principal=by, valuation=made, draft=parse_draft(LegalGateDraft, LEGAL)
    )
    made = services.assess_quality(
        principal=by, valuation=made, draft=parse_draft(QualityDraft, QUALITY)
    )
    made = services.compute_values(
        principal=by, valuation=made, draft=parse_draft(ComputeDraft, _compute(flows))
    )
    weights = {"weights": {"cost": "0.2", "income": "0.6", "market": "0.2"},
               "rationale": "Contracted revenue is the strongest evidence."}  # fmt: skip
    return services.reconcile(
        principal=by, valuation=made, draft=parse_draft(ReconcileDraft, weights)
    )


def _owner(org: Organisation) -> User | None:
    m = Membership.objects.filter(organisation=org, role="owner").order_by("pk").first()
    return m.user if m else None


def _priced_agreement(pool: Pool, steward: User, agreed_on: date) -> int:
    """洋浦云帆科技 buys twelve months of the traffic pool's query templates for ¥48,000: the
    steward's counter-offer names the fee (an odrl:compensate duty), the enterprise accepts."""
    yunfan = Organisation.objects.filter(name_zh="洋浦云帆科技有限公司").first()
    buyer = _owner(yunfan) if yunfan is not None else None
    if yunfan is None or buyer is None:
        return 0
    if yunfan.verification_status != Organisation.Verification.VERIFIED:
        return 0
    made = negotiation.request_access(
        principal=Principal.for_user(buyer),
        pool=pool,
        consumer=yunfan,
        purpose=current_charter(pool).purposes[0],
        access_mode="query_template",
        duration_days=365,
    )
    made = negotiation.move(
        principal=Principal.for_user(steward),
        negotiation=made,
        action="offer",
        reason="12 months of query templates at the listed price",
        fee=Decimal("48000.00"),
    )
    made = negotiation.move(principal=Principal.for_user(buyer), negotiation=made, action="accept")
    made = datapools_demo.confirm_agreement(made, "核定: the listed price")
    # Agreed in January (demo history), so the valuation of 30 June reads it.
    at = timezone.now().replace(year=agreed_on.year, month=agreed_on.month, day=agreed_on.day)
    Negotiation.objects.filter(pk=made.pk).update(agreed_at=at, expires_at=at + timedelta(days=365))
    return 1


def _books(valuation: Valuation, holder_user: User, today: date) -> None:
    """The issued valuation's costs in the holder's books, and an impairment since."""
    by = Principal.for_user(holder_user)
    recognised_on = min(valuation.valuation_date + timedelta(days=1), today)
    books.recognise(
        principal=by,
        valuation=valuation,
        draft=parse_draft(
            RecognitionDraft,
            {"treatment": "intangible", "recognised_on": recognised_on.isoformat(),
             "useful_life_months": 60},
        ),
    )  # fmt: skip
    books.record_movement(
        principal=by,
        asset=valuation.asset,
        draft=parse_draft(
            MovementDraft,
            {"kind": "impairment", "on": max(recognised_on, today - timedelta(days=7)).isoformat(),
             "amount": "12000.00",
             "reason": "质量审计发现 8% 的出行记录重复 / 8 % of trips found duplicated"},
        ),
    )  # fmt: skip


@transaction.atomic
def seed() -> dict[str, int]:
    if DataAsset.objects.exists():
        return {}
    traffic = Pool.objects.filter(kind="traffic").order_by("pk").first()
    metaverse = Pool.objects.filter(kind="metaverse").order_by("pk").first()
    kegongxin = Organisation.objects.filter(kind="department", code="kegongxin").first()
    lvwen = Organisation.objects.filter(kind="department", code="lvwen").first()
    reviewer = User.objects.filter(email=f"reviewer@{DEMO_DOMAIN}").first()
    if None in (traffic, metaverse, kegongxin, lvwen, reviewer):
        return {}
    assert traffic and metaverse and kegongxin and lvwen and reviewer
    haishu_owner, bluebay_owner = _owner(traffic.steward), _owner(metaverse.steward)
    assert haishu_owner and bluebay_owner
    firm = Organisation.objects.create(
        kind=Organisation.Kind.ENTERPRISE, name_zh=FIRM[0], name_en=FIRM[1],
        verification_status=Organisation.Verification.VERIFIED,
    )  # fmt: skip
    valuer = User.objects.create(
        email=VALUER, display_name="陈衡（资产评估师）", password=reviewer.password,
        is_nomad=False, nationality="CN", contact_verified_at=timezone.now(),
    )  # fmt: skip
    Membership.objects.create(user=valuer, organisation=firm, role="owner")
    for category, department in (
        ("traffic", kegongxin), ("consumption", lvwen), ("metaverse", lvwen), ("other", lvwen),
    ):  # fmt: skip
        MonitorConfig.objects.create(
            category=category, effective_from=date(2026, 1, 1), department=department,
            rho_threshold=Decimal("3.00"), level=Decimal("0.950"), lags=0, repetitions=300,
        )  # fmt: skip

    today = timezone.localdate()
    traffic_asset = services.register_asset(
        principal=Principal.for_user(haishu_owner),
        holder=traffic.steward,
        draft=parse_draft(
            AssetDraft,
            {"title": traffic.title, "category": "traffic", "data_since": "2025-01-01",
             "pool": str(traffic.public_id)},
        ),
    )  # fmt: skip
    priced = _priced_agreement(traffic, haishu_owner, date(today.year, 1, 15))
    first = _valuation(
        firm, haishu_owner, valuer, traffic_asset, kegongxin, date(today.year, 6, 30),
        ["150000.00", "165000.00", "180000.00", "195000.00", "210000.00"],
    )  # fmt: skip
    first = services.sign(principal=Principal.for_user(valuer), valuation=first)
    first = services.review(principal=Principal.for_user(reviewer), valuation=first)
    first = services.issue(principal=Principal.for_user(valuer), valuation=first)
    _books(first, haishu_owner, today)
    _valuation(
        firm, haishu_owner, valuer, traffic_asset, kegongxin, today,
        ["170000.00", "185000.00", "200000.00", "215000.00", "230000.00"],
    )  # fmt: skip

    metaverse_asset = services.register_asset(
        principal=Principal.for_user(bluebay_owner),
        holder=metaverse.steward,
        draft=parse_draft(
            AssetDraft,
            {"title": metaverse.title, "category": "metaverse", "data_since": "2021-01-01",
             "pool": str(metaverse.public_id)},
        ),
    )  # fmt: skip
    months = 60
    series = psy.simulated_bubble(months, start=42, end=months - 1, rate=0.05, seed=14,
                                  sigma=0.8, level=50.0)  # fmt: skip
    for i, value in enumerate(series):
        back = months - 1 - i
        year, month = today.year, today.month - back
        while month < 1:
            year, month = year - 1, month + 12
        PriceObservation.objects.create(
            asset=metaverse_asset, kind="transaction", observed_on=date(year, month, 1),
            price=(Decimal(str(round(float(value), 2))) * 1000).quantize(Decimal("0.01")),
            seller=str(metaverse.steward), source="交易所 monthly average price",
        )  # fmt: skip
    alerts = watch.run_watch(category="metaverse", on=today)
    # The traffic dataset re-traded three times in 80 days at rising prices, and back to its
    # holder: the velocity and circular-trade monitors raise alerts to 市科工信局.
    holder = str(traffic.steward)
    chain = [(80, holder, "三亚智行科技", "200000.00"),
             (50, "三亚智行科技", "海口数联", "260000.00"),
             (20, "海口数联", holder, "340000.00")]  # fmt: skip
    for back, seller, buyer, price in chain:
        PriceObservation.objects.create(
            asset=traffic_asset, kind="transaction", observed_on=today - timedelta(days=back),
            price=Decimal(price), seller=seller, buyer=buyer, source="海南数据交易所 成交记录",
        )  # fmt: skip
    alerts += watch.run_watch(category="traffic", on=today)
    return {
        "valuation_assets": 2,
        "valuations": 2,
        "valuation_alerts": len(alerts),
        "valuation_priced_agreements": priced,
        "valuation_book_entries": 2,
    }
