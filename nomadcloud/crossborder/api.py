"""/api/v1/crossborder/: export requests decided by the versioned procedure, their evidence,
the 网信办 pre-check, whitelist entries and transfers (docs/crossborder.md). Anything not
visible to the caller is 404."""

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate
from ninja.responses import Status

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.crossborder import access, services
from nomadcloud.crossborder.access import Action
from nomadcloud.crossborder.schemas import (
    EntryOut,
    EvidenceDraft,
    ExportRequestDraft,
    ExportRequestOut,
    ReviewDraft,
    TransferDraft,
    TransferOut,
)

router = Router(tags=["crossborder"])
ObligationKind = Literal[
    "separate_consent", "impact_assessment", "filing_receipt", "certificate", "cac_decision"
]


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("/requests", response=_errors({200: list[ExportRequestOut]}))
@paginate(CursorPagination)
def requests(request: HttpRequest, **kwargs: Any) -> Any:
    """Export requests you may see (your organisations', or those your 网信办 pre-checks),
    newest first."""
    return access.requests_visible_to(Principal.of(request)).prefetch_related("entry")


@router.post("/exporters/{org_id}/requests", response=_errors({201: ExportRequestOut}))
def assess(request: HttpRequest, org_id: UUID, payload: ExportRequestDraft) -> Status[Any]:
    """File a request; the route is decided at once over the exporter's year-to-date
    counters (``exempt``, ``standard_contract``, ``certification``, ``security_assessment``,
    ``blocked``) with the cited clauses in Chinese and English. A missing count or category
    is 422 naming the field; a CIIO or important data choosing a contract or certification
    is ``route_not_available``."""
    principal = Principal.of(request)
    exporter = access.exporter_for(principal, org_id, Action.EDIT)
    made = services.assess_request(principal=principal, exporter=exporter, draft=payload)
    return Status(201, access.request_for(principal, made.public_id, Action.VIEW))


@router.get("/requests/{request_id}", response=_errors({200: ExportRequestOut}))
def detail(request: HttpRequest, request_id: UUID) -> Any:
    return access.request_for(Principal.of(request), request_id, Action.VIEW)


@router.post("/requests/{request_id}/evidence/{kind}", response=_errors({200: ExportRequestOut}))
def evidence(
    request: HttpRequest, request_id: UUID, kind: ObligationKind, payload: EvidenceDraft
) -> Any:
    """Evidence for one obligation (the exporter's owners and admins). Separate consent is
    read from the consent records (``no_separate_consent`` when none); an expired date is
    ``evidence_expired``."""
    principal = Principal.of(request)
    item = access.request_for(principal, request_id, Action.EDIT)
    services.submit_evidence(principal=principal, request=item, kind=kind, draft=payload)
    return access.request_for(principal, request_id, Action.VIEW)


@router.post("/requests/{request_id}/review", response=_errors({200: ExportRequestOut}))
def review(request: HttpRequest, request_id: UUID, payload: ReviewDraft) -> Any:
    """The 网信办 pre-check: ``approve`` adds a whitelist entry (cap, validity by route);
    otherwise the request is returned with the note."""
    principal = Principal.of(request)
    item = access.request_for(principal, request_id, Action.REVIEW)
    services.review(principal=principal, request=item, draft=payload)
    return access.request_for(principal, request_id, Action.VIEW)


@router.get("/entries", response=_errors({200: list[EntryOut]}))
@paginate(CursorPagination)
def entries(request: HttpRequest, **kwargs: Any) -> Any:
    """Whitelist entries you may see."""
    return access.entries_visible_to(Principal.of(request))


@router.get("/entries/{entry_id}", response=_errors({200: EntryOut}))
def entry(request: HttpRequest, entry_id: UUID) -> Any:
    return access.entry_for(Principal.of(request), entry_id, Action.VIEW)


@router.post("/entries/{entry_id}/transfers", response=_errors({201: TransferOut}))
def transfer(request: HttpRequest, entry_id: UUID, payload: TransferDraft) -> Status[Any]:
    """Log one transfer. Outside the entry (purpose, recipient, categories, over the cap)
    it is refused with ``reassessment_required`` and the entry marked so; after the end
    date ``entry_expired``."""
    principal = Principal.of(request)
    item = access.entry_for(principal, entry_id, Action.EDIT)
    event = services.log_transfer(principal=principal, entry=item, draft=payload)
    item.refresh_from_db()
    return Status(
        201,
        {
            "entry": item.public_id,
            "pi_count": event.pi_count,
            "sensitive_count": event.sensitive_count,
            "at": event.at,
            "entry_status": item.status,
        },
    )


@router.post("/entries/{entry_id}/reassess", response=_errors({201: ExportRequestOut}))
def reassess(request: HttpRequest, entry_id: UUID, payload: ExportRequestDraft) -> Status[Any]:
    """A new request for a changed purpose, recipient or categories, or a renewal."""
    principal = Principal.of(request)
    item = access.entry_for(principal, entry_id, Action.EDIT)
    made = services.reassess(principal=principal, entry=item, draft=payload)
    return Status(201, access.request_for(principal, made.public_id, Action.VIEW))
