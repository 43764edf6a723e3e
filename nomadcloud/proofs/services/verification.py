"""Online verification against this zone: each check (format, issuer key, signature,
status, log inclusion) reported with a code and a localized message; many credentials with a
fixed number of queries."""

from __future__ import annotations

import functools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nomadcloud.core.jsonsafe import JSONRefused, loads_limited
from nomadcloud.proofs import badges
from nomadcloud.proofs.core import dataintegrity, ed25519, merkle
from nomadcloud.proofs.core.jcs import JCSError
from nomadcloud.proofs.models import Checkpoint, Credential, IssuerKey, LogEntry, RevocationEntry
from nomadcloud.proofs.services.datamodel import broken_rules, rule_messages
from nomadcloud.proofs.services.identity import issuer_did
from nomadcloud.proofs.services.log import fetch_nodes, latest_checkpoint, leaf_hash
from nomadcloud.proofs.services.openbadges import same_badge
from nomadcloud.proofs.services.status import status_position

SOURCE_CHUNK = 5000  # sources per existence query (SQLite allows 32,766 parameters)


@dataclass
class Check:
    name: str
    ok: bool
    code: str
    message: str

    @property
    def performed(self) -> bool:
        return self.code not in NOT_PERFORMED


@dataclass
class Verification:
    valid: bool
    checks: list[Check]
    document: dict[str, Any] | None = None
    revoked_reason: str = ""
    work: dict[str, Any] | None = None  # the claims (of the logged credential, for a badge)
    shape: str = "vc"  # "vc" or "openbadge"
    revocation_log_index: int | None = None  # where the log recorded the revocation


def check_names() -> dict[str, str]:
    return {
        "format": _("Format"),
        "data_model": _("Data model (VC 2.0)"),
        "issuer_key": _("Issuer key"),
        "signature": _("Signature"),
        "status": _("Status"),
        "log": _("Log inclusion"),
    }


def messages() -> dict[str, str]:
    """The check messages in the active language (built once per language: verification
    asks for them several times per credential)."""
    return _messages(get_language() or settings.LANGUAGE_CODE)


@functools.lru_cache(maxsize=16)
def _messages(language: str) -> dict[str, str]:
    return {
        "ok": _("Passed."),
        "malformed": _("This is not a credential: the JSON is malformed or incomplete."),
        "no_proof": _("The credential carries no proof."),
        "wrong_issuer": _("The credential was issued by someone else."),
        "unknown_key": _("The signing key is not one of this zone's keys."),
        "signature": _(
            "The signature does not match: the credential was changed or signed with another key."
        ),
        "proof_value": _("The proof value is malformed."),
        "cryptosuite": _("The proof uses an unsupported cryptosuite."),
        "created": _("The proof's creation date is malformed."),
        "context_mismatch": _("The proof's context does not match the credential."),
        "not_canonicalizable": _("The credential cannot be canonicalised."),
        "unknown_credential": _("This zone has no record of this credential."),
        "revoked": _("The credential was revoked."),
        "status_entry": _(
            "The credential's status entry does not point to its place in this zone's status lists."
        ),
        "unchecked": _(
            "Revocation was not checked: offline, give the status list file with --status-list."
        ),
        "status_list_other": _(
            "The status list file is not the list this credential points to, or not this issuer's."
        ),
        "status_list_signature": _("The status list file's signature does not verify."),
        "status_list_malformed": _("The status list file is malformed."),
        "not_logged": _("The credential is not in the log, or the logged copy differs."),
        "badge_mismatch": _(
            "This Open Badges credential does not restate the logged credential it names."
        ),
        "no_source": _(
            "An Open Badges credential is checked against the log through the credential it "
            "restates: give that credential's downloaded file with --source."
        ),
        "pending": _("Logged; not yet covered by a published checkpoint."),
        "inclusion": _("The inclusion proof does not lead to the checkpoint's root."),
        "other_log": _("The proof comes from another log."),
        "bigger_tree": _("The proof is for a bigger tree than the checkpoint."),
        "checkpoint": _("The checkpoint's signature does not verify."),
        "no_checkpoint": _("No checkpoint was given, so log inclusion was not checked."),
        "skipped": _("Not checked because an earlier check failed."),
        "key_unverified": _(
            "The issuer's key was not checked against a trusted source, so the signature proves "
            "nothing about who issued the credential: give the issuer's DID document (--did), a "
            "pinned key file (--key), or configure the deployment's trust store "
            "(PROOFS_TRUST_STORE)."
        ),
        **rule_messages(),
    }


PASSING = {"ok", "pending", "unchecked"}
# Codes that say the check was not carried out (the output says "not performed").
NOT_PERFORMED = {"unchecked", "skipped", "no_checkpoint", "no_source", "key_unverified"}


