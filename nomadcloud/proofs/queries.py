"""Reads of credentials: one by its public id (public: verification links, the operator's
lookup) and a person's own list."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import NotFound
from nomadcloud.proofs.models import Credential


def credential_for(public_id: object) -> Credential:
    """The credential with this public id (any form ``uuid.UUID`` reads); NotFound else."""
    try:
        found = (
            Credential.objects.filter(public_id=uuid.UUID(str(public_id)))
            .select_related("log_entry")
            .first()
        )
    except ValueError:
        found = None
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
