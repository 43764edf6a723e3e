"""The demo points programme (called from ``seed_demo``): consumption scenarios in each
category (one running its own points), their exchange rates, an earning rule and a launch
campaign for zone points, proofs of work for the two nomad personas (林小雨, Emma Schulz)
whose work units are credited on issue, and one exchange each, so that ``make run`` shows a
populated wallet. Idempotent."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.points import models as m
from nomadcloud.points.programme import services as programme
from nomadcloud.points.wallet import services as exchange
from nomadcloud.proofs import services as proofs
from nomadcloud.proofs.models import Credential

# code, name_zh, name_en, category, own points, points per work unit
SCENARIOS = [
    ("haihua-island", "海花岛文旅", "Ocean Flower Island", "culture_tourism", False, "10"),
    ("dongpo-academy", "东坡书院", "Dongpo Academy", "culture_tourism", False, "10"),
    ("coconut-dining", "椰林海鲜餐饮", "Coconut Grove dining", "dining", False, "8"),
    ("yangpu-bus", "洋浦公交出行", "Yangpu buses", "transport", False, "12"),
    ("shentou-coworking", "神头港共享办公", "Shentou Harbour coworking", "coworking", True, "1.5"),
    ("haihua-cinema", "海花岛影城", "Ocean Flower cinema", "entertainment", False, "10"),
]
# persona e-mail local part, work units of the demo proof of work, exchanges (scenario, WU)
NOMADS = [
    ("nomad", "186.40", [("haihua-island", "40.00"), ("coconut-dining", "12.50")]),
    ("emma", "96.00", [("shentou-coworking", "30.00")]),
]


def seed() -> dict[str, int]:
    operator = User.objects.filter(email=f"operator@{DEMO_DOMAIN}").first()
    if operator is None:
        return {"points_scenarios": 0}
    principal = Principal.for_user(operator)
    programme.ensure_assets()
    created = 0
    for code, zh, en, category, own, rate in SCENARIOS:
        scenario = m.Scenario.objects.filter(code=code).first()
        if scenario is None:
            scenario = programme.create_scenario(
                principal=principal,
                code=code,
                name_zh=zh,
                name_en=en,
                category=category,
                own_points=own,
                own_expiry_months=6,
            )
            created += 1
        if not m.Rate.objects.filter(scenario=scenario).exists():
            programme.publish_rate(
                principal=principal,
                scenario=scenario,
                points_per_work_unit=Decimal(rate),
                note="demo",
            )
    if not m.EarningRule.objects.filter(asset_id="ZP").exists():
        programme.publish_rule(
            principal=principal,
            asset_code="ZP",
            day_cap=2000,
            month_cap=20000,
            expiry_months=12,
            expiry_at_end_of="month",
            note="demo",
        )
    if not m.Campaign.objects.filter(code="launch").exists():
        now = timezone.now()
        programme.publish_campaign(
            principal=principal,
            code="launch",
            name_zh="园区积分上线，互换加赠10%",
            name_en="Launch: 10% bonus on exchanges",
            kind="percent",
            percent=Decimal("10"),
            starts_at=now - timedelta(days=1),
            ends_at=now + timedelta(days=60),
        )
    exchanges = 0
    # The demo enterprise (verified), so that the risk engine credits its work at once.
    yunfan = Organisation.objects.filter(name_en="Yangpu Yunfan Technology Co., Ltd.").first()
    yunfan_id = str(yunfan.public_id) if yunfan else "00000000-0000-0000-0000-00000000d3e0"
    for local, work_units, plan in NOMADS:
        user = User.objects.filter(email=f"{local}@{DEMO_DOMAIN}").first()
        if user is None:
            continue
        source = f"demo-points-{local}"
        if not Credential.objects.filter(kind=Credential.Kind.DATA, source=source).exists():
            now = timezone.now()
            proofs.issue_credential(
                user,
                proofs.Claims(
                    kind=Credential.Kind.DATA,
                    source=source,
                    title_zh="电商评论情感标注",
                    title_en="Sentiment labelling of product reviews",
                    enterprise_id=yunfan_id,
                    enterprise_zh="洋浦云帆科技有限公司",
                    enterprise_en="Yangpu Yunfan Technology Co., Ltd.",
                    period_start=now - timedelta(days=14),
                    period_end=now - timedelta(days=1),
                    work_units=Decimal(work_units),
                    items=1864,
                    accuracy=0.97,
                ),
            )
        for index, (code, amount) in enumerate(plan):
            _record, new = exchange.exchange(
                principal=Principal.for_user(user),
                scenario=m.Scenario.objects.get(code=code),
                work_units=exchange.parse_work_units(amount),
                key=f"demo-{index + 1}",
            )
            exchanges += int(new)
    return {"points_scenarios": created, "points_exchanges": exchanges}


def seed_held() -> dict[str, int]:
    """One held issuance in the demo zone, so that the operator persona's review queue has
    work: the enterprise still awaiting verification accepted Emma's work; its credential is
    issued (and says so) but the risk engine holds its work units (docs/risk.md)."""
    user = User.objects.filter(email=f"emma@{DEMO_DOMAIN}").first()
    pending = Organisation.objects.filter(
        name_en="Danzhou Coconut Island Data Labelling Co., Ltd."
    ).first()
    source = "demo-held-emma"
    if user is None or pending is None or Credential.objects.filter(source=source).exists():
        return {"risk_held": 0}
    now = timezone.now()
    proofs.issue_credential(
        user,
        proofs.Claims(
            kind=Credential.Kind.DATA,
            source=source,
            title_zh="椰林航拍图像标注",
            title_en="Labelling aerial images of coconut groves",
            enterprise_id=str(pending.public_id),
            enterprise_zh=pending.name_zh,
            enterprise_en=pending.name_en,
            period_start=now - timedelta(days=6),
            period_end=now - timedelta(days=1),
            work_units=Decimal("880.00"),
            items=440,
            accuracy=0.95,
        ),
    )
    return {"risk_held": 1}
