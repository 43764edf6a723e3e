"""/api/v1/vouchers/: programmes and their registered providers (public), provider
registration and review, applications, issue, redemption with evidence (files base64 in
JSON), the enterprise's confirmation and the department's verification (a payout approved
in payouts). Handlers only translate HTTP to service calls (docs/vouchers.md)."""

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import invalid_field
from nomadcloud.vouchers import access, queries, services
from nomadcloud.vouchers.access import Action
from nomadcloud.vouchers.schemas import (
    ServiceDraft,
    VoucherApplicationIn,
    VoucherDecisionIn,
    VoucherDetailOut,
    VoucherOut,
    VoucherProgrammeIn,
    VoucherProgrammeOut,
    VoucherProviderDecisionIn,
    VoucherProviderIn,
    VoucherProviderOut,
    VoucherReasonIn,
    VoucherRedemptionIn,
    VoucherRedemptionOut,
    VoucherServiceIn,
    VoucherServiceOut,
)
from nomadcloud.vouchers.transitions import Side

router = Router(tags=["vouchers"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _organisation(principal: Principal, org_id: UUID | None, field: str) -> Organisation:
    """The named organisation (implied for an organisation API key), if the asker acts for it."""
    key_org = principal.key_organisation
    if org_id is None:
        if key_org is None:
            raise invalid_field(field, _("Name the organisation (its id)."))
        return key_org
    organisation = Organisation.objects.filter(public_id=org_id).first()
    if organisation is None or not access.is_member(principal, organisation):
        raise invalid_field(
            field, _("No such organisation of yours."), code="not_your_organisation"
        )
    return organisation


def _voucher(principal: Principal, voucher_id: UUID) -> Any:
    return access.voucher_for(principal, voucher_id)


# --- programmes -------------------------------------------------------------------------------


@router.get("/programmes", **PUBLIC, response=_errors({200: list[VoucherProgrammeOut]}))
@paginate(CursorPagination)
def list_programmes(request: HttpRequest, **kwargs: Any) -> Any:
    """Open programmes (and, for their departments, closed ones)."""
    return queries.programmes_visible_to(Principal.of(request))


@router.post("/programmes", response=_errors({201: VoucherProgrammeOut}))
def create_programme(request: HttpRequest, payload: VoucherProgrammeIn) -> Status[Any]:
    """A department opens a programme; its budget is created in payouts."""
    principal = Principal.of(request)
    department = Organisation.objects.filter(
        public_id=payload.department, kind=Organisation.Kind.DEPARTMENT
    ).first()
    if department is None:
        raise invalid_field("department", _("No such department."))
    programme = services.create_programme(
        principal=principal, department=department, draft=payload.draft()
    )
    return Status(201, programme)


@router.get("/programmes/{programme_id}", **PUBLIC, response=_errors({200: VoucherProgrammeOut}))
def get_programme(request: HttpRequest, programme_id: UUID) -> Any:
    return access.programme_for(Principal.of(request), programme_id, Action.VIEW)


@router.get(
    "/programmes/{programme_id}/providers",
    **PUBLIC,
    response=_errors({200: list[VoucherProviderOut]}),
)
def programme_providers(request: HttpRequest, programme_id: UUID) -> Any:
    """The registered providers of a programme, with their services and list prices."""
    programme = access.programme_for(Principal.of(request), programme_id, Action.VIEW)
    return list(queries.registered_providers(programme))


@router.post("/programmes/{programme_id}/providers", response=_errors({201: VoucherProviderOut}))
def register_provider(
    request: HttpRequest, programme_id: UUID, payload: VoucherProviderIn
) -> Status[Any]:
    """Apply to be a registered provider (备案); the department reviews it."""
    principal = Principal.of(request)
    programme = access.programme_for(principal, programme_id, Action.VIEW)
    organisation = _organisation(principal, payload.organisation, "organisation")
    provider = services.register_provider(
        principal=principal, programme=programme, organisation=organisation, draft=payload.draft()
    )
    return Status(201, provider)


@router.post("/programmes/{programme_id}/vouchers", response=_errors({201: VoucherOut}))
def apply_for_voucher(
    request: HttpRequest, programme_id: UUID, payload: VoucherApplicationIn
) -> Status[Any]:
    """An enterprise applies for a voucher for a service agreed with a registered provider."""
    principal = Principal.of(request)
    programme = access.programme_for(principal, programme_id, Action.VIEW)
    enterprise = _organisation(principal, payload.enterprise, "enterprise")
    voucher = services.apply_for_voucher(
        principal=principal, programme=programme, enterprise=enterprise, draft=payload.draft()
    )
    return Status(201, voucher)


# --- providers --------------------------------------------------------------------------------


@router.get("/providers/{provider_id}", **PUBLIC, response=_errors({200: VoucherProviderOut}))
def get_provider(request: HttpRequest, provider_id: UUID) -> Any:
    return access.provider_for(Principal.of(request), provider_id, Action.VIEW)


@router.post("/providers/{provider_id}/services", response=_errors({201: VoucherServiceOut}))
def add_service(request: HttpRequest, provider_id: UUID, payload: VoucherServiceIn) -> Status[Any]:
    """Add a service, at its list price, to the provider's catalogue."""
    principal = Principal.of(request)
    provider = access.provider_for(principal, provider_id, Action.EDIT)
    service = services.add_service(
        principal=principal,
        provider=provider,
        draft=ServiceDraft.model_validate(payload.model_dump()),
    )
    return Status(201, service)


@router.post("/providers/{provider_id}/decision", response=_errors({200: VoucherProviderOut}))
def decide_provider(
    request: HttpRequest, provider_id: UUID, payload: VoucherProviderDecisionIn
) -> Any:
    """The department registers, rejects, suspends, reinstates or revokes a provider."""
    principal = Principal.of(request)
    provider = access.provider_for(principal, provider_id, Action.DECIDE)
    return services.decide_provider(
        principal=principal, provider=provider, decision=payload.decision, reason=payload.reason
    )


# --- vouchers ---------------------------------------------------------------------------------


@router.get("/vouchers", response=_errors({200: list[VoucherOut]}))
@paginate(CursorPagination)
def list_vouchers(request: HttpRequest, **kwargs: Any) -> Any:
    """Vouchers your organisations hold or provide, and those your department decides."""
    return queries.vouchers_visible_to(Principal.of(request))


@router.get("/vouchers/{voucher_id}", response=_errors({200: VoucherDetailOut}))
def get_voucher(request: HttpRequest, voucher_id: UUID) -> Any:
    return _voucher(Principal.of(request), voucher_id)


@router.post("/vouchers/{voucher_id}/decision", response=_errors({200: VoucherOut}))
def decide_application(request: HttpRequest, voucher_id: UUID, payload: VoucherDecisionIn) -> Any:
    """Issue the voucher (code, validity, face value committed on the budget) or reject it."""
    principal = Principal.of(request)
    voucher = access.voucher_for(principal, voucher_id, Side.DEPARTMENT)
    return services.decide_application(
        principal=principal, voucher=voucher, approve=payload.approve, reason=payload.reason
    )


@router.post("/vouchers/{voucher_id}/cancel", response=_errors({200: VoucherOut}))
def cancel_application(request: HttpRequest, voucher_id: UUID, payload: VoucherReasonIn) -> Any:
    """The enterprise withdraws its application before the decision."""
    principal = Principal.of(request)
    voucher = access.voucher_for(principal, voucher_id, Side.ENTERPRISE)
    return services.cancel_application(principal=principal, voucher=voucher, reason=payload.reason)


@router.post("/vouchers/{voucher_id}/revoke", response=_errors({200: VoucherOut}))
def revoke(request: HttpRequest, voucher_id: UUID, payload: VoucherReasonIn) -> Any:
    """The department revokes a voucher found abused; its budget is released."""
    principal = Principal.of(request)
    voucher = access.voucher_for(principal, voucher_id, Side.DEPARTMENT)
    return services.revoke_voucher(principal=principal, voucher=voucher, reason=payload.reason)


@router.post("/vouchers/{voucher_id}/redemption", response=_errors({201: VoucherRedemptionOut}))
def request_redemption(
    request: HttpRequest, voucher_id: UUID, payload: VoucherRedemptionIn
) -> Status[Any]:
    """The provider redeems the voucher for the delivered service, with the invoice and the
    delivery evidence. A second redemption is refused (409 ``already_redeemed``)."""
    principal = Principal.of(request)
    voucher = access.voucher_for(principal, voucher_id, Side.PROVIDER)
    files = [
        uploads.decode_base64_file(f.file_name, f.content_base64, field=f"evidence.{i}")
        for i, f in enumerate(payload.evidence)
    ]
    redemption = services.request_redemption(
        principal=principal, voucher=voucher, draft=payload.draft(), files=files
    )
    return Status(201, redemption)


@router.post(
    "/vouchers/{voucher_id}/redemption/confirm", response=_errors({200: VoucherRedemptionOut})
)
def confirm_delivery(request: HttpRequest, voucher_id: UUID) -> Any:
    """The enterprise confirms the delivery; the anti-fraud rules submit or hold it."""
    principal = Principal.of(request)
    voucher = access.voucher_for(principal, voucher_id, Side.ENTERPRISE)
    return services.confirm_delivery(principal=principal, voucher=voucher)


@router.post(
    "/vouchers/{voucher_id}/redemption/dispute", response=_errors({200: VoucherRedemptionOut})
)
def dispute_delivery(request: HttpRequest, voucher_id: UUID, payload: VoucherReasonIn) -> Any:
    """The enterprise says the service was not delivered; the redemption is rejected."""
    principal = Principal.of(request)
    voucher = access.voucher_for(principal, voucher_id, Side.ENTERPRISE)
    return services.dispute_delivery(principal=principal, voucher=voucher, reason=payload.reason)


@router.post(
    "/vouchers/{voucher_id}/redemption/decision", response=_errors({200: VoucherRedemptionOut})
)
def decide_redemption(request: HttpRequest, voucher_id: UUID, payload: VoucherDecisionIn) -> Any:
    """The department verifies (a payout approved; finance pays and confirms it) or refuses."""
    principal = Principal.of(request)
    voucher = access.voucher_for(principal, voucher_id, Side.DEPARTMENT)
    return services.decide_redemption(
        principal=principal, voucher=voucher, verify=payload.approve, reason=payload.reason
    )
