"""/api/v1/consent/: a person's own consent records, their JSON-LD export (ISO/IEC TS 27560
with DPV) and withdrawal (docs/consent.md)."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import access, jsonld, services
from nomadcloud.consent.schemas import ConsentOut, JsonLd
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination

router = Router(tags=["consent"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("/records", response=_errors({200: list[ConsentOut]}))
@paginate(CursorPagination)
def records(request: HttpRequest, **kwargs: Any) -> Any:
    """The consents you gave, newest first, with their status now."""
    return access.records_of(Principal.of(request))


@router.get("/records.jsonld", response=_errors({200: JsonLd}))
def export(request: HttpRequest) -> Any:
    """All your consent records as one JSON-LD document (dpv:ConsentRecord nodes)."""
    return jsonld.document(access.records_of(Principal.of(request)))


@router.post("/records/{record_id}/withdraw", response=_errors({200: ConsentOut}))
def withdraw(request: HttpRequest, record_id: UUID) -> Any:
    """Withdraw a consent: from now on it is not used. Refused when already withdrawn
    (``already_withdrawn``)."""
    principal = Principal.of(request)
    user, record = access.record_for(principal, record_id, write=True)
    return services.withdraw_consent(record, actor=user)
