"""Each released dataset version's data contract in the Open Data Contract Standard v3
(ODCS, Bitol / Linux Foundation; decision 0062), built through the official
``open-data-contract-standard`` package's pydantic models and published at
``/dataset/<pool>/v<n>/contract.{yaml,json}`` and ``GET /api/v1/datapools/pools/{id}/
versions/{n}/contract``; the DCAT-AP export names it as each distribution's
``dct:conformsTo``.

What goes in, from the version's charter (the rules it was released under):

- **schema**: one object ``release`` (the Parquet table the access modes read), a property per
  charter column: logical and physical (DuckDB) type, required, bounds and length as
  ``logicalTypeOptions``, allowed values as an ``invalidValues`` rule, personal columns
  classified ``personal`` (left out of download extracts), the others by the charter's
  classification;
- **quality**: the release's row count (``rowCount`` mustBe), the six GB/T 36344-2018
  dimensions as measured for the version (ODCS has no "accessibility" dimension: that one is
  text only) and k-anonymity of every answer (a custom rule);
- **SLA**: retention, availability since the release, and the access decision time (every
  waiting state of a negotiation ends within 10 days);
- **roles**: one per access mode, approved first by the steward, then by the lead department
  (经核定);
- **price**: none — the platform sets no price for access (fees are agreed outside and only
  declared at a reward run); the contributors' share and points per row are custom properties.

Texts are in the asker's language (Chinese by default); the other language rides along as
custom properties. Nothing personal is in the contract: no contributor, no member names."""

from __future__ import annotations

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET
from open_data_contract_standard.model import OpenDataContractStandard

from nomadcloud.accounts.access import parse_public_id
from nomadcloud.consent import dpv
from nomadcloud.core.errors import NotFound
from nomadcloud.core.i18n import localized_text
from nomadcloud.datapools import negotiation
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import Charter, DatasetVersion, Pool

API_VERSION = "v3.2.0"
K = 10
LOGICAL = {"string": "string", "integer": "integer", "number": "number", "date": "date"}
PHYSICAL = {
    "string": "VARCHAR",
    "integer": "BIGINT",
    "number": "DOUBLE",
    "date": "DATE",
    "enum": "VARCHAR",
}
# GB/T 36344-2018 dimensions → ODCS quality dimensions (accessibility has none).
DIMENSIONS = {
    "accuracy": "accuracy",
    "consistency": "consistency",
    "completeness": "completeness",
    "conformity": "conformity",
    "timeliness": "timeliness",
    "accessibility": None,
}
GBT_NAMES = {
    "accuracy": "准确性",
    "consistency": "一致性",
    "completeness": "完整性",
    "conformity": "规范性",
    "timeliness": "时效性",
    "accessibility": "可访问性",
}


def contract_id(pool: Pool, number: int) -> str:
    return f"urn:nomadcloud:contract:{pool.public_id}:v{number}"


def contract_path(pool_id: object, number: int, fmt: str = "yaml") -> str:
    return reverse(
        "catalogue:contract", kwargs={"pool_id": str(pool_id), "number": number, "fmt": fmt}
    )


def _column(column: dict[str, Any], charter: Charter) -> dict[str, Any]:
    kind = str(column.get("type", "string"))
    prop: dict[str, Any] = {
        "name": column["name"],
        "physicalName": column["name"],
        "logicalType": LOGICAL.get(kind, "string"),
        "physicalType": PHYSICAL.get(kind, "VARCHAR"),
        "required": bool(column.get("required")),
        "classification": "personal" if column.get("personal") else charter.classification,
    }
    options: dict[str, Any] = {}
    if column.get("min") is not None:
        options["minimum"] = column["min"]
    if column.get("max") is not None:
        options["maximum"] = column["max"]
    if column.get("max_length") is not None:
        options["maxLength"] = column["max_length"]
    if options:
        prop["logicalTypeOptions"] = options
    quality: list[dict[str, Any]] = []
    if column.get("required"):
        quality.append(
            {"type": "library", "metric": "nullValues", "mustBe": 0, "dimension": "completeness"}
        )
    if kind == "enum" and column.get("values"):
        quality.append(
            {
                "type": "library",
                "metric": "invalidValues",
                "arguments": {"validValues": list(column["values"])},
                "mustBe": 0,
                "dimension": "conformity",
            }
        )
    if quality:
        prop["quality"] = quality
    if column.get("personal"):
        prop["tags"] = ["personal"]
    return prop


