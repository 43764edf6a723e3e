"""Offline verification: signature, status and log inclusion with no database and no
network (``nomadcloud proofs verify``)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from nomadcloud.proofs import badges, statuslist
from nomadcloud.proofs.core import dataintegrity, ed25519, merkle, note
from nomadcloud.proofs.core.jcs import JCSError
from nomadcloud.proofs.services.log import leaf_hash
from nomadcloud.proofs.services.openbadges import same_badge
from nomadcloud.proofs.services.verification import (
    Verification,
    checker,
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


def verify_offline(
    bundle_or_doc: Any,
    checkpoint_text: str | None = None,
    *,
    status_list: Any = None,
    source: Any = None,
    did: Any = None,
) -> Verification:
    """Verify signature, status and log inclusion with no database and no network.

    The key comes from the proof's verificationMethod (did:web…#<multikey>); with ``did`` (a
    saved DID document) every key used must be one of its keys. The checkpoint comes from the
    bundle or ``checkpoint_text``. Revocation is checked only against ``status_list`` (a
    downloaded status list credential). An Open Badges credential is checked against the log
    through ``source``, the bundle of the credential it restates."""
    check = checker()
    doc, log = unbundle(bundle_or_doc)
    if not isinstance(doc, dict) or not isinstance(doc.get("proof"), dict):
        return Verification(
            False, [check("format", "no_proof" if isinstance(doc, dict) else "malformed")]
        )
    checks = [check("format", "ok")]
    trusted = did_keys(did) if did is not None else None
    key_bytes = key_from_method(doc["proof"].get("verificationMethod"))
    if did is not None:
        checks.append(
            check("issuer_key", "ok" if trusted and key_bytes in trusted else "unknown_key")
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
