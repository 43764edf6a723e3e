"""Demo cross-border export (idempotent): the zone's 网信办 (``wangxin@demo``) pre-checks.

- 洋浦跨境优选电子商务 sends foreign nomads' hotel bookings to a hotel group in Portugal:
  exempt under Order 16 art. 5 (c); whitelisted, one transfer logged, the entry near its end
  so the renewal reminder has gone out.
- 洋浦云帆科技 (the enterprise persona) sends 150,000 users' profiles to a partner in
  Singapore: a standard contract; separate consents are on record and the impact assessment
  is in, the filing receipt is still missing (work in the enterprise's workspace).
- 儋州海数智能数据 asks to send an aggregated city traffic-flow dataset to a research lab in
  Germany: important data under the automotive rule, so a security assessment.
- A data-pool agreement abroad (decision 0064): 儋州海数 holds a whitelist entry for 洋浦云帆科技
  in Singapore (its R&D office there analyses the traffic pool; 行踪轨迹 is sensitive, so a
  standard contract, filed), and 洋浦云帆科技 holds an agreement for the traffic pool's
  aggregates with ``spatial`` SG — requested, re-checked when agreed (decision 0052) — used
  once: a transfer logged and counted against the entry.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import services as consent
from nomadcloud.core.inputs import parse_draft
from nomadcloud.crossborder import services
from nomadcloud.crossborder.models import ExportRequest, WhitelistEntry
from nomadcloud.crossborder.schemas import (
    EvidenceDraft,
    ExportRequestDraft,
    ReviewDraft,
    TransferDraft,
)


def _owner(org: Organisation) -> User | None:
    membership = Membership.objects.filter(organisation=org, role="owner").order_by("pk").first()
    return membership.user if membership else None


def _reviewer(department: Organisation) -> User | None:
    membership = (
        Membership.objects.filter(organisation=department, role__in=("owner", "admin", "reviewer"))
        .order_by("pk")
        .first()
    )
    return membership.user if membership else None


def _consents(recipient: str, purpose: str, count: int) -> None:
    for user in User.objects.filter(is_nomad=True).order_by("pk")[:count]:
        consent.give_consent(
            user,
            purpose=purpose,
            data_categories=["pd:Name", "pd:Passport", "pd:Nationality"],
            recipients=[recipient],
            legal_basis="dpv:ExplicitlyExpressedConsent",
            notice_version="2026-12",
            method="web_form",
            purpose_description="数据出境单独同意 / separate consent to export (PIPL art. 39)",
        )


def _file(owner: User, exporter: Organisation, draft: ExportRequestDraft) -> ExportRequest:
    return services.assess_request(
        principal=Principal.for_user(owner), exporter=exporter, draft=draft
    )


def _evidence(owner: User, request: ExportRequest, kind: str, reference: str = "") -> ExportRequest:
    return services.submit_evidence(
        principal=Principal.for_user(owner),
        request=request,
        kind=kind,
        draft=EvidenceDraft(reference=reference),
    )


@transaction.atomic
def seed() -> dict[str, int]:
    if ExportRequest.objects.exists():
        return {}
    orgs = {
        o.name_zh: o
        for o in Organisation.objects.filter(
            name_zh__in=(
                "洋浦跨境优选电子商务有限公司",
                "洋浦云帆科技有限公司",
                "儋州海数智能数据服务有限公司",
            )
        )
    }
    department = Organisation.objects.filter(kind="department", code="wangxin").first()
    if len(orgs) < 3 or department is None:
        return {}
    reviewer = _reviewer(department)
    owners = {name: _owner(org) for name, org in orgs.items()}
    if reviewer is None or None in owners.values():
        return {}
    shop, yunfan, haishu = (
        orgs["洋浦跨境优选电子商务有限公司"],
        orgs["洋浦云帆科技有限公司"],
        orgs["儋州海数智能数据服务有限公司"],
    )
    shop_owner, yunfan_owner, haishu_owner = (owners[o.name_zh] for o in (shop, yunfan, haishu))
    assert shop_owner and yunfan_owner and haishu_owner
    hotel = "Lisboa Harbour Hotels S.A."
    _consents(hotel, "dpv:ServiceProvision", 5)
    booking = _file(
        shop_owner,
        shop,
        ExportRequestDraft(
            recipient_name=hotel,
            recipient_country="PT",
            purpose="dpv:ServiceProvision",
            data_categories=["pd:Name", "pd:Passport"],
            scenario="contract",
            pi_count=5_000,
            sensitive_count=0,
        ),
    )
    _evidence(shop_owner, booking, "separate_consent")
    booking = _evidence(shop_owner, booking, "impact_assessment", reference="PIA-YPKJ-2026-03")
    services.review(
        principal=Principal.for_user(reviewer),
        request=booking,
        draft=parse_draft(ReviewDraft, {"approve": True, "note": "豁免（c）：预订服务所必需。"}),
    )
    entry = WhitelistEntry.objects.get(request=booking)
    services.log_transfer(
        principal=Principal.for_user(shop_owner),
        entry=entry,
        draft=parse_draft(
            TransferDraft,
            {
                "pi_count": 320,
                "sensitive_count": 0,
                "purpose": entry.purpose,
                "data_categories": ["pd:Name", "pd:Passport"],
                "recipient_name": hotel,
            },
        ),
    )
    today = timezone.localdate()
    WhitelistEntry.objects.filter(pk=entry.pk).update(valid_to=today + timedelta(days=45))
    reminded = services.remind_renewals(today)

    partner = "Lion City Analytics Pte. Ltd."
    _consents(partner, "dpv:ResearchAndDevelopment", 8)
    profiles = _file(
        yunfan_owner,
        yunfan,
        ExportRequestDraft(
            recipient_name=partner,
            recipient_country="SG",
            purpose="dpv:ResearchAndDevelopment",
            data_categories=["pd:Name", "pd:EmailAddress", "pd:Skill"],
            scenario="other",
            pi_count=150_000,
            sensitive_count=0,
        ),
    )
    _evidence(yunfan_owner, profiles, "separate_consent")
    _evidence(yunfan_owner, profiles, "impact_assessment", reference="PIA-YFKJ-2026-11")

    _file(
        haishu_owner,
        haishu,
        ExportRequestDraft(
            recipient_name="Fraunhofer Mobility Lab",
            recipient_country="DE",
            purpose="dpv:ResearchAndDevelopment",
            data_categories=["pd:Location"],
            scenario="academic",
            pi_count=0,
            sensitive_count=0,
            automotive=True,
            vehicle_flow_data=True,
        ),
    )
    return {
        "crossborder_requests": ExportRequest.objects.count(),
        "crossborder_entries": WhitelistEntry.objects.count(),
        "crossborder_reminded": reminded,
    }
