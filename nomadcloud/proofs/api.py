"""The proofs part of /api/v1/: verify a credential, the latest signed checkpoint, inclusion
and consistency proofs (all public); a person's own credentials and their Open Badges 3.0
shape; and for the zone operator: revocation, publishing a checkpoint now, registering
external public keys. Handlers only translate HTTP to service calls."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES
from nomadcloud.core.errors import NotFound, invalid_field
from nomadcloud.core.jsonsafe import loads_limited
from nomadcloud.proofs import access, queries, services
from nomadcloud.proofs.models import Credential, ExternalKey
from nomadcloud.proofs.schemas import (
    CheckOut,
    CheckpointOut,
    CredentialOut,
    ExternalKeyIn,
    ExternalKeyOut,
    ProofOut,
    PublishedOut,
    RevocationOut,
    RevokeIn,
    VerificationOut,
    VerifyBatchIn,
)

router = Router(tags=["proofs"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


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
    try:  # a document over the limits is refused with its own code (core/jsonsafe.py)
        body = loads_limited(request.body, max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    except ValueError:
        body = None
    if not isinstance(body, dict):  # the document says: a JSON object
        raise invalid_field("body", _("Send the credential as the request body (JSON)."))
    return _verification_out(services.verify(body))


def _verification_out(result: services.Verification) -> VerificationOut:
    subject = result.document.get("credentialSubject") if result.document else None
    return VerificationOut(
        valid=result.valid,
        checks=[CheckOut(**c.__dict__) for c in result.checks],
        revoked_reason=result.revoked_reason,
        shape=result.shape,
        credential_subject=subject if isinstance(subject, dict) else None,
        work=result.work,
        revocation_log_index=result.revocation_log_index,
    )


@router.post("/verify/batch", auth=None, response=_errors({200: list[VerificationOut]}))
def verify_batch(request: HttpRequest, payload: VerifyBatchIn) -> list[VerificationOut]:
    """Verify up to 1,000 credentials at once (e.g. another zone checking a nomad's whole
    record); results in the order sent."""
    return [_verification_out(r) for r in services.verify_many(payload.credentials)]


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


@router.post("/checkpoints", response=_errors({200: PublishedOut}))
def publish_checkpoint(request: HttpRequest) -> PublishedOut:
    """Publish a signed checkpoint now (zone operator; audited). Only a grown log gets a new
    checkpoint; otherwise the latest is returned with ``new`` false."""
    cp, new = services.publish_checkpoint_as(principal=Principal.of(request))
    return PublishedOut(
        origin=services.log_origin(),
        size=cp.size,
        root=base64.b64encode(bytes(cp.root)).decode(),
        note=cp.note,
        new=new,
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
        revoked_reason=c.revoked_reason,
        log_index=c.log_entry.index,
        status_list=c.status_list,
        status_index=c.status_index,
        verification_url=services.verification_url(c),
        document=c.document,
    )


@router.get("/credentials", response=_errors({200: list[CredentialOut]}))
def my_credentials(request: HttpRequest) -> list[CredentialOut]:
    user = require_person(Principal.of(request))
    return [_out(c) for c in queries.credentials_of(user)[:500]]


@router.get("/credentials/{credential_id}/openbadge", response=_errors({200: dict[str, Any]}))
def my_openbadge(request: HttpRequest, credential_id: str) -> dict[str, Any]:
    """One of your credentials as a signed Open Badges 3.0 ``OpenBadgeCredential``."""
    user = require_person(Principal.of(request))
    return services.openbadge(access.own_credential(user, credential_id))


@router.post("/credentials/{credential_id}/revoke", response=_errors({200: CredentialOut}))
def revoke(request: HttpRequest, credential_id: str, payload: RevokeIn) -> CredentialOut:
    principal = Principal.of(request)
    credential = queries.credential_for(credential_id)
    return _out(services.revoke(principal=principal, credential=credential, reason=payload.reason))


@router.get(
    "/credentials/{credential_id}/revocation",
    auth=None,
    response=_errors({200: RevocationOut}),
)
def revocation(request: HttpRequest, credential_id: str) -> RevocationOut:
    """Public: how the transparency log recorded a credential's revocation, with an
    inclusion proof to the latest checkpoint that covers it (404 when not revoked)."""
    found = services.revocation_proof(credential_id)
    return RevocationOut(
        record=found["record"],
        index=found["index"],
        leaf_hash=found["leafHash"],
        tree_size=found.get("treeSize"),
        inclusion_proof=found.get("inclusionProof", []),
        checkpoint=found.get("checkpoint"),
    )


def _key_out(k: ExternalKey) -> ExternalKeyOut:
    return ExternalKeyOut(
        id=k.public_id,
        name=k.name,
        purpose=k.purpose,
        public_multikey=k.public_multikey,
        note_verifier=k.note_verifier,
        registered_at=k.registered_at.isoformat(),
    )


@router.get("/keys", response=_errors({200: list[ExternalKeyOut]}))
def external_keys(request: HttpRequest) -> list[ExternalKeyOut]:
    """External public keys registered by the zone operator (operator only)."""
    return [_key_out(k) for k in services.external_keys(principal=Principal.of(request))]


@router.post("/keys", response=_errors({201: ExternalKeyOut}))
def register_key(request: HttpRequest, payload: ExternalKeyIn) -> Status[Any]:
    """Register a partner zone's, witness's or verifier's Ed25519 public key (operator only;
    audited). The key is screened: small-order, mixed-order and non-canonical keys are refused
    with 422 naming the problem (``code`` ``key_small_order``, ``key_non_canonical``, …)."""
    key = services.register_external_key(
        principal=Principal.of(request),
        name=payload.name,
        purpose=payload.purpose,
        public_key=payload.public_key,
    )
    return Status(201, _key_out(key))
