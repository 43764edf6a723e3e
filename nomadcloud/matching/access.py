"""Who sees which matches: a nomad their own recommendations and invitations; a demand's
candidates its enterprise's members (editors may invite) and the zone operator."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import parse_public_id, require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import NotFound
from nomadcloud.demands.access import Action, demand_for
from nomadcloud.demands.models import Demand
from nomadcloud.matching.models import Invitation
from nomadcloud.talent.models import Profile


def demand_for_candidates(
    principal: Principal, public_id: object, *, invite: bool = False
) -> Demand:
    """The demand whose candidates the principal may see (or, ``invite``, invite from)."""
    demand = demand_for(principal, public_id, Action.VIEW)
    from nomadcloud.demands.access import can_see_all_of, check_enterprise

    if not can_see_all_of(principal, demand.organisation):
        raise NotFound(_("No such demand."))
    if invite:
        check_enterprise(principal, demand.organisation, Action.EDIT)
    return demand


def own_profile(principal: Principal) -> Profile | None:
    user = require_person(principal)
    return Profile.objects.filter(user=user).first()


def invitation_for(principal: Principal, invitation_id: int) -> Invitation:
    user = require_person(principal)
    invitation = (
        Invitation.objects.filter(pk=invitation_id, profile__user=user)
        .select_related("demand__organisation", "profile")
        .first()
    )
    if invitation is None:
        raise NotFound(_("No such invitation."))
    return invitation


def candidate_profile(demand: Demand, profile_public_id: object) -> Profile:
    key = parse_public_id(profile_public_id, message=_("No such nomad."))
    profile = Profile.objects.filter(public_id=key, matches__demand=demand).first()
    if profile is None:
        raise NotFound(_("No such nomad."))
    return profile
