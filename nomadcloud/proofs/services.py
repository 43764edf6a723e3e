"""Issuing, logging, verifying and revoking proof-of-work credentials.

- ``issue_credential`` builds a W3C VC 2.0 document secured with an ``eddsa-jcs-2022``
  Data Integrity proof and appends SHA-256(0x00 ‖ JCS(credential)) to the transparency log
  in the same transaction. Appends are serialised by locking the single ``LogHead`` row.
- ``publish_checkpoint`` signs the current tree head as a C2SP tlog-checkpoint note.
- ``inclusion_proof`` / ``consistency_proof`` read O(log n) stored nodes in one query.
- ``verify`` reports each check (signature, issuer key, status, log inclusion) with a code.
- ``revoke`` is for the zone operator only and is audited.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator, require_authenticated, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, crypto
from nomadcloud.core.errors import Conflict, Forbidden, NotFound, invalid_field
from nomadcloud.proofs.core import dataintegrity, ed25519, merkle, note
from nomadcloud.proofs.core.jcs import JCSError, canonicalize
from nomadcloud.proofs.models import Checkpoint, Credential, IssuerKey, LogEntry, LogHead, LogNode

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
STATUS_LIST_BITS = 131072  # 16 KiB, the minimum the Bitstring Status List spec recommends


# --- identity ---------------------------------------------------------------------------------
def domain() -> str:
    """The host (and port) of the configured site, as used in did:web."""
    return urlsplit(settings.SITE_URL).netloc or "localhost"


def issuer_did() -> str:
    return "did:web:" + domain().replace(":", "%3A")


def log_origin() -> str:
    """The checkpoint origin line (and note key name) of this zone's log."""
    return f"{domain()}/proofs/log"


def subject_id(user: User) -> str:
    """A stable pseudonymous subject id: an HMAC of the person's public id under a key derived
    from SECRET_KEY. It reveals nothing about the person and is the same for all of theirs."""
    key = hashlib.sha256(b"nomadcloud-proofs-subject:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, str(user.public_id).encode(), hashlib.sha256).hexdigest()
    return f"urn:nomadcloud:subject:{digest[:32]}"


def verification_method(key: IssuerKey) -> str:
    return f"{issuer_did()}#{key.public_multikey}"


def _seed(key: IssuerKey) -> bytes:
    return ed25519.multikey_decode_private(crypto.decrypt_text(key.private_key_encrypted))


def current_key() -> IssuerKey:
    key = IssuerKey.objects.filter(retired_at__isnull=True).order_by("-id").first()
    return key if key is not None else rotate_key()


@transaction.atomic
def rotate_key() -> IssuerKey:
    """Create a new signing key and retire the previous ones (kept for verification)."""
    now = timezone.now()
    IssuerKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
    seed = ed25519.generate_seed()
    public = ed25519.multikey_encode_public(ed25519.public_key_from_seed(seed))
    return IssuerKey.objects.create(
        key_id=f"key-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}",
        private_key_encrypted=crypto.encrypt_text(ed25519.multikey_encode_private(seed)),
        public_multikey=public,
    )


def did_document() -> dict[str, Any]:
    did = issuer_did()
    keys = list(IssuerKey.objects.order_by("id"))
    methods = [
        {
            "id": f"{did}#{k.public_multikey}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": k.public_multikey,
        }
        for k in keys
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods if not _retired(keys, m["id"])],
    }


def _retired(keys: list[IssuerKey], method: str) -> bool:
    return any(k.retired_at is not None and method.endswith("#" + k.public_multikey) for k in keys)


# --- issuing ----------------------------------------------------------------------------------
@dataclass
class Claims:
    """What one verified contribution claims. ``skills`` are (code, label_zh, label_en)."""

    kind: str
    source: str
    title_zh: str
    title_en: str
    enterprise_id: str
    enterprise_zh: str
    enterprise_en: str
    period_start: datetime
    period_end: datetime
    work_units: Decimal
    items: int | None = None
    hours: Decimal | None = None
    accuracy: float | None = None
    rating: float | None = None
    skills: list[tuple[str, str, str]] = field(default_factory=list)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_list_url() -> str:
    return f"{settings.SITE_URL}/proofs/status/1"


