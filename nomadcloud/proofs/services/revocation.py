"""Revocation by the zone operator (audited): the status bit is set and a revocation record
is appended to the transparency log, served publicly with an inclusion proof."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, NotFound, invalid_field
from nomadcloud.proofs import events
from nomadcloud.proofs.access import require_operator
from nomadcloud.proofs.core import merkle
from nomadcloud.proofs.core.jcs import canonicalize
from nomadcloud.proofs.events import CredentialRevoked
from nomadcloud.proofs.models import Credential, RevocationEntry
from nomadcloud.proofs.queries import credential_for
from nomadcloud.proofs.services.identity import iso, issuer_did
from nomadcloud.proofs.services.log import (
    append_leaves,
    b64,
    latest_checkpoint,
    lock_head,
    proved_by,
)
from nomadcloud.proofs.services.status import status_list_url
from nomadcloud.risk.events import HeldIssuanceDecided


@transaction.atomic
def revoke(*, principal: Principal, credential: Credential, reason: str) -> Credential:
    """Revoke a credential (zone operator, with a reason, audited): its status bit is set
    from now on, and a revocation record is appended to the transparency log."""
    require_operator(principal, _("Only the zone operator may revoke credentials."))
    reason = reason.strip()
    if not reason:
        raise invalid_field("reason", _("Give a reason for the revocation."))
    head = lock_head()  # before the credential, in the order issuing takes its locks
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.revoked_at is not None:
        raise Conflict(_("The credential is already revoked."), code="already_revoked")
    revoked_at = timezone.now()
    locked.revoked_at = revoked_at
    locked.revoked_by = principal.user
    locked.revoked_reason = reason[:2000]
    locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    record = revocation_record(locked)
    leaf = merkle.hash_leaf(canonicalize(record))
    index = append_leaves(head, [leaf])
    RevocationEntry.objects.create(index=index, leaf_hash=leaf, credential=locked, record=record)
    audit.record(
        actor=principal.user,
        action="proofs.revoke",
        obj=locked,
        after={"reason": locked.revoked_reason, "log_index": index},
        token=principal.token,
    )
    events.credential_revoked.send(
        CredentialRevoked(
            credential_id=locked.public_id,
            holder_id=locked.user_id,
            actor_id=principal.user.pk if principal.user is not None else None,
            reason=locked.revoked_reason,
            revoked_at=revoked_at,
        )
    )
    return locked


def revocation_record(credential: Credential) -> dict[str, Any]:
    """What the log records of a revocation: the credential (its id, log index and leaf
    hash), its status-list bit, when and why. The leaf is this record's JCS."""
    revoked = credential.revoked_at
    if revoked is None:
        raise ValueError("the credential is not revoked")
    entry = credential.log_entry
    return {
        "type": "CredentialRevocation",
        "issuer": issuer_did(),
        "credential": f"urn:uuid:{credential.public_id}",
        "credentialLogIndex": entry.index,
        "credentialLeafHash": b64(bytes(entry.leaf_hash)),
        "statusListCredential": status_list_url(credential.status_list),
        "statusListIndex": str(credential.status_index),
        "revoked": iso(revoked),
        "reason": credential.revoked_reason,
    }


def revocation_proof(public_id: object) -> dict[str, Any]:
    """A revocation as the log holds it: the record, its leaf index and hash and, once a
    checkpoint covers it, an inclusion proof to that signed checkpoint."""
    credential = credential_for(public_id)
    entry = RevocationEntry.objects.filter(credential=credential).first()
    if entry is None:
        raise NotFound(_("This credential has not been revoked."), code="not_revoked")
    return {
        "record": entry.record,
        "index": entry.index,
        "leafHash": b64(bytes(entry.leaf_hash)),
        **proved_by(latest_checkpoint(), entry.index),
    }


def on_issuance_cancelled(cancelled: HeldIssuanceDecided) -> None:
    """``risk.events.issuance_cancelled``: the work was judged not real; the credential that
    carried the held units is revoked, by the operator who decided, with their reason."""
    credential = Credential.objects.filter(public_id=cancelled.credential_id).first()
    actor = User.objects.filter(pk=cancelled.actor_id).first()
    if credential is None or actor is None or credential.revoked_at is not None:
        return
    revoke(
        principal=Principal.for_user(actor),
        credential=credential,
        reason=_("Held work units cancelled: %(reason)s") % {"reason": cancelled.reason},
    )
