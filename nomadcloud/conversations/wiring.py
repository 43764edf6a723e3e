"""What conversations does when the apps below it tell it something, and the answer it gives
demands about proofs of work (docs/decisions/0012)."""

from __future__ import annotations

from collections.abc import Sequence
from uuid import UUID

from nomadcloud.accounts.models import User
from nomadcloud.conversations import services
from nomadcloud.demands.events import ApplicationShortlisted
from nomadcloud.matching.events import InvitationAnswered
from nomadcloud.proofs.models import Credential


def on_application_shortlisted(event: ApplicationShortlisted) -> None:
    services.open_for_application(event.application_id)


def on_invitation_answered(event: InvitationAnswered) -> None:
    if event.accepted:
        services.open_for_invitation(event.invitation_id)


def own_proofs(user: User, ids: Sequence[str] | None) -> dict[str, str]:
    """``{id: label}`` of the ids that are this person's credentials, not revoked (all of
    them when ``ids`` is None, newest first, at most 100)."""
    rows = Credential.objects.filter(user=user, revoked_at__isnull=True).order_by("-id")
    keys: dict[UUID, str] = {}
    if ids is not None:
        for raw in ids:
            try:
                keys[UUID(str(raw))] = str(raw)
            except ValueError:
                continue
        rows = rows.filter(public_id__in=list(keys))
    found = rows.values_list("public_id", "kind", "source", "issued_at")[:100]
    return {
        keys.get(public_id, str(public_id)): (
            f"{Credential.Kind(kind).label} · {source[:60]} · {issued_at:%Y-%m-%d}"
        )
        for public_id, kind, source, issued_at in found
    }
