"""The proofs part of /api/v1/: verify a credential, the latest signed checkpoint, inclusion
and consistency proofs (all public), a person's own credentials, and revocation by the zone
operator. Handlers only translate HTTP to service calls."""

from __future__ import annotations

import base64
import json
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES
from nomadcloud.core.errors import NotFound, invalid_field
from nomadcloud.proofs import services
from nomadcloud.proofs.models import Credential

router = Router(tags=["proofs"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


class CheckOut(Schema):
    name: str
    ok: bool
    code: str
    message: str


class VerificationOut(Schema):
    valid: bool
    checks: list[CheckOut]
    revoked_reason: str = ""
    credential_subject: dict[str, Any] | None = None


class CheckpointOut(Schema):
    origin: str
    size: int
    root: str = Field(description="base64 SHA-256 root hash")
    note: str = Field(description="the C2SP signed checkpoint note")


class ProofOut(Schema):
    proof: list[str] = Field(description="base64 hashes, RFC 9162 order")


class CredentialOut(Schema):
    id: UUID
    kind: str
    issued_at: str
    revoked: bool
    log_index: int
    document: dict[str, Any]


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


def _b64(hashes: list[bytes]) -> list[str]:
    return [base64.b64encode(h).decode() for h in hashes]


VERIFY_BODY = {
    "requestBody": {
        "required": True,
        "description": "A credential (JSON), or a downloaded bundle {credential, log}.",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}


@router.post(
    "/verify", auth=None, response=_errors({200: VerificationOut}), openapi_extra=VERIFY_BODY
)
def verify(request: HttpRequest) -> VerificationOut:
    """Check signature, issuer key, revocation status and log inclusion; a malformed body is
    reported as a failed ``format`` check by the page; the API, whose document promises a
    JSON object, answers anything else with 422."""
    try:
        body = json.loads(request.body)
    except (ValueError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):  # the document says: a JSON object
        raise invalid_field("body", _("Send the credential as the request body (JSON)."))
    result = services.verify(services.parse(request.body))
    subject = result.document.get("credentialSubject") if result.document else None
    return VerificationOut(
        valid=result.valid,
        checks=[CheckOut(**c.__dict__) for c in result.checks],
        revoked_reason=result.revoked_reason,
        credential_subject=subject if isinstance(subject, dict) else None,
    )


@router.get("/checkpoint", auth=None, response=_errors({200: CheckpointOut}))
def checkpoint(request: HttpRequest) -> CheckpointOut:
    cp = services.latest_checkpoint()
    if cp is None:
        raise NotFound(_("No checkpoint has been published yet."))
    return CheckpointOut(
        origin=services.log_origin(),
        size=cp.size,
        root=base64.b64encode(bytes(cp.root)).decode(),
        note=cp.note,
    )


@router.get("/inclusion", auth=None, response=_errors({200: ProofOut}))
def inclusion(request: HttpRequest, index: int, size: int) -> ProofOut:
    return ProofOut(proof=_b64(services.inclusion_proof(index, size)))


@router.get("/consistency", auth=None, response=_errors({200: ProofOut}))
def consistency(request: HttpRequest, first: int, second: int) -> ProofOut:
    return ProofOut(proof=_b64(services.consistency_proof(first, second)))


def _out(c: Credential) -> CredentialOut:
    return CredentialOut(
        id=c.public_id,
        kind=c.kind,
        issued_at=c.issued_at.isoformat(),
        revoked=c.revoked_at is not None,
        log_index=c.log_entry.index,
        document=c.document,
    )


@router.get("/credentials", response=_errors({200: list[CredentialOut]}))
def my_credentials(request: HttpRequest) -> list[CredentialOut]:
    user = require_person(Principal.of(request))
    rows = Credential.objects.filter(user=user).select_related("log_entry").order_by("-id")
    return [_out(c) for c in rows[:500]]


@router.post("/credentials/{credential_id}/revoke", response=_errors({200: CredentialOut}))
def revoke(request: HttpRequest, credential_id: str, payload: RevokeIn) -> CredentialOut:
    principal = Principal.of(request)
    credential = services.credential_for(credential_id)
    return _out(services.revoke(principal=principal, credential=credential, reason=payload.reason))
