"""The accounts part of /api/v1/: people, organisations, members, invitations, tokens,
verification reviews and the audit log. Handlers only translate HTTP to service calls."""

import contextlib
from typing import Any
from uuid import UUID

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts import access, queries, services, throttle, verification
from nomadcloud.accounts.access import Action
from nomadcloud.accounts.models import Invitation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.schemas import (
    AcceptIn,
    AuditEventOut,
    AuditFilters,
    CodeSentOut,
    ConfirmCodeIn,
    DecisionIn,
    DecisionOut,
    ForeignDetailsIn,
    InvitationCreatedOut,
    InvitationIn,
    InvitationOut,
    MemberOut,
    OrganisationIn,
    OrganisationOut,
    OrganisationPatch,
    PasswordIn,
    PersonOut,
    PersonPatch,
    RegisterIn,
    RegistrationOut,
    RoleIn,
    SendCodeIn,
    TokenCreatedOut,
    TokenIn,
    TokenOut,
)
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination, ErrorOut
from nomadcloud.core.errors import DomainError, NotFound

router = Router(tags=["accounts"])


def _me(request: HttpRequest) -> tuple[Principal, User]:
    principal = Principal.of(request)
    return principal, access.require_person(principal)


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


# --- people ------------------------------------------------------------------------------------


@router.post(
    "/people", auth=None, response=_errors({202: RegistrationOut, 429: ErrorOut}), tags=["people"]
)
def register(request: HttpRequest, payload: RegisterIn) -> Status[Any]:
    """Register a person (sign-in by e-mail or mobile number). The answer is the same
    whether or not the e-mail address or mobile number is already registered (its owner is
    sent a notice instead); sign in with the identifier and password to continue. Throttled
    per client address and overall (429 ``too_many_requests``)."""
    throttle.check_sign_up(request)
    user = services.register_or_notify(**payload.dict())
    if user is not None:  # the first one-time code; confirmed at /me/contact-verification/confirm
        with contextlib.suppress(DomainError):
            verification.send_code(user)
    return Status(
        202,
        {
            "code": "registration_received",
            "message": _(
                "Thank you. If these details are new, your account is ready: sign in with "
                "them. If they are already registered, we have sent their owner a notice."
            ),
        },
    )


@router.post(
    "/me/contact-verification",
    response=_errors({202: CodeSentOut, 429: ErrorOut}),
    tags=["people"],
)
def send_contact_code(request: HttpRequest, payload: SendCodeIn) -> Status[Any]:
    """Send a one-time code to your e-mail address or mobile number (throttled: one a
    minute, five an hour). Until you confirm one, your account cannot earn or exchange
    work units."""
    principal, user = _me(request)
    access.require_write(principal)
    row = verification.send_code(user, payload.channel)
    return Status(202, CodeSentOut(channel=row.channel, expires_at=row.expires_at))


@router.post(
    "/me/contact-verification/confirm",
    response=_errors({200: PersonOut}),
    tags=["people"],
)
def confirm_contact_code(request: HttpRequest, payload: ConfirmCodeIn) -> User:
    """Confirm the code: six digits, within 10 minutes, at most five tries per code."""
    principal, user = _me(request)
    access.require_write(principal)
    return verification.confirm_code(user, payload.code)


@router.get("/me", response=_errors({200: PersonOut}), tags=["people"])
def get_me(request: HttpRequest) -> User:
    return _me(request)[1]


@router.patch("/me", response=_errors({200: PersonOut}), tags=["people"])
def patch_me(request: HttpRequest, payload: PersonPatch) -> User:
    principal, user = _me(request)
    return services.update_profile(principal=principal, user=user, changes=payload)


@router.put("/me/foreign-details", response=_errors({200: PersonOut}), tags=["people"])
def put_foreign_details(request: HttpRequest, payload: ForeignDetailsIn) -> User:
    principal, user = _me(request)
    return services.set_foreign_details(principal=principal, user=user, **payload.dict())


def _no_store(data: dict[str, Any]) -> JsonResponse:
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    return response


@router.get("/me/export", response=_errors({200: dict[str, Any]}), tags=["people"])
def export_me(request: HttpRequest) -> JsonResponse:
    """All personal data the platform holds about you (JSON, one section per part of the
    platform), never cached. From a signed-in session; with an API token use the POST form
    with your password (403 ``reauthentication_required``; a read-only token: 403 ``scope``)."""
    principal, user = _me(request)
    return _no_store(services.export_personal_data(principal=principal, user=user))


