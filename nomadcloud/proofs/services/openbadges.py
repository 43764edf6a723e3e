"""A credential restated as a signed Open Badges 3.0 ``OpenBadgeCredential``."""

from __future__ import annotations

from typing import Any

from nomadcloud.proofs import badges
from nomadcloud.proofs.core import dataintegrity
from nomadcloud.proofs.core.jcs import JCSError, canonicalize
from nomadcloud.proofs.models import Credential
from nomadcloud.proofs.services.identity import current_key, signing_seed, verification_method


def openbadge(credential: Credential) -> dict[str, Any]:
    """The credential as a signed Open Badges 3.0 ``OpenBadgeCredential``. Signed when asked
    for (not stored, not a log entry of its own) with the current key; ``created`` is the
    credential's issue time, so the same key gives the same bytes. It verifies like the
    credential: its status entry is the credential's, and its log check rebuilds it from the
    logged credential (``badges.openbadge``) and checks that credential's inclusion."""
    key = current_key()
    unsigned = badges.openbadge(credential.document)
    return dataintegrity.add_proof(
        unsigned,
        signing_seed(key),
        verification_method=verification_method(key),
        created=unsigned["validFrom"],
    )


def same_badge(presented: dict[str, Any], logged: dict[str, Any]) -> bool:
    """Whether a presented badge (minus its proof) is exactly the restatement of a logged
    credential."""
    try:
        expected = badges.openbadge(logged)
        bare = {k: v for k, v in presented.items() if k != "proof"}
        return canonicalize(bare) == canonicalize(expected)
    except (badges.BadgeError, JCSError):
        return False