def _document(
    claims: Claims, subject: str, public_id: uuid.UUID, status_index: int
) -> dict[str, Any]:
    work: dict[str, Any] = {
        "type": "WorkContribution",
        "kind": claims.kind,
        "name": {"zh": claims.title_zh, "en": claims.title_en},
        "enterprise": {
            "id": f"urn:uuid:{claims.enterprise_id}",
            "name": {"zh": claims.enterprise_zh, "en": claims.enterprise_en},
        },
        "period": {"start": _iso(claims.period_start), "end": _iso(claims.period_end)},
        "quantity": {},
        "quality": {},
        "skills": [{"id": c, "label": {"zh": zh, "en": en}} for c, zh, en in claims.skills],
        "workUnits": str(claims.work_units),
    }
    if claims.items is not None:
        work["quantity"]["items"] = claims.items
    if claims.hours is not None:
        work["quantity"]["hours"] = str(claims.hours)
    if claims.accuracy is not None:
        work["quality"]["accuracy"] = round(claims.accuracy, 4)
    if claims.rating is not None:
        work["quality"]["rating"] = round(claims.rating, 2)
    return {
        "@context": [VC_CONTEXT],
        "id": f"urn:uuid:{public_id}",
        "type": ["VerifiableCredential", "ProofOfWorkCredential"],
        "issuer": issuer_did(),
        "validFrom": _iso(timezone.now()),
        "credentialSubject": {"id": subject, "work": work},
        "credentialStatus": {
            "id": f"{status_list_url()}#{status_index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(status_index),
            "statusListCredential": status_list_url(),
        },
    }


def leaf_hash(document: dict[str, Any]) -> bytes:
    return merkle.hash_leaf(canonicalize(document))


def _reader(level: int, index: int) -> bytes:
    return bytes(LogNode.objects.get(level=level, index=index).hash)


def _lock_head() -> LogHead:
    head, _created = LogHead.objects.get_or_create(pk=1)
    return LogHead.objects.select_for_update().get(pk=head.pk)


@transaction.atomic
def issue_credentials(user: User, claims_list: list[Claims]) -> list[Credential]:
    """Issue one credential per claims (skipping sources already issued) and append them all
    to the log under one lock of the log head."""
    key = current_key()
    seed = _seed(key)
    method = verification_method(key)
    head = _lock_head()
    compact = merkle.CompactRange.from_nodes(head.size, _reader)
    subject = subject_id(user)
    created: list[Credential] = []
    nodes: list[LogNode] = []
    entries: list[LogEntry] = []
    last_status = (
        Credential.objects.order_by("-status_index").values_list("status_index", flat=True).first()
    )
    next_status = 0 if last_status is None else last_status + 1
    for claims in claims_list:
        if Credential.objects.filter(kind=claims.kind, source=claims.source).exists():
            continue
        public_id = uuid.uuid4()
        if next_status >= STATUS_LIST_BITS:
            raise Conflict(_("The status list is full."), code="status_list_full")
        unsigned = _document(claims, subject, public_id, next_status)
        secured = dataintegrity.add_proof(
            unsigned, seed, verification_method=method, created=unsigned["validFrom"]
        )
        credential = Credential.objects.create(
            public_id=public_id,
            user=user,
            subject=subject,
            kind=claims.kind,
            source=claims.source,
            document=secured,
            status_index=next_status,
        )
        next_status += 1
        lh = leaf_hash(secured)
        entries.append(LogEntry(index=compact.size, leaf_hash=lh, credential=credential))
        nodes.extend(LogNode(level=n.level, index=n.index, hash=h) for n, h in compact.append(lh))
        created.append(credential)
    LogEntry.objects.bulk_create(entries)
    LogNode.objects.bulk_create(nodes)
    head.size = compact.size
    head.save(update_fields=["size"])
    return created


def issue_credential(user: User, claims: Claims) -> Credential | None:
    issued = issue_credentials(user, [claims])
    return issued[0] if issued else None


def _skill_labels(codes: list[tuple[str, int]]) -> list[tuple[str, str, str]]:
    from nomadcloud.taxonomy.models import Concept

    labels = {
        c.code: (c.label_zh, c.label_en)
        for c in Concept.objects.filter(code__in=[code for code, _lvl in codes])
    }
    return [(code, *labels.get(code, (code, code))) for code, _lvl in codes]