def _quality(version: DatasetVersion) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = [
        {
            "name": "rows",
            "type": "library",
            "metric": "rowCount",
            "mustBe": version.row_count,
            "description": "The release holds exactly these rows.",
        },
        {
            "name": "k-anonymity",
            "type": "custom",
            "engine": "nomadcloud",
            "implementation": f"every group in an answer holds at least {K} rows",
            "description": "Aggregates and query templates refuse any answer with a group "
            f"smaller than k = {K} (group_below_k).",
        },
    ]
    for name, dimension in DIMENSIONS.items():
        score = version.quality.get(name)
        if score is None:
            continue
        rule: dict[str, Any] = {
            "name": f"gbt36344-{name}",
            "type": "text",
            "description": f"GB/T 36344-2018 {GBT_NAMES[name]} ({name}): {score}/100 "
            "as measured for this version.",
            "customProperties": [{"property": "score", "value": score}],
        }
        if dimension:
            rule["dimension"] = dimension
        rules.append(rule)
    return rules


def _texts(value: dict[str, Any], key: str) -> tuple[str, list[dict[str, Any]]]:
    """The text in the active language, and the others as custom properties."""
    shown = localized_text(value, get_language())
    others = [
        {"property": f"{key}@{tag}", "value": text}
        for tag, text in value.items()
        if isinstance(text, str) and text and text != shown
    ]
    return shown, others