def _check(name: str, code: str, reason: str = "", *, texts: dict[str, str] | None = None) -> Check:
    message = (texts if texts is not None else messages()).get(code, code)
    if code == "revoked" and reason:
        message = _("The credential was revoked. Reason: %(reason)s") % {"reason": reason}
    return Check(name, code in PASSING, code, message)


def checker() -> Callable[..., Check]:
    """``_check`` with the active language's messages looked up once (a verification makes
    five or more checks, and looking up the language each time was measurable)."""
    return functools.partial(_check, texts=messages())


def data_model_checks(document: dict[str, Any], check: Callable[..., Check]) -> list[Check]:
    """One check per broken VC Data Model 2.0 rule (services/datamodel.py), or one passing
    check when none is broken."""
    return [check("data_model", code) for code in broken_rules(document)] or [
        check("data_model", "ok")
    ]


def key_from_method(method: object) -> bytes | None:
    if not isinstance(method, str) or "#" not in method:
        return None
    try:
        return ed25519.multikey_decode_public(method.split("#", 1)[1])
    except ValueError:
        return None


def parse(raw: str | bytes) -> Any:
    """A pasted or uploaded credential, or None (reported as a failed ``format`` check):
    within the depth and size limits of core/jsonsafe.py, so no later step recurses deep."""
    try:
        return loads_limited(raw, max_bytes=settings.DATA_UPLOAD_MAX_MEMORY_SIZE)
    except (ValueError, JSONRefused):
        return None


def issuer_of(document: dict[str, Any]) -> object:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def unbundle(value: Any) -> tuple[Any, dict[str, Any]]:
    """(credential, log info) of a downloaded bundle {credential, log}, or (value, {})."""
    if isinstance(value, dict) and "credential" in value and "proof" not in value:
        log = value.get("log")
        return value["credential"], log if isinstance(log, dict) else {}
    return value, {}


def _public_id(cid: object) -> uuid.UUID | None:
    if not isinstance(cid, str) or not cid.startswith("urn:uuid:"):
        return None
    try:
        return uuid.UUID(cid[9:])
    except ValueError:
        return None


def work_of(document: object) -> dict[str, Any] | None:
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    work = subject.get("work") if isinstance(subject, dict) else None
    return work if isinstance(work, dict) else None


@dataclass
class _Logged:
    """What verification needs of a stored credential, read as plain values (building model
    instances for a batch cost more than the database's work). The stored document is read
    only when needed: for a badge, or a presented copy that differs from the logged one."""

    pk: int
    status_list: int
    status_index: int
    revoked_at: datetime | None
    revoked_reason: str
    log_index: int | None
    leaf_hash: bytes | None
    revocation_index: int | None

    @functools.cached_property
    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = Credential.objects.values_list("document", flat=True).get(
            pk=self.pk
        )
        return document


@dataclass
class _Zone:
    """What verifying against this zone reads from the database, once per batch."""

    issuer: str
    keys: set[str]
    credentials: dict[uuid.UUID, _Logged]
    checkpoint: Checkpoint | None
    nodes: merkle.NodeReader
    plans: dict[int, merkle.Plan]
    """Inclusion plans by log index, against ``checkpoint``."""
    check: Callable[..., Check]


def verify(document: Any) -> Verification:
    """Verify a credential (or its Open Badges 3.0 shape, or a downloaded bundle) against
    this zone: issuer key, signature, status (read from the status list the credential
    names) and log inclusion."""
    return verify_many([document])[0]


def _named_credentials(documents: list[Any]) -> dict[uuid.UUID, _Logged]:
    """The stored credentials the documents name (one query per SOURCE_CHUNK)."""
    wanted: set[uuid.UUID] = set()
    for document in documents:
        if isinstance(document, dict):
            named = (
                badges.restated_credential_id(document)
                if badges.is_openbadge(document)
                else document.get("id")
            )
            public_id = _public_id(named)
            if public_id is not None:
                wanted.add(public_id)
    found: dict[uuid.UUID, _Logged] = {}
    ids = sorted(wanted)
    # The log entry is read by correlated subqueries, one index lookup per credential: as a
    # join, PostgreSQL hashed the whole entry table for a batch (benchmarks/proofs).
    entry = LogEntry.objects.filter(credential=OuterRef("pk"))
    revocation = RevocationEntry.objects.filter(credential=OuterRef("pk"))
    for start in range(0, len(ids), SOURCE_CHUNK):
        rows = Credential.objects.filter(public_id__in=ids[start : start + SOURCE_CHUNK])
        rows = rows.annotate(
            log_index=Subquery(entry.values("index")[:1]),
            leaf=Subquery(entry.values("leaf_hash")[:1]),
            revocation_index=Subquery(revocation.values("index")[:1]),
        )
        for public_id, pk, number, index, revoked_at, reason, *log in rows.values_list(
            "public_id",
            "pk",
            "status_list",
            "status_index",
            "revoked_at",
            "revoked_reason",
            "log_index",
            "leaf",
            "revocation_index",
        ):
            log_index, leaf, revocation_index = log
            found[public_id] = _Logged(
                pk,
                number,
                index,
                revoked_at,
                reason,
                log_index,
                bytes(leaf) if leaf is not None else None,
                revocation_index,
            )
    return found