def issue_for_batch(batch: Any) -> list[Credential]:
    """Credentials for every worker's accepted work on an accepted data batch."""
    from nomadcloud.datatasks.services import accepted_work

    issued: list[Credential] = []
    for work in accepted_work(batch):
        org = batch.organisation
        claims = Claims(
            kind=Credential.Kind.DATA,
            source=f"{batch.public_id}:{work.user.public_id}",
            title_zh=getattr(batch, "title_zh", "") or str(batch),
            title_en=getattr(batch, "title_en", "") or str(batch),
            enterprise_id=str(org.public_id),
            enterprise_zh=org.name_zh,
            enterprise_en=org.name_en,
            period_start=batch.opened_at or batch.created_at,
            period_end=work.accepted_at,
            work_units=work.amount,
            items=work.items_accepted,
            accuracy=work.accuracy,
            skills=_skill_labels(work.skills),
        )
        issued.extend(issue_credentials(work.user, [claims]))
    return issued


# --- checkpoints and proofs -------------------------------------------------------------------
def _signer(key: IssuerKey) -> note.Signer:
    return note.Signer.from_seed(log_origin(), _seed(key))


def checkpoint_verifier() -> note.Verifier:
    return _signer(current_key()).verifier()


def log_size() -> int:
    head = LogHead.objects.filter(pk=1).first()
    return head.size if head is not None else 0


