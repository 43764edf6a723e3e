"""Demo data innovation vouchers: 市科工信局's 2026 programme (budget ¥2,000,000 in payouts),
儋州海数智能数据服务 registered as a provider with three priced services, and vouchers at each
step — 洋浦云帆科技 (enterprise@…) holds an issued voucher ready to redeem, 海南椰风互动游戏
one redeemed (payout approved, awaiting finance), 洋浦跨境优选 one awaiting the department's
decision; 海南蓝湾元宇宙 waits for its provider registration. The reviewer persona
(reviewer@…) decides for 市科工信局.

Runs after the accounts demo; idempotent (does nothing once the programme exists)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.demo import DEMO_DOMAIN
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.vouchers import services
from nomadcloud.vouchers.models import Programme, Provider
from nomadcloud.vouchers.schemas import (
    ApplicationDraft,
    ProgrammeDraft,
    ProviderDraft,
    RedemptionDraft,
    ServiceDraft,
)

CODE = "data-innovation-2026"
REPORT = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _owner(org: Organisation) -> User:
    membership = (
        Membership.objects.filter(organisation=org, role=Membership.Role.OWNER)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert membership is not None, org
    return membership.user


def _enterprise(name_zh: str) -> Organisation:
    return Organisation.objects.get(kind=Organisation.Kind.ENTERPRISE, name_zh=name_zh)


def _application(service_id: int, price: str, copay: str, org: int) -> dict[str, Any]:
    return {
        "service": service_id,
        "agreed_price": price,
        "copay_amount": copay,
        "copay_declared": True,
        "purpose": "整理历史业务数据，准备数据资产入表。",
        "legal_representative": f"法定代表人{org}",
        "registered_address": f"洋浦经济开发区演示路 {org} 号",
        "bank_account": f"6222 0300 0000 {org:04d}",
    }


@transaction.atomic
def seed() -> dict[str, int]:
    if Programme.objects.filter(code=CODE).exists():
        return {}
    department = Organisation.objects.filter(code="kegongxin").first()
    reviewer = User.objects.filter(email=f"reviewer@{DEMO_DOMAIN}").first()
    if department is None or reviewer is None:
        return {}
    wendy = Principal.for_user(reviewer)
    today = timezone.localdate()
    programme = services.create_programme(
        principal=wendy,
        department=department,
        draft=parse_draft(
            ProgrammeDraft,
            {
                "code": CODE,
                "name_zh": "2026年度数据创新券",
                "name_en": "Data innovation vouchers 2026",
                "description_zh": "面向示范区企业的数据创新券：企业与已备案服务机构约定数据服务"
                "后申领，自付不低于30%，服务交付后由服务机构申请兑付。",
                "description_en": "Vouchers for the zone's enterprises: agree a data service with "
                "a registered provider, pay at least 30 % yourself; the provider redeems the "
                "voucher once the service is delivered.",
                "year": today.year,
                "budget_amount": "2000000.00",
                "max_face_value": "50000.00",
                "copay_ratio": "0.3",
                "annual_cap": "100000.00",
                "validity_days": 180,
                "service_kinds": [
                    "data_cleaning",
                    "data_annotation",
                    "data_asset_recognition",
                    "data_compliance",
                ],
                "applications_from": today - timedelta(days=30),
                "applications_until": today + timedelta(days=150),
            },
        ),
    )
    haishu = _enterprise("儋州海数智能数据服务有限公司")
    haishu_owner = Principal.for_user(_owner(haishu))
    provider = services.register_provider(
        principal=haishu_owner,
        programme=programme,
        organisation=haishu,
        draft=parse_draft(
            ProviderDraft,
            {
                "legal_representative": "符海生",
                "registered_address": "儋州市那大镇数据产业园 8 栋",
                "bank_account": "6217 0033 1000 8866",
            },
        ),
    )
    services.decide_provider(principal=wendy, provider=provider, decision="register", reason="")
    offered = [
        services.add_service(
            principal=haishu_owner,
            provider=provider,
            draft=parse_draft(
                ServiceDraft,
                {"kind": kind, "name_zh": zh, "name_en": en, "list_price": price},
            ),
        )
        for kind, zh, en, price in (
            ("data_cleaning", "业务数据清洗与标准化", "Business data cleaning", "60000.00"),
            ("data_annotation", "图像与文本数据标注", "Image and text annotation", "40000.00"),
            ("data_asset_recognition", "数据资产入表咨询", "Data asset recognition", "30000.00"),
        )
    ]
    counts = {"voucher_programmes": 1, "voucher_providers": 1, "vouchers": 0}

    def apply(org: Organisation, index: int, service: int, price: str, copay: str) -> Any:
        counts["vouchers"] += 1
        return services.apply_for_voucher(
            principal=Principal.for_user(_owner(org)),
            programme=programme,
            enterprise=org,
            draft=parse_draft(ApplicationDraft, _application(service, price, copay, index)),
        )

    yunfan = _enterprise("洋浦云帆科技有限公司")
    issued = apply(yunfan, 1, offered[0].pk, "50000.00", "15000.00")
    services.decide_application(principal=wendy, voucher=issued, approve=True)

    games = _enterprise("海南椰风互动游戏有限公司")
    redeemed = apply(games, 2, offered[1].pk, "40000.00", "12000.00")
    redeemed = services.decide_application(principal=wendy, voucher=redeemed, approve=True)
    services.request_redemption(
        principal=haishu_owner,
        voucher=redeemed,
        draft=parse_draft(
            RedemptionDraft,
            {
                "invoice_number": "46002600001",
                "invoice_date": today,
                "invoice_amount": "40000.00",
                "amount": "28000.00",
                "delivered_on": today,
                "report": "完成 3 万张图片与 12 万条文本的标注，抽检准确率 98.6%。",
            },
        ),
        files=[SimpleUploadedFile("验收单.pdf", REPORT, content_type="application/pdf")],
    )
    services.confirm_delivery(principal=Principal.for_user(_owner(games)), voucher=redeemed)
    services.decide_redemption(principal=wendy, voucher=redeemed, verify=True)

    apply(_enterprise("洋浦跨境优选电子商务有限公司"), 3, offered[2].pk, "30000.00", "9000.00")

    metaverse = _enterprise("海南蓝湾元宇宙科技有限公司")
    services.register_provider(
        principal=Principal.for_user(_owner(metaverse)),
        programme=programme,
        organisation=metaverse,
        draft=parse_draft(
            ProviderDraft,
            {
                "legal_representative": "王蓝湾",
                "registered_address": "洋浦经济开发区保税港区 2 号",
                "bank_account": "6228 4800 0000 1234",
            },
        ),
    )
    counts["voucher_providers"] += Provider.objects.filter(programme=programme).count() - 1
    return counts
