"""What matching holds about a person (core/privacy.py): the scores of their profile against
demands (with the explanations) and the invitations enterprises sent them.

Erasure deletes the scores and the profile's stamp (derived data, recomputed for nobody: an
erased person is never matched again); invitations stay as the enterprise's record, pointing
to the emptied profile.

Not exported and not erased here: the store of sentence vectors (``TextVector``, docs/
decisions/0067). Its rows are keyed by the SHA-256 digest of a text (no text, no reference to
a person) and shared by everyone with the same text; erasure empties the profile's texts,
which leaves the old row unreachable, and the daily ``prune_text_vectors`` deletes every row
no current profile or demand text needs."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.matching.models import Invitation, Match, ProfileStamp


def export(user: Any) -> dict[str, Any]:
    return {
        "matches": privacy.dump(
            Match.objects.filter(profile__user=user).select_related("demand"),
            exclude=["profile", "demand"],
            demand_public_id=lambda m: m.demand.public_id,
        ),
        "invitations_received": privacy.dump(
            Invitation.objects.filter(profile__user=user).select_related("demand"),
            exclude=["profile", "demand", "invited_by"],
            demand_public_id=lambda i: i.demand.public_id,
        ),
    }


def erase(user: Any) -> None:
    Match.objects.filter(profile__user=user).delete()
    ProfileStamp.objects.filter(profile__user=user).delete()