def _root(size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.root_from_nodes(size, _fetch(merkle.nodes_for_range(0, size)))


def _fetch(ids: Any) -> merkle.NodeReader:
    wanted = {(n.level, n.index) for n in ids}
    rows: dict[tuple[int, int], bytes] = {}
    if wanted:
        from django.db.models import Q

        query = Q()
        for level, index in wanted:
            query |= Q(level=level, index=index)
        for row in LogNode.objects.filter(query).only("level", "index", "hash"):
            rows[(row.level, row.index)] = bytes(row.hash)

    def read(level: int, index: int) -> bytes:
        return rows[(level, index)]

    return read


@transaction.atomic
def publish_checkpoint() -> Checkpoint:
    """Sign the current tree head (a new checkpoint only when the log has grown)."""
    head = _lock_head()
    latest = Checkpoint.objects.order_by("-size", "-id").first()
    if latest is not None and latest.size == head.size:
        return latest
    root = _root(head.size)
    text = note.format_checkpoint(note.Checkpoint(log_origin(), head.size, root, ()))
    signed = note.sign_note(text, [_signer(current_key())])
    return Checkpoint.objects.create(size=head.size, root=root, note=signed)


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size", "-id").first()


def inclusion_proof(index: int, size: int) -> list[bytes]:
    if not 0 <= index < size <= log_size():
        raise invalid_field(
            "index", _("The index must be below the tree size."), code="out_of_range"
        )
    plan = merkle.inclusion_plan(index, size)
    return merkle.proof_from_plan(plan, _fetch(merkle.plan_node_ids(plan)))


def consistency_proof(first: int, second: int) -> list[bytes]:
    if not 0 < first <= second <= log_size():
        raise invalid_field(
            "first", _("The sizes must satisfy 0 < first ≤ second ≤ log size."), code="out_of_range"
        )
    plan = merkle.consistency_plan(first, second)
    return merkle.proof_from_plan(plan, _fetch(merkle.plan_node_ids(plan)))


def bundle(credential: Credential) -> dict[str, Any]:
    """The credential with what an offline verifier needs: its log index, an inclusion proof
    to the latest checkpoint covering it, and that signed checkpoint."""
    entry = credential.log_entry
    cp = latest_checkpoint()
    log: dict[str, Any] = {"origin": log_origin(), "index": entry.index}
    if cp is not None and cp.size > entry.index:
        log["treeSize"] = cp.size
        log["inclusionProof"] = [
            base64.b64encode(h).decode() for h in inclusion_proof(entry.index, cp.size)
        ]
        log["checkpoint"] = cp.note
    return {"credential": credential.document, "log": log}


# --- status list ------------------------------------------------------------------------------
def status_list_credential() -> dict[str, Any]:
    bits = bytearray(STATUS_LIST_BITS // 8)
    for index in Credential.objects.filter(revoked_at__isnull=False).values_list(
        "status_index", flat=True
    ):
        bits[index // 8] |= 0x80 >> (index % 8)
    encoded = "u" + base64.urlsafe_b64encode(gzip.compress(bytes(bits), mtime=0)).decode().rstrip(
        "="
    )
    key = current_key()
    doc: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": status_list_url(),
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": _iso(timezone.now()),
        "credentialSubject": {
            "id": f"{status_list_url()}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": encoded,
        },
    }
    return dataintegrity.add_proof(
        doc, _seed(key), verification_method=verification_method(key), created=doc["validFrom"]
    )


# --- verification -----------------------------------------------------------------------------
@dataclass
class Check:
    name: str
    ok: bool
    code: str
    message: str


@dataclass
class Verification:
    valid: bool
    checks: list[Check]
    document: dict[str, Any] | None = None
    revoked_reason: str = ""


def check_names() -> dict[str, str]:
    return {
        "format": _("Format"),
        "issuer_key": _("Issuer key"),
        "signature": _("Signature"),
        "status": _("Status"),
        "log": _("Log inclusion"),
    }


def messages() -> dict[str, str]:
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
        "not_logged": _("The credential is not in the log, or the logged copy differs."),
        "pending": _("Logged; not yet covered by a published checkpoint."),
        "inclusion": _("The inclusion proof does not lead to the checkpoint's root."),
        "other_log": _("The proof comes from another log."),
        "bigger_tree": _("The proof is for a bigger tree than the checkpoint."),
        "checkpoint": _("The checkpoint's signature does not verify."),
        "no_checkpoint": _("No checkpoint was given, so log inclusion was not checked."),
        "skipped": _("Not checked because an earlier check failed."),
    }


def _check(name: str, code: str) -> Check:
    return Check(name, code in {"ok", "pending"}, code, messages().get(code, code))


def key_from_method(method: object) -> bytes | None:
    if not isinstance(method, str) or "#" not in method:
        return None
    try:
        return ed25519.multikey_decode_public(method.split("#", 1)[1])
    except ValueError:
        return None


def parse(raw: str | bytes) -> Any:
    import json

    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def verify(document: Any) -> Verification:
    """Verify a credential against this zone: issuer key, signature, status and log."""
    if isinstance(document, dict) and "credential" in document and "proof" not in document:
        document = document["credential"]  # a downloaded bundle
    if not isinstance(document, dict) or not isinstance(document.get("proof"), dict):
        code = "no_proof" if isinstance(document, dict) else "malformed"
        return Verification(False, [_check("format", code)])
    checks = [_check("format", "ok")]
    proof = document["proof"]
    method = proof.get("verificationMethod")
    key_bytes = key_from_method(method)
    if document.get("issuer") != issuer_did() or not str(method).startswith(issuer_did() + "#"):
        checks.append(_check("issuer_key", "wrong_issuer"))
    elif (
        key_bytes is None
        or not IssuerKey.objects.filter(public_multikey=str(method).split("#", 1)[1]).exists()
    ):
        checks.append(_check("issuer_key", "unknown_key"))
    else:
        checks.append(_check("issuer_key", "ok"))
    if key_bytes is None:
        checks.append(_check("signature", "skipped"))
    else:
        result = dataintegrity.verify_proof(document, key_bytes)
        checks.append(_check("signature", result.reason if not result.verified else "ok"))
    credential = None
    cid = document.get("id")
    if isinstance(cid, str) and cid.startswith("urn:uuid:"):
        try:
            credential = (
                Credential.objects.filter(public_id=uuid.UUID(cid[9:]))
                .select_related("log_entry")
                .first()
            )
        except ValueError:
            credential = None
    reason = ""
    if credential is None:
        checks.append(_check("status", "unknown_credential"))
        checks.append(_check("log", "skipped"))
    else:
        if credential.revoked_at is not None:
            reason = credential.revoked_reason
            checks.append(_check("status", "revoked"))
        else:
            checks.append(_check("status", "ok"))
        checks.append(_check("log", _log_code(credential, document)))
    valid = all(c.ok for c in checks)
    return Verification(valid, checks, document, reason)


def _log_code(credential: Credential, document: dict[str, Any]) -> str:
    try:
        lh = leaf_hash(document)
    except JCSError:
        return "not_logged"
    entry = credential.log_entry
    if bytes(entry.leaf_hash) != lh:
        return "not_logged"
    cp = latest_checkpoint()
    if cp is None or cp.size <= entry.index:
        return "pending"
    proof = inclusion_proof(entry.index, cp.size)
    ok = merkle.verify_inclusion(lh, entry.index, cp.size, proof, bytes(cp.root))
    return "ok" if ok else "inclusion"


def verify_offline(bundle_or_doc: Any, checkpoint_text: str | None = None) -> Verification:
    """Verify signature and log inclusion with no database: the key comes from the proof's
    verificationMethod (did:web…#<multikey>), the checkpoint from the bundle or a file."""
    doc = (
        bundle_or_doc.get("credential")
        if isinstance(bundle_or_doc, dict) and "credential" in bundle_or_doc
        else bundle_or_doc
    )
    log: Any = (
        bundle_or_doc.get("log")
        if isinstance(bundle_or_doc, dict) and isinstance(bundle_or_doc.get("log"), dict)
        else {}
    )
    if not isinstance(doc, dict) or not isinstance(doc.get("proof"), dict):
        return Verification(
            False, [_check("format", "no_proof" if isinstance(doc, dict) else "malformed")]
        )
    checks = [_check("format", "ok")]
    key_bytes = key_from_method(doc["proof"].get("verificationMethod"))
    if key_bytes is None:
        checks.append(_check("signature", "unknown_key"))
        return Verification(False, checks, doc)
    result = dataintegrity.verify_proof(doc, key_bytes)
    checks.append(_check("signature", "ok" if result.verified else result.reason))
    checks.append(_check("log", _offline_log(doc, log, checkpoint_text, key_bytes)))
    return Verification(all(c.ok for c in checks), checks, doc)


def _offline_log(
    doc: dict[str, Any], log: dict[str, Any], checkpoint_text: str | None, key: bytes
) -> str:
    text = checkpoint_text if checkpoint_text is not None else log.get("checkpoint")
    if not isinstance(text, str):
        return "no_checkpoint"
    origin = text.split("\n", 1)[0]
    try:
        verifier = note.Verifier(origin, note.key_id(origin, key), key)
        opened = note.open_note(text, [verifier])
        cp = note.parse_checkpoint(opened.text)
    except (note.NoteError, ValueError):
        return "checkpoint"
    if log.get("origin") not in (None, cp.origin):
        return "other_log"
    try:
        index = int(log["index"])
        size = int(log["treeSize"])
        proof = [base64.b64decode(h, validate=True) for h in log["inclusionProof"]]
        lh = leaf_hash(doc)
    except (KeyError, TypeError, ValueError, JCSError):
        return "not_logged"
    if size > cp.size:
        return "bigger_tree"
    if size != cp.size:
        return "inclusion"
    return "ok" if merkle.verify_inclusion(lh, index, size, proof, cp.root_hash) else "inclusion"


# --- revocation -------------------------------------------------------------------------------
@transaction.atomic
def revoke(*, principal: Principal, credential: Credential, reason: str) -> Credential:
    require_authenticated(principal)
    if principal.key_organisation is not None or not is_zone_operator(principal.user):
        raise Forbidden(_("Only the zone operator may revoke credentials."))
    require_write(principal)
    reason = reason.strip()
    if not reason:
        raise invalid_field("reason", _("Give a reason for the revocation."))
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.revoked_at is not None:
        raise Conflict(_("The credential is already revoked."), code="already_revoked")
    locked.revoked_at = timezone.now()
    locked.revoked_by = principal.user
    locked.revoked_reason = reason[:2000]
    locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    audit.record(
        actor=principal.user,
        action="proofs.revoke",
        obj=locked,
        after={"reason": locked.revoked_reason},
        token=principal.token,
    )
    return locked


def credential_for(public_id: object) -> Credential:
    try:
        found = Credential.objects.filter(public_id=uuid.UUID(str(public_id))).first()
    except ValueError:
        found = None
    if found is None:
        raise NotFound(_("No such credential."))
    return found


def credential_for_user(user: User, public_id: object) -> Credential:
    """A person's own credential; anyone else's answers NotFound."""
    found = credential_for(public_id)
    if found.user_id != user.pk:
        raise NotFound(_("No such credential."))
    return found
