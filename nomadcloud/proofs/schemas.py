"""The proofs API's typed inputs and outputs (the router is in ``api.py``)."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from ninja import Field, Schema

VERIFY_BATCH_MAX = 1000


class CheckOut(Schema):
    name: str
    ok: bool
    code: str
    message: str


class VerificationOut(Schema):
    valid: bool
    checks: list[CheckOut]
    revoked_reason: str = ""
    shape: str = Field("vc", description="vc (proof-of-work credential) or openbadge")
    credential_subject: dict[str, Any] | None = None
    work: dict[str, Any] | None = Field(
        None, description="the claims (for an Open Badges credential: of the logged credential)"
    )
    revocation_log_index: int | None = Field(
        None, description="for a revoked credential: the log index of its revocation record"
    )


class CheckpointOut(Schema):
    origin: str
    size: int
    root: str = Field(description="base64 SHA-256 root hash")
    note: str = Field(description="the C2SP signed checkpoint note")


class PublishedOut(CheckpointOut):
    new: bool = Field(description="false when the log had not grown: the latest is returned")


class ProofOut(Schema):
    proof: list[str] = Field(description="base64 hashes, RFC 9162 order")


class CredentialOut(Schema):
    id: UUID
    kind: str
    issued_at: str
    revoked: bool
    revoked_reason: str = ""
    log_index: int
    status_list: int
    status_index: int
    verification_url: str
    document: dict[str, Any]


class RevocationOut(Schema):
    record: dict[str, Any] = Field(
        description="what the log recorded: credential, its log index and leaf hash, "
        "status-list entry, time and reason (the leaf is this record's RFC 8785 JSON)"
    )
    index: int = Field(description="the revocation's leaf index in the log")
    leaf_hash: str = Field(description="base64 SHA-256(0x00 ‖ JCS(record))")
    tree_size: int | None = Field(None, description="size of the checkpoint proved against")
    inclusion_proof: list[str] = Field(
        default_factory=list, description="base64 hashes; empty until a checkpoint covers it"
    )
    checkpoint: str | None = Field(None, description="the signed checkpoint note")


class RevokeIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class ExternalKeyIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    purpose: Literal["witness", "cosigner", "issuer", "verifier"]
    public_key: str = Field(
        min_length=1,
        max_length=200,
        description="Multikey (z6Mk…), C2SP signed-note verifier key (name+id+key) or 64 hex",
    )


class ExternalKeyOut(Schema):
    id: UUID
    name: str
    purpose: str
    public_multikey: str
    note_verifier: str
    registered_at: str


class VerifyBatchIn(Schema):
    credentials: list[dict[str, Any]] = Field(
        min_length=1,
        max_length=VERIFY_BATCH_MAX,
        description="Credentials (or downloaded bundles), verified in one request.",
    )
