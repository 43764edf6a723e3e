"""The catalogue: DCAT datasets with ODRL offers per access mode the charter allows, the version
document, and the catalogue requests."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.datapools import catalogue, negotiation
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import (
    Charter,
    Pool,
)

from .messages import (
    CONTEXT,
    FORMATS,
    VERSION,
    ProtocolError,
    _message,
    _uuid_of,
    endpoint,
)

# --- catalogue ----------------------------------------------------------------------------


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("dsp:version")).rsplit("/.well-known", 1)[0]


def offer(pool: Pool, mode: str, charter: Charter) -> dict[str, Any]:
    return {
        "@id": f"urn:nomadcloud:offer:{pool.public_id}:{mode}",
        "@type": "Offer",
        "target": f"urn:nomadcloud:pool:{pool.public_id}",
        "assigner": f"urn:nomadcloud:org:{pool.steward.public_id}",
        "permission": [
            {
                "action": "use",
                "constraint": [
                    {
                        "leftOperand": "purpose",
                        "operator": "isAnyOf",
                        "rightOperand": charter.purposes,
                    },
                    {"leftOperand": "spatial", "operator": "eq", "rightOperand": "CN"},
                    {
                        "leftOperand": "elapsedTime",
                        "operator": "lteq",
                        "rightOperand": f"P{negotiation.MAX_DAYS}D",
                    },
                ],
                "duty": [{"action": "attribute"}],
            }
        ],
        "prohibition": [{"action": "https://nomadcloud.cn/ns/datapools#reidentify"}],
        "https://nomadcloud.cn/ns/datapools#accessMode": mode,
    }


def dataset(pool: Pool, service: dict[str, Any], charter: Charter | None = None) -> dict[str, Any]:
    charter = charter or current_charter(pool)
    modes = list(charter.access_modes) if pool.status == Pool.Status.OPEN else []
    out: dict[str, Any] = {
        "@id": f"urn:nomadcloud:pool:{pool.public_id}",
        "@type": "Dataset",
        "title": [
            {"@value": pool.title.get("zh-Hans", ""), "@language": "zh"},
            {"@value": pool.title.get("en", ""), "@language": "en"},
        ],
        "description": [
            {"@value": pool.description.get("zh-Hans", ""), "@language": "zh"},
            {"@value": pool.description.get("en", ""), "@language": "en"},
        ],
        "keyword": [pool.kind],
        "hasPolicy": [offer(pool, mode, charter) for mode in modes],
        "distribution": [
            {"@type": "Distribution", "format": FORMATS[mode], "accessService": service["@id"]}
            for mode in modes
        ],
    }
    if pool.registration_code:
        out["identifier"] = pool.registration_code
    return out


def _service(request: HttpRequest) -> dict[str, Any]:
    return {
        "@id": f"{_base(request)}/dsp/{VERSION}",
        "@type": "DataService",
        "endpointURL": f"{_base(request)}/dsp/{VERSION}",
    }


@require_GET
def version(request: HttpRequest) -> HttpResponse:
    """``/.well-known/dspace-version``: the protocol versions served here."""
    return JsonResponse(
        {"protocolVersions": [{"version": VERSION, "path": f"/dsp/{VERSION}/", "binding": "HTTPS"}]}
    )


@require_POST
@endpoint("CatalogError")
def catalog_request(request: HttpRequest, principal: Principal) -> HttpResponse:
    _message(request, "CatalogRequestMessage")
    service = _service(request)
    pools = list(catalogue.public_pools()[:1000])
    newest: dict[int, Charter] = {}  # each pool's newest charter, in one query
    for charter in Charter.objects.filter(pool__in=pools).order_by("pool_id", "version"):
        newest[charter.pool_id] = charter
    return JsonResponse(
        {
            "@context": CONTEXT,
            "@id": f"{_base(request)}/catalog.jsonld",
            "@type": "Catalog",
            "participantId": _base(request),
            "service": [service],
            "dataset": [dataset(pool, service, newest.get(pool.pk)) for pool in pools],
        }
    )


@require_GET
@endpoint("CatalogError")
def catalog_dataset(request: HttpRequest, principal: Principal, dataset_id: str) -> HttpResponse:
    found = (
        catalogue.public_pools()
        .filter(public_id=_uuid_of(dataset_id, "urn:nomadcloud:pool:"))
        .first()
    )
    if found is None:
        raise ProtocolError(404, "not_found", _("No such dataset."))
    return JsonResponse({"@context": CONTEXT, **dataset(found, _service(request))})
