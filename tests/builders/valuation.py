"""Builders for valuation: Acme (Olivia owner, Rita read-only) holds a data asset (its open
traffic pool); Globex (Charlie) is the licensed valuation firm; 市科工信局 (Wendy) reviews.
Each step's input is a plain dict, as the API takes it."""

from __future__ import annotations

from datetime import date
from typing import Any

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.valuation import services
from nomadcloud.valuation.inputs import (
    AssetDraft,
    CollectDraft,
    ComputeDraft,
    LegalGateDraft,
    QualityDraft,
    ReconcileDraft,
    RequestDraft,
)
from nomadcloud.valuation.models import DataAsset, MonitorConfig, Valuation
from tests.builders import datapools
from tests.builders.world import World

VALUATION_DATE = date(2026, 11, 30)


def asset(w: World) -> DataAsset:
    existing = DataAsset.objects.filter(holder=w.acme).first()
    if existing is not None:
        return existing
    pool = datapools.traffic_pool(w)
    draft = parse_draft(
        AssetDraft,
        {
            "title": {"zh-Hans": "智慧交通出行行为数据集", "en": "Smart traffic behaviour dataset"},
            "category": "traffic",
            "data_since": "2025-01-01",
            "pool": str(pool.public_id),
        },
    )
    return services.register_asset(
        principal=Principal.for_user(w.olivia), holder=w.acme, draft=draft
    )


def request_fields(w: World, **extra: Any) -> dict[str, Any]:
    return {
        "asset": str(asset(w).public_id),
        "purpose": "accounting",
        "valuation_date": VALUATION_DATE.isoformat(),
        "valuer": str(w.globex.public_id),
        "department": str(w.department.public_id),
        **extra,
    }


COLLECT: dict[str, Any] = {
    "cost_lines": [
        {"category": "acquisition", "amount": "60000.00", "source": "contract CG-2025-014"},
        {"category": "labour", "amount": "30000.00", "source": "datatasks batch payments 2025"},
        {"category": "storage", "amount": "10000.00", "source": "cloud invoices 2025"},
    ],
    "notes": "Costs of 2025 and 2026.",
}
LEGAL: dict[str, Any] = {
    "rights": [
        {"right": "resource_holding", "evidence": "Pool charter v1 and 登记证书 HN-2026-0031"},
        {
            "right": "processing_use",
            "evidence": "Contributor consent records",
            "expires_on": "2031-12-31",
        },
    ],
    "consent_scope_covers_purpose": True,
}
QUALITY: dict[str, Any] = {
    "dimensions": [
        {
            "dimension": "normative",
            "score": "90",
            "weight": "0.2",
            "evidence": "schema conformance 100 %",
        },
        {"dimension": "completeness", "score": "80", "weight": "0.2", "evidence": "null rate 2 %"},
        {"dimension": "accuracy", "score": "70", "weight": "0.2", "evidence": "sample audit"},
        {"dimension": "consistency", "score": "60", "weight": "0.2", "evidence": "duplicates 1 %"},
        {"dimension": "timeliness", "score": "100", "weight": "0.1", "evidence": "lag 1 day"},
        {"dimension": "accessibility", "score": "50", "weight": "0.1", "evidence": "uptime 99 %"},
    ]
}


def comparable(ref: str, price: str, **factors: str) -> dict[str, Any]:
    base = {"quality": "1", "value_density": "1", "date": "1", "volume": "1", "other": "1"}
    return {"reference": ref, "price": price, "related_party": False, **base, **factors}


COMPUTE: dict[str, Any] = {
    "cost": {"basis": "historical", "return_rate": "0.1"},  # U from the quality: 0.75
    "income": {
        "attribution": "royalty_split",
        "cash_flows": ["100000.00", "110000.00", "121000.00"],
        "share": "0.3",
        "discount_rate": "0.1",
    },
    "market": {
        "comparables": [
            comparable("SZDE listing 2026-0412", "100000.00", quality="1.1", value_density="0.9"),
            comparable("pool agreement 7f3a", "120000.00", date="0.95"),
            comparable("GZDE listing 2026-0877", "90000.00", volume="1.2"),
        ]
    },
    "assumptions": "Going concern; the pool stays open for five years.",
    "limitations": "Comparables from two exchanges only.",
    "method_choice": "All three approaches; income weighted most as revenues are contracted.",
}
RECONCILE: dict[str, Any] = {
    "weights": {"cost": "0.2", "income": "0.5", "market": "0.3"},
    "rationale": "Contracted revenue is the best evidence; cost and market support it.",
}
# cost 100000 × 1.1 × 0.75 = 82500.00; income 81818.18; market 107000.00
# final 0.2 × 82500 + 0.5 × 81818.18 + 0.3 × 107000 = 89509.09
FINAL = "89509.09"


def valuation(w: World, until: str = Valuation.State.DRAFT) -> Valuation:
    """A new valuation of Acme's asset moved up to ``until``."""
    made = services.request_valuation(
        principal=Principal.for_user(w.olivia), draft=parse_draft(RequestDraft, request_fields(w))
    )
    valuer = Principal.for_user(w.charlie)
    steps = [
        (Valuation.State.DATA_COLLECTED, services.collect, CollectDraft, COLLECT),
        (Valuation.State.LEGAL_PASSED, services.legal_gate, LegalGateDraft, LEGAL),
        (Valuation.State.QUALITY_ASSESSED, services.assess_quality, QualityDraft, QUALITY),
        (Valuation.State.COMPUTED, services.compute_values, ComputeDraft, COMPUTE),
        (Valuation.State.RECONCILED, services.reconcile, ReconcileDraft, RECONCILE),
    ]
    for state, step, model, data in steps:
        if made.state == until:
            return made
        made = step(principal=valuer, valuation=made, draft=parse_draft(model, data))  # type: ignore[operator]
        assert made.state == state
    if until in (Valuation.State.REVIEWED, Valuation.State.ISSUED):
        made = services.sign(principal=valuer, valuation=made)
        made = services.review(principal=Principal.for_user(w.wendy), valuation=made)
    if until == Valuation.State.ISSUED:
        made = services.issue(principal=valuer, valuation=made)
    return made


def monitor(w: World, category: str = "traffic", repetitions: int = 200) -> MonitorConfig:
    config, _ = MonitorConfig.objects.get_or_create(
        category=category,
        effective_from=date(2026, 1, 1),
        defaults={
            "department": w.department,
            "rho_threshold": "3.00",
            "level": "0.950",
            "lags": 0,
            "repetitions": repetitions,
        },
    )
    return config


def alert(w: World) -> Any:
    """An open price-to-fundamental alert on Acme's asset, routed to 市科工信局."""
    from django.utils import timezone

    from nomadcloud.valuation.models import Alert, AlertEvent

    made = Alert.objects.create(
        kind=Alert.Kind.PRICE_TO_FUNDAMENTAL,
        category="traffic",
        asset=asset(w),
        department=w.department,
        evidence={"price": "400000.00", "fundamental": "82500.00", "rho": "4.85",
                  "threshold": "3.00", "price_date": "2026-12-01", "price_source": "trade 991"},
        rule_version="monitor:traffic:2026-01-01",
        raised_at=timezone.now(),
    )  # fmt: skip
    AlertEvent.objects.create(alert=made, action="raise", to_state=made.state)
    return made
