"""Who may see and decide held issuances: zone operators acting as themselves (never through
an organisation key). Anyone else is told there is no such thing (404), so the queue's
existence is not revealed."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_write,
)
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import NotFound
from nomadcloud.risk.models import HeldIssuance


def require_operator(principal: Principal, *, write: bool = False) -> User:
    """The zone operator acting; anonymous visitors are asked to sign in, everyone else
    (organisation keys included) gets 404."""
    require_authenticated(principal)
    if principal.user is None or not is_zone_operator(principal):
        raise NotFound(_("No such page."))
    if write:
        require_write(principal)
    return principal.user


def held_for(principal: Principal, raw_id: object) -> HeldIssuance:
    require_operator(principal)
    public_id = parse_public_id(raw_id, message=_("No such held issuance."))
    held = (
        HeldIssuance.objects.filter(public_id=public_id)
        .select_related("assessment", "assessment__organisation", "assessment__holder")
        .first()
    )
    if held is None:
        raise NotFound(_("No such held issuance."))
    return held
