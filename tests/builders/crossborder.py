"""Builders for cross-border export: the zone's 网信办 (Wendy decides there too), Acme's
requests at the state asked for, a whitelist entry, and the separate consents it needs."""

from __future__ import annotations

from typing import Any

from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import services as consent
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core.inputs import parse_draft
from nomadcloud.crossborder import services
from nomadcloud.crossborder.models import ExportRequest, WhitelistEntry
from nomadcloud.crossborder.schemas import (
    EvidenceDraft,
    ExportRequestDraft,
    ReviewDraft,
)
from tests.builders.world import World

RECIPIENT = "Hotel Lisboa Partners"
PURPOSE = "dpv:ServiceProvision"


def cac(w: World) -> Organisation:
    """The zone's 网信办, with Wendy among its reviewers."""
    department, _ = Organisation.objects.get_or_create(
        kind=Organisation.Kind.DEPARTMENT,
        code="wangxin",
        defaults={"name_zh": "市委网信办", "name_en": "Cyberspace Affairs Office"},
    )
    Membership.objects.get_or_create(
        user=w.wendy, organisation=department, defaults={"role": "reviewer"}
    )
    return department


def fields(**extra: Any) -> dict[str, Any]:
    return {
        "recipient_name": RECIPIENT,
        "recipient_country": "PT",
        "purpose": PURPOSE,
        "data_categories": ["pd:Name", "pd:Passport"],
        "scenario": "other",
        "pi_count": 150_000,
        "sensitive_count": 0,
        **extra,
    }


def assessed(w: World, **extra: Any) -> ExportRequest:
    cac(w)
    return services.assess_request(
        principal=Principal.for_user(w.olivia),
        exporter=w.acme,
        draft=parse_draft(ExportRequestDraft, fields(**extra)),
    )


def separate_consent(w: World, recipient: str = RECIPIENT, purpose: str = PURPOSE) -> ConsentRecord:
    existing = ConsentRecord.objects.filter(
        subject=w.bob,
        legal_basis="dpv:ExplicitlyExpressedConsent",
        withdrawn_at__isnull=True,
        purpose=purpose,
    ).first()
    if existing is not None and recipient in existing.recipients:
        return existing
    return consent.give_consent(
        w.bob,
        purpose=purpose,
        data_categories=["pd:Name", "pd:Passport"],
        recipients=[recipient],
        legal_basis="dpv:ExplicitlyExpressedConsent",
        notice_version="2026-12",
        method="web_form",
    )


def evidence_for(request: ExportRequest) -> dict[str, dict[str, Any]]:
    return {
        "separate_consent": {},
        "impact_assessment": {"reference": "PIA-2026-07"},
        "filing_receipt": {"reference": "琼网信备〔2026〕118号"},
        "certificate": {"reference": "CQC-PI-2026-0042", "valid_until": "2029-12-01"},
        "cac_decision": {"reference": "国网信评〔2026〕9号", "valid_until": "2029-12-01"},
    }


def submitted(w: World, **extra: Any) -> ExportRequest:
    request = assessed(w, **extra)
    separate_consent(w, request.recipient_name, request.purpose)
    olivia = Principal.for_user(w.olivia)
    texts = evidence_for(request)
    for obligation in list(request.obligations.all()):
        request = services.submit_evidence(
            principal=olivia,
            request=request,
            kind=obligation.kind,
            draft=parse_draft(EvidenceDraft, texts[obligation.kind]),
        )
    return request


def abroad(w: World) -> dict[str, Any]:
    """An entry for Globex in Portugal covering Acme's traffic pool (tests/builders/datapools):
    its purpose and categories, 行踪轨迹 being sensitive."""
    return {
        "recipient_name": w.globex.name_en,
        "purpose": "dpv:ResearchAndDevelopment",
        "data_categories": ["pd:Location", "pd:TravelHistory"],
        "pi_count": 1_000,
        "sensitive_count": 1_000,
    }


def whitelisted(w: World, **extra: Any) -> WhitelistEntry:
    request = submitted(w, **extra)
    services.review(
        principal=Principal.for_user(w.wendy),
        request=request,
        draft=parse_draft(ReviewDraft, {"approve": True, "note": "ok"}),
    )
    return WhitelistEntry.objects.get(request=request)
