"""Who may see and move budgets and payouts: the finance officers of the budget's owner
(its owners and administrators) and the zone operator move them; other members of the owner
see them; everyone else is told there is no such budget or payout (404). Moving money is
for people only, never an organisation API key (``person_only``)."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.payouts.models import Budget, Payout

FINANCE_ROLES = frozenset({Membership.Role.OWNER, Membership.Role.ADMIN})


def visible_budgets(principal: Principal) -> QuerySet[Budget]:
    require_authenticated(principal)
    budgets = Budget.objects.select_related("owner")
    if is_zone_operator(principal):
        return budgets
    if principal.key_organisation is not None:
        return budgets.filter(owner=principal.key_organisation)
    return budgets.filter(owner__memberships__user=principal.user)


def visible_payouts(principal: Principal) -> QuerySet[Payout]:
    require_authenticated(principal)
    payouts = Payout.objects.select_related("budget", "budget__owner", "commitment")
    if is_zone_operator(principal):
        return payouts
    if principal.key_organisation is not None:
        return payouts.filter(budget__owner=principal.key_organisation)
    return payouts.filter(Q(budget__owner__memberships__user=principal.user))


def may_move(principal: Principal, owner: Organisation) -> bool:
    """A finance officer of ``owner`` or the zone operator, acting as a person."""
    if principal.user is None or principal.key_organisation is not None:
        return False
    return is_zone_operator(principal) or role_in(principal, owner) in FINANCE_ROLES


def budget_for(principal: Principal, raw_id: object) -> Budget:
    public_id = parse_public_id(raw_id, message=_("No such budget."))
    budget = visible_budgets(principal).filter(public_id=public_id).first()
    if budget is None:
        raise NotFound(_("No such budget."))
    return budget


def payout_for(principal: Principal, raw_id: object, *, move: bool = False) -> Payout:
    """A payout the principal may see; with ``move``, one they may also move (else
    ``Forbidden``), by a write-scope credential of a person."""
    public_id = parse_public_id(raw_id, message=_("No such payout."))
    payout = visible_payouts(principal).filter(public_id=public_id).first()
    if payout is None:
        raise NotFound(_("No such payout."))
    if move:
        require_finance_officer(principal, payout.budget.owner)
    return payout


def require_finance_officer(principal: Principal, owner: Organisation) -> User:
    user = require_person(principal)
    if not may_move(principal, owner):
        raise Forbidden(
            _("Only the paying organisation's owners and administrators can move payouts."),
            code="finance_only",
        )
    require_write(principal)
    return user
