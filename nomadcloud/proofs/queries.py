"""Reads of credentials: one by its public id (public: verification links, the operator's
lookup) and a person's own list."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import parse_public_id
from nomadcloud.accounts.models import User
from nomadcloud.core.errors import NotFound
from nomadcloud.proofs.models import Credential


def credential_for(public_id: object) -> Credential:
    """The credential with this public id (any form ``uuid.UUID`` reads); NotFound else."""
    key = parse_public_id(public_id, message=_("No such credential."))
    found = Credential.objects.filter(public_id=key).select_related("log_entry").first()
    if found is None:
        raise NotFound(_("No such credential."))
    return found


def credentials_of(user: User) -> list[Credential]:
    """A person's credentials, newest first (at most 1,000)."""
    return list(
        Credential.objects.filter(user=user)
        .select_related("log_entry")
        .order_by("-issued_at", "-id")[:1000]
    )


# ---- workspace and home figures -----------------------------------------------------------


def credential_count_of(user: User) -> int:
    return Credential.objects.filter(user=user).count()


def credentials_issued() -> int:
    """Every credential the zone has issued (revoked ones included), for the home page."""
    return Credential.objects.count()