def verify_many(documents: list[Any]) -> list[Verification]:
    """Verify many credentials with a fixed number of queries: the zone's keys, the
    credentials named, the latest checkpoint, and the log nodes of every inclusion proof."""
    unbundled = [unbundle(d)[0] for d in documents]
    credentials = _named_credentials(unbundled)
    cp = latest_checkpoint()
    nodes: set[merkle.NodeId] = set()
    plans: dict[int, merkle.Plan] = {}
    if cp is not None:
        for credential in credentials.values():
            index = credential.log_index
            if index is not None and index < cp.size:
                plans[index] = merkle.inclusion_plan(index, cp.size)
                nodes.update(node for element in plans[index] for node in element)
    zone = _Zone(
        issuer=issuer_did(),
        keys=set(IssuerKey.objects.values_list("public_multikey", flat=True)),
        credentials=credentials,
        checkpoint=cp,
        nodes=fetch_nodes(nodes),
        plans=plans,
        check=checker(),
    )
    return [_verify_one(document, zone) for document in unbundled]


def _verify_one(document: Any, zone: _Zone) -> Verification:
    check = zone.check
    if not isinstance(document, dict) or not isinstance(document.get("proof"), dict):
        code = "no_proof" if isinstance(document, dict) else "malformed"
        return Verification(False, [check("format", code)])
    shape = "openbadge" if badges.is_openbadge(document) else "vc"
    checks = [check("format", "ok")]
    method = document["proof"].get("verificationMethod")
    key_bytes = key_from_method(method)
    if issuer_of(document) != zone.issuer or not str(method).startswith(zone.issuer + "#"):
        checks.append(check("issuer_key", "wrong_issuer"))
    elif key_bytes is None or str(method).split("#", 1)[1] not in zone.keys:
        checks.append(check("issuer_key", "unknown_key"))
    else:
        checks.append(check("issuer_key", "ok"))
    canonical = None
    if key_bytes is None:
        checks.append(check("signature", "skipped"))
    else:
        result = dataintegrity.verify_proof(document, key_bytes)
        checks.append(check("signature", result.reason if not result.verified else "ok"))
        canonical = result.canonical
    named = badges.restated_credential_id(document) if shape == "openbadge" else document.get("id")
    public_id = _public_id(named)
    credential = zone.credentials.get(public_id) if public_id is not None else None
    reason, revocation_index = "", None
    if credential is None:
        checks.append(check("status", "unknown_credential"))
        checks.append(check("log", "skipped"))
        work = work_of(document)
    else:
        position = status_position(document.get("credentialStatus"))
        if position != (credential.status_list, credential.status_index):
            checks.append(check("status", "status_entry"))
        elif credential.revoked_at is not None:  # the bit at (list, index) is this row's
            reason = credential.revoked_reason
            revocation_index = credential.revocation_index
            checks.append(check("status", "revoked", reason))
        else:
            checks.append(check("status", "ok"))
        if shape == "openbadge" and not same_badge(document, credential.document):
            checks.append(check("log", "badge_mismatch"))
        elif shape == "openbadge":
            checks.append(check("log", _log_code(credential, credential.document, zone)))
        else:
            checks.append(check("log", _log_code(credential, document, zone, canonical)))
        same = shape == "vc" and checks[-1].code in {"ok", "pending"}  # hash = logged copy's
        work = work_of(document if same else credential.document)
    checks.extend(data_model_checks(document, check))
    valid = all(c.ok for c in checks)
    return Verification(valid, checks, document, reason, work, shape, revocation_index)


def _log_code(
    credential: _Logged, document: dict[str, Any], zone: _Zone, canonical: bytes | None = None
) -> str:
    """The log check of a stored credential; ``canonical`` is the document's JCS when the
    signature check already computed it."""
    try:
        lh = merkle.hash_leaf(canonical) if canonical is not None else leaf_hash(document)
    except JCSError:
        return "not_logged"
    if credential.log_index is None or credential.leaf_hash != lh:
        return "not_logged"
    cp = zone.checkpoint
    if cp is None or cp.size <= credential.log_index:
        return "pending"
    # A published checkpoint is never bigger than the log; the nodes were read for the batch.
    index = credential.log_index
    plan = zone.plans.get(index) or merkle.inclusion_plan(index, cp.size)
    proof = merkle.proof_from_plan(plan, zone.nodes)
    ok = merkle.verify_inclusion(lh, index, cp.size, proof, bytes(cp.root))
    return "ok" if ok else "inclusion"