@router.post("/me/export", response=_errors({200: dict[str, Any], 429: ErrorOut}), tags=["people"])
def export_me_reauthenticated(request: HttpRequest, payload: PasswordIn) -> JsonResponse:
    """The same export after re-authentication: your password in the body. Needs a session
    or a token with write scope; wrong passwords count towards a lock-out."""
    principal, user = _me(request)
    return _no_store(
        services.export_personal_data(principal=principal, user=user, password=payload.password)
    )


@router.post("/me/erase", response=_errors({204: None, 429: ErrorOut}), tags=["people"])
def erase_me(request: HttpRequest, payload: PasswordIn) -> Status[Any]:
    """Erase your personal data and close the account (records stay under a pseudonym)."""
    principal, user = _me(request)
    services.erase_account(principal=principal, user=user, password=payload.password)
    return Status(204, None)


# --- organisations -----------------------------------------------------------------------------


@router.get(
    "/organisations", response=_errors({200: list[OrganisationOut]}), tags=["organisations"]
)
@paginate(CursorPagination)
def list_organisations(request: HttpRequest, **kwargs: Any) -> Any:
    return queries.organisations_visible_to(Principal.of(request))


@router.post("/organisations", response=_errors({201: OrganisationOut}), tags=["organisations"])
def create_organisation(request: HttpRequest, payload: OrganisationIn) -> Status[Any]:
    organisation = services.create_organisation(principal=Principal.of(request), draft=payload)
    return Status(201, organisation)


@router.get(
    "/organisations/{org_id}", response=_errors({200: OrganisationOut}), tags=["organisations"]
)
def get_organisation(request: HttpRequest, org_id: UUID) -> Any:
    return access.organisation_for(Principal.of(request), org_id, Action.VIEW)


@router.patch(
    "/organisations/{org_id}", response=_errors({200: OrganisationOut}), tags=["organisations"]
)
def patch_organisation(request: HttpRequest, org_id: UUID, payload: OrganisationPatch) -> Any:
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, Action.EDIT)
    return services.update_organisation(
        principal=principal, organisation=organisation, changes=payload
    )


@router.post(
    "/organisations/{org_id}/verification-request",
    response=_errors({200: OrganisationOut}),
    tags=["organisations"],
)
def request_verification(request: HttpRequest, org_id: UUID) -> Any:
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, Action.REQUEST_VERIFICATION)
    return services.request_verification(principal=principal, organisation=organisation)


@router.get(
    "/organisations/{org_id}/members",
    response=_errors({200: list[MemberOut]}),
    tags=["organisations"],
)
@paginate(CursorPagination)
def list_members(request: HttpRequest, org_id: UUID, **kwargs: Any) -> Any:
    organisation = access.organisation_for(Principal.of(request), org_id, Action.VIEW)
    return queries.members_of(organisation)


@router.patch(
    "/organisations/{org_id}/members/{member_id}",
    response=_errors({200: MemberOut}),
    tags=["organisations"],
)
def change_role(request: HttpRequest, org_id: UUID, member_id: int, payload: RoleIn) -> Any:
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, Action.VIEW)
    membership = access.membership_for(principal, organisation, member_id)
    return services.change_member_role(
        principal=principal, membership=membership, role=payload.role
    )


@router.delete(
    "/organisations/{org_id}/members/{member_id}",
    response=_errors({204: None}),
    tags=["organisations"],
)
def remove_member(request: HttpRequest, org_id: UUID, member_id: int) -> Status[Any]:
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, Action.VIEW)
    membership = access.membership_for(principal, organisation, member_id, own=True)
    services.remove_member(principal=principal, membership=membership)
    return Status(204, None)


@router.get(
    "/organisations/{org_id}/invitations",
    response=_errors({200: list[InvitationOut]}),
    tags=["organisations"],
)
@paginate(CursorPagination)
def list_invitations(request: HttpRequest, org_id: UUID, **kwargs: Any) -> Any:
    organisation = access.organisation_for(Principal.of(request), org_id, Action.MANAGE_MEMBERS)
    return queries.open_invitations_of(organisation)


@router.post(
    "/organisations/{org_id}/invitations",
    response=_errors({201: InvitationCreatedOut}),
    tags=["organisations"],
)
def invite(request: HttpRequest, org_id: UUID, payload: InvitationIn) -> Status[Any]:
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, Action.MANAGE_MEMBERS)
    invitation, token = services.invite_member(
        principal=principal, organisation=organisation, email=payload.email, role=payload.role
    )
    invitation.accept_url = settings.SITE_URL + reverse(  # type: ignore[attr-defined]
        "accounts:accept_invitation", args=[token]
    )
    return Status(201, invitation)


