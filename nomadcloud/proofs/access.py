"""The access chokepoints of proofs of work: the zone operator's actions, and a person's own
credentials (anyone else's answers NotFound, so their existence is not revealed).

Verification, status lists, checkpoints, proofs and revocation records are public and need
no chokepoint."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator, require_authenticated, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.proofs.models import Credential
from nomadcloud.proofs.queries import credential_for


def require_operator(principal: Principal, message: str) -> None:
    """A writing action of the zone operator (a person, not an organisation's key, with a
    write-scope token if any); ``message`` says what is refused."""
    require_authenticated(principal)
    if not is_zone_operator(principal):
        raise Forbidden(message)
    require_write(principal)


def require_operator_view(principal: Principal) -> None:
    """Reading what only the zone operator sees (the registered external keys)."""
    require_authenticated(principal)
    if not is_zone_operator(principal):
        raise Forbidden(_("Only the zone operator can see this."), code="operator_only")


def own_credential(user: User, public_id: object) -> Credential:
    """A person's own credential; anyone else's answers NotFound."""
    found = credential_for(public_id)
    if found.user_id != user.pk:
        raise NotFound(_("No such credential."))
    return found
