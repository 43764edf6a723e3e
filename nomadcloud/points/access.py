"""The access chokepoints of the points app, used by its three wings.

- The wallet is its owner's: a person reads their own balances, lots, history and
  statements and exchanges their own work units (``wallet_owner``); nothing names another
  person's wallet. Writes need a write-scoped token.
- The programme (scenarios, rates, earning rules, campaigns, programme operators, reports,
  merchant registry and settlement rates) is the zone operator's (``operator``); writes need
  a write-scoped token. Batch transfers also admit API keys of authorised programme
  operators (``programme/batch.py``).
- Merchants: any member of the merchant organisation (read-only members too) and the zone
  operator see the merchant, its payments and its settlement statements. Taking payments —
  placing and confirming or cancelling holds, refunds — needs a person whose role is owner,
  administrator or member (``CASHIER_ROLES``): read-only members and reviewers cannot, nor
  can organisation API keys (a payment names the person who took it). Everyone else is told
  the merchant does not exist (``merchant_for``).
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    Role,
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_person,
    require_write,
    require_zone_operator,
    role_in,
)
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.points import models as m

# ---- the wallet --------------------------------------------------------------------------


def wallet_owner(principal: Principal, *, write: bool = False) -> User:
    """The person whose wallet is asked for: always the caller (a person; writes need a
    write-scoped token)."""
    user = require_person(principal)
    if write:
        require_write(principal)
    return user


# ---- the programme -----------------------------------------------------------------------


def operator(principal: Principal, *, write: bool = False) -> User:
    """The zone operator acting (a person; writes need a write-scoped token)."""
    user = require_zone_operator(principal)
    if write:
        require_write(principal)
    return user


# ---- merchants ---------------------------------------------------------------------------


CASHIER_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})


class Action(StrEnum):
    VIEW = "view"
    CASHIER = "cashier"


def merchant_for(principal: Principal, org_id: object, action: Action) -> m.Merchant:
    """The merchant registered for the organisation ``org_id``, if the principal may do
    ``action`` there (NotFound when they may not even see it)."""
    require_authenticated(principal)
    merchant = (
        m.Merchant.objects.select_related("organisation", "scenario", "scenario__asset")
        .filter(organisation__public_id=parse_public_id(org_id, message=_("No such merchant.")))
        .first()
    )
    if merchant is None:
        raise NotFound(_("No such merchant."))
    role = role_in(principal, merchant.organisation)
    if role is None and not is_zone_operator(principal):
        raise NotFound(_("No such merchant."))
    if action is Action.VIEW:
        return merchant
    require_write(principal)
    require_person(principal)
    if principal.key_organisation is None and role in CASHIER_ROLES:
        return merchant
    raise Forbidden(
        _("Your role in %(organisation)s does not allow taking payments.")
        % {"organisation": merchant.organisation},
        code="not_a_cashier",
    )


def can_take_payments(principal: Principal, merchant: m.Merchant) -> bool:
    if principal.key_organisation is not None or not principal.can_write:
        return False
    return role_in(principal, merchant.organisation) in CASHIER_ROLES