@router.post(
    "/organisations/{org_id}/invitations/{invitation_id}/revoke",
    response=_errors({204: None}),
    tags=["organisations"],
)
def revoke_invitation(request: HttpRequest, org_id: UUID, invitation_id: int) -> Status[Any]:
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, Action.MANAGE_MEMBERS)
    invitation = Invitation.objects.filter(pk=invitation_id, organisation=organisation).first()
    if invitation is None:
        raise NotFound(_("No such invitation."))
    services.revoke_invitation(principal=principal, invitation=invitation)
    return Status(204, None)


@router.post("/invitations/accept", response=_errors({200: MemberOut}), tags=["organisations"])
def accept_invitation(request: HttpRequest, payload: AcceptIn) -> Any:
    return services.accept_invitation(principal=Principal.of(request), token=payload.token)


# --- tokens and keys ---------------------------------------------------------------------------


@router.get("/tokens", response=_errors({200: list[TokenOut]}), tags=["tokens"])
@paginate(CursorPagination)
def list_tokens(request: HttpRequest, **kwargs: Any) -> Any:
    return queries.personal_tokens_of(_me(request)[1])


@router.post("/tokens", response=_errors({201: TokenCreatedOut}), tags=["tokens"])
def create_token(request: HttpRequest, payload: TokenIn) -> Status[Any]:
    token, secret = services.create_personal_token(
        principal=Principal.of(request), **payload.dict()
    )
    token.secret = secret  # type: ignore[attr-defined]  # shown once, never stored
    return Status(201, token)


@router.post("/tokens/{token_id}/revoke", response=_errors({204: None}), tags=["tokens"])
def revoke_token(request: HttpRequest, token_id: UUID) -> Status[Any]:
    """Revoke a personal token, or an organisation key of an organisation you manage."""
    principal = Principal.of(request)
    services.revoke_token(principal=principal, token=access.token_for(principal, token_id))
    return Status(204, None)


@router.get(
    "/organisations/{org_id}/api-keys", response=_errors({200: list[TokenOut]}), tags=["tokens"]
)
@paginate(CursorPagination)
def list_keys(request: HttpRequest, org_id: UUID, **kwargs: Any) -> Any:
    organisation = access.organisation_for(Principal.of(request), org_id, Action.MANAGE_KEYS)
    return queries.keys_of(organisation)


@router.post(
    "/organisations/{org_id}/api-keys", response=_errors({201: TokenCreatedOut}), tags=["tokens"]
)
def create_key(request: HttpRequest, org_id: UUID, payload: TokenIn) -> Status[Any]:
    principal = Principal.of(request)
    organisation = access.organisation_for(principal, org_id, Action.MANAGE_KEYS)
    token, secret = services.create_organisation_key(
        principal=principal, organisation=organisation, **payload.dict()
    )
    token.secret = secret  # type: ignore[attr-defined]  # shown once, never stored
    return Status(201, token)


# --- reviews and audit -------------------------------------------------------------------------


@router.get(
    "/reviews/organisations", response=_errors({200: list[OrganisationOut]}), tags=["reviews"]
)
@paginate(CursorPagination)
def review_queue(request: HttpRequest, **kwargs: Any) -> Any:
    """Organisations awaiting verification by a department where you decide."""
    return queries.review_queue_for(_me(request)[1])


@router.post(
    "/reviews/organisations/{org_id}/decision",
    response=_errors({200: DecisionOut}),
    tags=["reviews"],
)
def decide(request: HttpRequest, org_id: UUID, payload: DecisionIn) -> Any:
    principal = Principal.of(request)
    organisation, department = access.review_target_for(principal, org_id)
    decision = services.decide_verification(
        principal=principal,
        organisation=organisation,
        department=department,
        approve=payload.approve,
        reason=payload.reason,
        evidence={"checked_registry": payload.checked_registry},
    )
    return DecisionOut(
        organisation_id=organisation.public_id,
        approved=decision.approved,
        reason=decision.reason,
        rule_version=decision.rule_version,
        decided_at=decision.decided_at,
    )


@router.get("/audit-events", response=_errors({200: list[AuditEventOut]}), tags=["audit"])
@paginate(CursorPagination)
def audit_events(request: HttpRequest, filters: Query[AuditFilters], **kwargs: Any) -> Any:
    """The audit log (zone operators only)."""
    access.require_zone_operator(Principal.of(request))
    return queries.audit_events(
        action=filters.action,
        object_type=filters.object_type,
        actor_public_id=str(filters.actor) if filters.actor else "",
        organisation_public_id=str(filters.organisation) if filters.organisation else "",
    )
