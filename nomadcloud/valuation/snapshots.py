"""The content of an issued valuation's snapshot: the disclosures that 中评协〔2023〕17号
(art. 26–28) and 财会〔2023〕11号 ask for — information sources, assumptions and limits, the
choice of approach, and the source and calculation of each key parameter — with every input
and result, so that ``evaluate`` on the snapshot's inputs gives its results again."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.conf import settings

from nomadcloud.datapools.dcat import dataset_uri
from nomadcloud.valuation import compute
from nomadcloud.valuation.models import Valuation, ValuationSnapshot
from nomadcloud.valuation.transitions import RULE_VERSION

__all__ = ["DISCLOSURES", "ValuationSnapshot", "content", "dcat_uri", "recompute_matches"]

DISCLOSURES = (
    "information_sources",
    "assumptions",
    "limitations",
    "method_choice",
    "key_parameters",
    "legal_basis",
    "quality",
    "signatures",
)


def _parameters(valuation: Valuation) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    results = valuation.results
    if "cost" in results:
        p = results["cost"]["parameters"]
        if results["cost"]["basis"] == "historical":
            rows += [
                {
                    "name": "TC",
                    "value": p["total_cost"],
                    "source": "cost lines",
                    "calculation": "sum of the cost lines",
                },
                {
                    "name": "R",
                    "value": p["return_rate"],
                    "source": "valuer",
                    "calculation": "given",
                },
                {
                    "name": "U",
                    "value": p["adjustment"],
                    "source": "quality assessment"
                    if p["adjustment_source"] == "quality"
                    else "valuer",
                    "calculation": "Σ weight × score / 100"
                    if p["adjustment_source"] == "quality"
                    else "given",
                },
            ]
        else:
            rows += [
                {
                    "name": "replacement cost",
                    "value": p["replacement_cost"],
                    "source": "valuer",
                    "calculation": "given",
                },
                {
                    "name": "depreciation",
                    "value": p["depreciation"],
                    "source": "valuer",
                    "calculation": "given",
                },
            ]
    if "income" in results:
        p = results["income"]["parameters"]
        rows += [
            {"name": "i", "value": p["discount_rate"], "source": "valuer", "calculation": "given"},
            {
                "name": "n",
                "value": str(p["years"]),
                "source": "cash flow forecast",
                "calculation": "years forecast, within the rights' term",
            },
            {
                "name": "attribution share",
                "value": p["share"],
                "source": results["income"]["attribution"],
                "calculation": "given",
            },
        ]
        if p["terminal_growth"] is not None:
            rows.append(
                {
                    "name": "g",
                    "value": p["terminal_growth"],
                    "source": "valuer",
                    "calculation": "given",
                }
            )
    if "market" in results:
        rows.append(
            {
                "name": "comparables",
                "value": str(len(results["market"]["comparables"])),
                "source": "platform agreements and exchange listings",
                "calculation": "mean of Q × X1 × X2 × X3 × X4 × X5",
            }
        )
    return rows


def dcat_uri(pool: str | None, asset: str) -> str:
    """The asset's DCAT URI: a pool's ``dcat:Dataset`` in the catalogue (``/dataset/<id>``,
    as the DCAT-AP export names it); an external asset, which the catalogue does not list,
    is named by its id (``urn:uuid:``)."""
    return dataset_uri(settings.SITE_URL, pool) if pool else f"urn:uuid:{asset}"


def content(valuation: Valuation, *, issued_at: datetime) -> dict[str, Any]:
    asset = valuation.asset
    inputs = valuation.inputs
    sources = [line["source"] for line in valuation.collected.get("cost_lines", [])]
    if inputs.get("market"):
        sources += [c["reference"] for c in inputs["market"]["comparables"]]
    platform = valuation.collected.get("platform")
    if platform:
        sources.append(f"platform records of data pool {platform['pool']}")
        for row in (platform.get("revenue") or {}).get("agreements", []):
            sources.append(
                f"pool agreement {row['agreement']} ({row['consumer']}, {row['agreed_on']}): "
                f"fee CNY {row['fee']}"
            )
    return {
        "valuation": str(valuation.public_id),
        "rule_version": RULE_VERSION,
        "asset": {
            "id": str(asset.public_id),
            "title": asset.title,
            "category": asset.category,
            "holder": str(asset.holder),
            "data_since": asset.data_since.isoformat(),
            "pool": str(asset.pool.public_id) if asset.pool else None,
            "dcat_uri": dcat_uri(
                str(asset.pool.public_id) if asset.pool else None, str(asset.public_id)
            ),
        },
        "purpose": valuation.purpose,
        "valuation_date": valuation.valuation_date.isoformat(),
        "currency": valuation.currency,
        "valuer": str(valuation.valuer),
        "department": str(valuation.department),
        "issued_at": issued_at.isoformat(),
        "final_value": str(valuation.final_value),
        "disclosures": {
            "information_sources": sources,
            "assumptions": inputs.get("assumptions", ""),
            "limitations": inputs.get("limitations", ""),
            "method_choice": inputs.get("method_choice", ""),
            "key_parameters": _parameters(valuation),
            "legal_basis": valuation.legal,
            "quality": valuation.quality,
            "signatures": {
                "valuer": str(valuation.valuer_signed_by),
                "valuer_at": valuation.valuer_signed_at.isoformat()
                if valuation.valuer_signed_at
                else None,
                "reviewer": str(valuation.reviewer_signed_by),
                "reviewer_at": valuation.reviewer_signed_at.isoformat()
                if valuation.reviewer_signed_at
                else None,
            },
        },
        "collected": valuation.collected,
        "inputs": inputs,
        "results": valuation.results,
        "reconciliation": valuation.reconciliation,
    }


def recompute_matches(snapshot: dict[str, Any]) -> bool:
    """Running the approaches again on the snapshot's own inputs gives its results."""
    again = compute.evaluate(
        snapshot["collected"], snapshot["disclosures"]["quality"], snapshot["inputs"]
    )
    return bool(again == snapshot["results"])
