"""Offline verification: signature, status and log inclusion with no database and no
network (``nomadcloud proofs verify``)."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nomadcloud.proofs import badges, statuslist
from nomadcloud.proofs.core import dataintegrity, ed25519, merkle, note
from nomadcloud.proofs.core.jcs import JCSError
from nomadcloud.proofs.services.log import leaf_hash
from nomadcloud.proofs.services.openbadges import same_badge
from nomadcloud.proofs.services.verification import (
    Verification,
    checker,
    data_model_checks,
    issuer_of,
    key_from_method,
    unbundle,
    work_of,
)


def did_keys(did_doc: Any) -> set[bytes] | None:
    """The public keys of a saved DID document (``/.well-known/did.json``), or None when it
    is not one."""
    if not isinstance(did_doc, dict) or not isinstance(did_doc.get("verificationMethod"), list):
        return None
    keys: set[bytes] = set()
    for method in did_doc["verificationMethod"]:
        value = method.get("publicKeyMultibase") if isinstance(method, dict) else None
        try:
            keys.add(ed25519.multikey_decode_public(str(value)))
        except ValueError:
            continue
    return keys


def parse_pinned_keys(text: str) -> set[bytes]:
    """The keys of a pinned key file: one per line, as a Multikey (``z6Mk…``), a
    verification method (``did:web:…#z6Mk…``) or 64 hex digits; ``#`` starts a comment
    line. Unreadable lines are skipped (a file with none pins nothing)."""
    keys: set[bytes] = set()
    for raw in text.splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        candidate = line.rsplit("#", 1)[-1] if line.startswith("did:") else line
        try:
            if len(candidate) == 64 and all(c in "0123456789abcdefABCDEF" for c in candidate):
                keys.add(bytes.fromhex(candidate))
            else:
                keys.add(ed25519.multikey_decode_public(candidate))
        except ValueError:
            continue
    return keys


@dataclass
class TrustSources:
    """Where offline verification may take the issuer's key from: DID documents (each
    vouches for the keys of the DID it names), pinned keys (vouched for by whoever pinned
    them, for any issuer). Empty: the key is unverified."""

    did_documents: list[Any] = field(default_factory=list)
    pinned_keys: set[bytes] = field(default_factory=set)

    def given(self) -> bool:
        return bool(self.did_documents or self.pinned_keys)

    def keys_for(self, issuer: object) -> set[bytes]:
        keys = set(self.pinned_keys)
        for document in self.did_documents:
            if isinstance(document, dict) and document.get("id") == issuer:
                keys |= did_keys(document) or set()
        return keys


def load_trust_store(path: str | Path) -> TrustSources:
    """The trust store shipped with a deployment (setting ``PROOFS_TRUST_STORE``): a folder of
    ``*.json`` DID documents and ``*.keys`` pinned key files (or one such file). Unreadable
    entries are skipped."""
    from nomadcloud.proofs.services.verification import parse

    root = Path(path)
    files = sorted(root.iterdir()) if root.is_dir() else [root] if root.is_file() else []
    trust = TrustSources()
    for file in files:
        try:
            raw = file.read_bytes()
        except OSError:
            continue
        if file.suffix == ".json":
            document = parse(raw)
            if isinstance(document, dict):
                trust.did_documents.append(document)
        elif file.suffix in {".keys", ".key", ".txt"}:
            trust.pinned_keys |= parse_pinned_keys(raw.decode("utf-8", errors="replace"))
    return trust


def verify_offline(
    bundle_or_doc: Any,
    checkpoint_text: str | None = None,
    *,
    status_list: Any = None,
    source: Any = None,
    did: Any = None,
    trust: TrustSources | None = None,
) -> Verification:
    """Verify signature, status and log inclusion with no database and no network.

    The issuer's key must come from a trusted source: ``did`` (a saved DID document) and/or
    ``trust`` (DID documents and pinned keys given on the command line or shipped with the
    deployment). Without one the ``issuer_key`` check reports ``key_unverified`` and the
    credential is not valid, whatever its signature (anyone can sign a document naming the
    zone as issuer with their own key). The checkpoint comes from the bundle or
    ``checkpoint_text``. Revocation is checked only against ``status_list`` (a downloaded
    status list credential). An Open Badges credential is checked against the log through
    ``source``, the bundle of the credential it restates. The VC Data Model 2.0 rules are
    checked as ``data_model`` (services/datamodel.py)."""
    check = checker()
    doc, log = unbundle(bundle_or_doc)
    if not isinstance(doc, dict) or not isinstance(doc.get("proof"), dict):
        return Verification(
            False, [check("format", "no_proof" if isinstance(doc, dict) else "malformed")]
        )
    checks = [check("format", "ok")]
    sources = TrustSources(list(trust.did_documents), set(trust.pinned_keys)) if trust else None
    if did is not None:
        sources = sources or TrustSources()
        # A document without an id (or a malformed file) still counts as a source given: its
        # keys vouch for nothing, so the key is "unknown", not "unverified".
        sources.did_documents.append(
            did if not isinstance(did, dict) or "id" in did else {**did, "id": issuer_of(doc)}
        )
    trusted = sources.keys_for(issuer_of(doc)) if sources is not None else None
    key_bytes = key_from_method(doc["proof"].get("verificationMethod"))
    if trusted is None:
        checks.append(check("issuer_key", "key_unverified"))
    else:
        checks.append(
            check(
                "issuer_key",
                "ok" if key_bytes is not None and key_bytes in trusted else "unknown_key",
            )
        )
    if key_bytes is None:
        checks.append(check("signature", "unknown_key"))
        return Verification(False, checks, doc)
    result = dataintegrity.verify_proof(doc, key_bytes)
    checks.append(check("signature", "ok" if result.verified else result.reason))
    reason = ""
    if status_list is None:
        checks.append(check("status", "unchecked"))
    else:
        code, reason = _offline_status(doc, status_list, trusted)
        checks.append(check("status", code, reason))
    shape = "openbadge" if badges.is_openbadge(doc) else "vc"
    logged, work, log_code = doc, work_of(doc), ""
    if shape == "openbadge":
        logged, log = unbundle(source)
        work = work_of(logged)
        if source is None:
            log_code = "no_source"
        elif not _restates(doc, logged, trusted):
            log_code = "badge_mismatch"
    if not log_code:
        keys = {key_bytes} if trusted is None else set(trusted)
        named = log.get("checkpointKey")
        extra = key_from_method(named)
        if trusted is None and extra is not None and str(named).startswith(f"{issuer_of(doc)}#"):
            keys.add(extra)  # the key that signed the checkpoint, after a rotation
        log_code = _offline_log(logged, log, checkpoint_text, keys)
    checks.append(check("log", log_code))
    checks.extend(data_model_checks(doc, check))
    return Verification(all(c.ok for c in checks), checks, doc, reason, work, shape)


def _restates(badge: dict[str, Any], main: Any, trusted: set[bytes] | None) -> bool:
    """Whether ``main`` is a validly signed credential that ``badge`` restates exactly."""
    if not _proved(main):
        return False
    key = key_from_method(main["proof"].get("verificationMethod"))
    return (
        key is not None
        and (trusted is None or key in trusted)
        and dataintegrity.verify_proof(main, key).verified
        and same_badge(badge, main)
    )


def _proved(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("proof"), dict)


def _offline_status(
    doc: dict[str, Any], status_list: Any, trusted: set[bytes] | None
) -> tuple[str, str]:
    """(code, reason) of the credential's entry in a downloaded status list credential."""
    entry = doc.get("credentialStatus")
    if not isinstance(entry, dict) or not _proved(status_list):
        return ("status_list_malformed", "")
    url, raw_index = entry.get("statusListCredential"), entry.get("statusListIndex")
    types = status_list.get("type")
    subject = status_list.get("credentialSubject")
    if (
        not isinstance(types, list)
        or "BitstringStatusListCredential" not in types
        or not isinstance(subject, dict)
        or not isinstance(raw_index, str)
        or not raw_index.isdecimal()
    ):
        return ("status_list_malformed", "")
    issuer = issuer_of(doc)
    method = status_list["proof"].get("verificationMethod")
    if (
        status_list.get("id") != url
        or status_list.get("issuer") != issuer
        or not str(method).startswith(f"{issuer}#")
        or subject.get("statusPurpose") != "revocation"
    ):
        return ("status_list_other", "")
    key = key_from_method(method)
    if (
        key is None
        or (trusted is not None and key not in trusted)
        or not dataintegrity.verify_proof(status_list, key).verified
    ):
        return ("status_list_signature", "")
    try:
        revoked = statuslist.is_set(statuslist.decode(subject.get("encodedList")), int(raw_index))
    except statuslist.StatusListError:
        return ("status_list_malformed", "")
    if not revoked:
        return ("ok", "")
    reasons = subject.get("revocationReasons")
    reason = reasons.get(raw_index) if isinstance(reasons, dict) else None
    return ("revoked", reason if isinstance(reason, str) else "")


def _offline_log(
    doc: dict[str, Any], log: dict[str, Any], checkpoint_text: str | None, keys: set[bytes]
) -> str:
    text = checkpoint_text if checkpoint_text is not None else log.get("checkpoint")
    if not isinstance(text, str):
        return "no_checkpoint"
    origin = text.split("\n", 1)[0]
    try:
        verifiers = [note.Verifier(origin, note.key_id(origin, k), k) for k in keys]
        opened = note.open_note(text, verifiers)
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
    except (KeyError, TypeError, ValueError, JCSError, binascii.Error):
        return "not_logged"
    if size > cp.size:
        return "bigger_tree"
    if size != cp.size:
        return "inclusion"
    return "ok" if merkle.verify_inclusion(lh, index, size, proof, cp.root_hash) else "inclusion"