def build(version: DatasetVersion, *, base: str) -> dict[str, Any]:
    """The ODCS v3 document of one released version (a plain dict, validated by the
    package's model; ``base`` the site's address for links)."""
    pool = version.pool
    charter = version.charter
    newest = pool.versions.order_by("-number").values_list("number", flat=True).first()
    title, title_others = _texts(pool.title, "name")
    summary, summary_others = _texts(pool.description, "description")
    purposes = [str(dpv.label(dpv.PURPOSES, p)) for p in charter.purposes]
    steward = localized_text({"zh-Hans": pool.steward.name_zh, "en": pool.steward.name_en})
    department = localized_text(
        {"zh-Hans": pool.lead_department.name_zh, "en": pool.lead_department.name_en}
    )
    page = f"{base}{reverse('datapools:pool', args=[pool.public_id])}"
    document: dict[str, Any] = {
        "apiVersion": API_VERSION,
        "kind": "DataContract",
        "id": contract_id(pool, version.number),
        "name": title,
        "version": f"{version.number}.0.0",
        "status": "active" if version.number == newest else "deprecated",
        "domain": pool.kind,
        "dataProduct": title,
        "tenant": steward,
        "tags": [pool.kind, charter.classification, charter.grade],
        "description": {
            "purpose": summary,
            "usage": "Purposes: "
            + "; ".join(purposes)
            + ". Access modes: "
            + ", ".join(charter.access_modes)
            + ", under an ODRL agreement negotiated on the platform (or by the Dataspace "
            "Protocol) and confirmed by " + department + ".",
            "limitations": "Raw data stays inside the platform (原始数据不出域、数据可用不可见); "
            "no re-identification; attribution of the pool; use in China unless a "
            "cross-border whitelist entry covers the recipient.",
        },
        "schema": [
            {
                "name": "release",
                "physicalName": "release",
                "physicalType": "table",
                "logicalType": "object",
                "businessName": title,
                "dataGranularityDescription": "One row per contributed record",
                "properties": [_column(c, charter) for c in charter.columns],
                "quality": _quality(version),
            }
        ],
        "roles": [
            {
                "role": mode,
                "access": "read",
                "description": f"Use of the release through the {mode} access mode under "
                "an agreement in force.",
                "firstLevelApprovers": steward,
                "secondLevelApprovers": department,
            }
            for mode in charter.access_modes
        ],
        "support": [{"channel": "access-request", "url": page}],
        "slaProperties": [
            {
                "property": "retention",
                "value": charter.retention_days,
                "unit": "d",
                "driver": "regulatory",
            },
            {
                "property": "generalAvailability",
                "value": version.released_at.replace(microsecond=0).isoformat(),
            },
            {
                "property": "accessDecision",
                "value": negotiation.ANSWER_DAYS,
                "unit": "d",
                "driver": "operational",
                "description": "Each waiting state of an access negotiation (the steward's "
                "answer, the enterprise's answer, the department's confirmation) ends within "
                "this time, or the negotiation ends with the reason.",
            },
        ],
        "authoritativeDefinitions": [
            {"type": "businessDefinition", "url": page},
            {"type": "implementation", "url": f"{base}/dataset/{pool.public_id}.ttl"},
        ],
        "customProperties": [
            *title_others,
            *summary_others,
            {"property": "charterVersion", "value": charter.version},
            {"property": "dpvPurposes", "value": list(charter.purposes)},
            {"property": "dpvPersonalDataCategories", "value": list(charter.data_categories)},
            {"property": "grade", "value": charter.grade},
            {"property": "consentNoticeVersion", "value": charter.consent_notice_version},
            {"property": "contributors", "value": version.contributor_count},
            {"property": "excludedForWithdrawnConsent", "value": version.excluded_withdrawn},
            {"property": "qualityScore", "value": version.quality_score},
            {"property": "rewardPointsPerRow", "value": charter.points_per_row},
            {"property": "contributorsShareOfFeesPercent", "value": charter.fee_share_percent},
            {"property": "leadDepartment", "value": department},
        ],
        "contractCreatedTs": version.released_at.replace(microsecond=0).isoformat(),
    }
    if pool.registration_code:
        document["customProperties"].append(
            {"property": "registrationCode", "value": pool.registration_code}
        )
    model = OpenDataContractStandard.model_validate(document)
    out: dict[str, Any] = model.model_dump(by_alias=True, exclude_none=True, mode="json")
    return out


def public_version(pool_id: object, number: int) -> DatasetVersion:
    """A released version of a public pool (open, closed, archived), or 404."""
    version = (
        DatasetVersion.objects.filter(
            pool__public_id=parse_public_id(pool_id, message=_("No such dataset version.")),
            pool__status__in=PUBLIC_STATES,
            number=number,
        )
        .select_related("pool__steward", "pool__lead_department", "charter")
        .first()
    )
    if version is None:
        raise NotFound(_("No such dataset version."))
    return version


def render(document: dict[str, Any], fmt: str) -> HttpResponse:
    if fmt == "json":
        body = json.dumps(document, ensure_ascii=False, indent=2)
        return HttpResponse(body, content_type="application/json")
    text = OpenDataContractStandard.model_validate(document).to_yaml()
    return HttpResponse(text, content_type="application/yaml; charset=utf-8")


@require_GET
def contract_view(request: HttpRequest, pool_id: str, number: int, fmt: str) -> HttpResponse:
    """``/dataset/<pool>/v<n>/contract.{yaml,json}``: public, like the rest of the catalogue."""
    if fmt not in ("yaml", "json"):
        raise Http404
    try:
        version = public_version(pool_id, number)
    except NotFound as exc:
        raise Http404 from exc
    base = request.build_absolute_uri("/").rstrip("/")
    response = render(build(version, base=base), fmt)
    response["Access-Control-Allow-Origin"] = "*"
    return response
