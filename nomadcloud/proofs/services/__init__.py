"""The use cases of proofs of work, by part (callers import them from here):

- ``identity``: the zone's did:web identity, subject ids, issuer keys (``rotate_key``).
- ``status``: Bitstring Status Lists (``status_list_credential``).
- ``log``: the transparency log, checkpoints (``publish_checkpoint``), inclusion and
  consistency proofs, bundles for offline verification.
- ``issuing``: ``issue_credentials`` — claims to signed, logged credentials, in bulk.
- ``verified_work``: credentials for accepted data batches, orders and passed training,
  issued from the payloads of the events those apps send; ``backfill``.
- ``openbadges``: a credential restated as an Open Badges 3.0 credential.
- ``verification`` / ``offline``: ``verify``, ``verify_many``, ``verify_offline``.
- ``revocation``: ``revoke`` (zone operator, audited) and the logged revocation record.
- ``external_keys``: screened registration of partners' and witnesses' keys.

Reads scoped to who asks are in ``proofs/queries.py``; the chokepoints in ``proofs/access.py``.
"""

from nomadcloud.proofs.services.external_keys import (
    cosigners,
    external_keys,
    parse_public_key,
    preview_external_key,
    register_external_key,
    screening_messages,
)
from nomadcloud.proofs.services.identity import (
    current_key,
    did_document,
    domain,
    issuer_did,
    log_origin,
    rotate_key,
    subject_id,
    verification_method,
)
from nomadcloud.proofs.services.issuing import Claims, issue_credential, issue_credentials
from nomadcloud.proofs.services.log import (
    bundle,
    checkpoint_verifier,
    consistency_proof,
    inclusion_proof,
    latest_checkpoint,
    leaf_hash,
    log_size,
    publish_checkpoint,
    publish_checkpoint_as,
    verification_url,
)
from nomadcloud.proofs.services.offline import did_keys, verify_offline
from nomadcloud.proofs.services.openbadges import openbadge
from nomadcloud.proofs.services.revocation import revocation_proof, revocation_record, revoke
from nomadcloud.proofs.services.status import (
    VC_CONTEXT,
    status_list_bits,
    status_list_count,
    status_list_credential,
    status_list_number,
    status_list_url,
)
from nomadcloud.proofs.services.verification import (
    Check,
    Verification,
    check_names,
    key_from_method,
    messages,
    parse,
    verify,
    verify_many,
)
from nomadcloud.proofs.services.verified_work import backfill

__all__ = [
    "VC_CONTEXT",
    "Check",
    "Claims",
    "Verification",
    "backfill",
    "bundle",
    "check_names",
    "checkpoint_verifier",
    "consistency_proof",
    "cosigners",
    "current_key",
    "did_document",
    "did_keys",
    "domain",
    "external_keys",
    "inclusion_proof",
    "issue_credential",
    "issue_credentials",
    "issuer_did",
    "key_from_method",
    "latest_checkpoint",
    "leaf_hash",
    "log_origin",
    "log_size",
    "messages",
    "openbadge",
    "parse",
    "parse_public_key",
    "preview_external_key",
    "publish_checkpoint",
    "publish_checkpoint_as",
    "register_external_key",
    "revocation_proof",
    "revocation_record",
    "revoke",
    "rotate_key",
    "screening_messages",
    "status_list_bits",
    "status_list_count",
    "status_list_credential",
    "status_list_number",
    "status_list_url",
    "subject_id",
    "verification_method",
    "verification_url",
    "verify",
    "verify_many",
    "verify_offline",
]
