"""The access chokepoints for incentives.

- The policy library and the 公示 list are public.
- An organisation's entitlements, introductions and claims are visible to its members and
  the zone operator; its owners and administrators (and its API key) claim, submit, answer
  supplement requests and appeal; members record introductions.
- The verifying department's owners, administrators and reviewers see every claim under
  its policies and decide them (persons only); nobody decides their own organisation's
  claim. Four-eyes: the approver is not the verifier, an appeal is decided by another
  officer than the verifier.
- Everyone else is told a claim does not exist.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    DECIDING_ROLES,
    Role,
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    role_in,
)

__all__ = ["role_in"]
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound
from nomadcloud.incentives.models import Claim, Policy

CLAIMANTS = frozenset({Role.OWNER, Role.ADMIN})
RECORDERS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
CLAIMING_KINDS = frozenset({Organisation.Kind.ENTERPRISE, Organisation.Kind.COMMUNITY})


class Action(StrEnum):
    VIEW = "view"
    CLAIM = "claim"
    RECORD = "record"


def department_for(policy: Policy) -> Organisation | None:
    return Organisation.objects.filter(code=policy.department_code, kind="department").first()


def officer_departments(user: User | None) -> set[str]:
    """The department codes in which the person may verify and approve claims."""
    if user is None:
        return set()
    codes = Membership.objects.filter(
        user=user, role__in=DECIDING_ROLES, organisation__kind="department"
    ).values_list("organisation__code", flat=True)
    return {code for code in codes if code}


def is_officer(principal: Principal, policy: Policy) -> bool:
    return (
        principal.user is not None
        and principal.key_organisation is None
        and policy.department_code in officer_departments(principal.user)
    )


def check_claimant(principal: Principal, organisation: Organisation, action: Action) -> None:
    """An organisation's own incentives: members see them (and the zone operator);
    claiming needs owner or administrator, recording an introduction a member role."""
    require_authenticated(principal)
    role = role_in(principal, organisation)
    if role is None and not is_zone_operator(principal):
        raise NotFound(_("No such organisation."))
    if action is Action.VIEW:
        return
    if not principal.can_write:
        raise Forbidden(_("This token may only read; use a token with write scope."), code="scope")
    if organisation.kind not in CLAIMING_KINDS:
        raise Forbidden(
            _("Only enterprises and community operators claim incentives."),
            code="not_a_claimant",
        )
    allowed = CLAIMANTS if action is Action.CLAIM else RECORDERS
    if role not in allowed:
        raise Forbidden(_("Only the organisation's owners and administrators may do this."))


def organisation_for(principal: Principal, public_id: object, action: Action) -> Organisation:
    require_authenticated(principal)
    pk = parse_public_id(public_id, message=_("No such organisation."))
    organisation = Organisation.objects.filter(public_id=pk).first()
    if organisation is None:
        raise NotFound(_("No such organisation."))
    check_claimant(principal, organisation, action)
    return organisation


def may_see_claim(principal: Principal, claim: Claim) -> bool:
    """Its organisation and the zone operator; the department once it is submitted."""
    submitted = claim.status not in (Claim.Status.DRAFT, Claim.Status.WITHDRAWN)
    return (
        role_in(principal, claim.organisation) is not None
        or is_zone_operator(principal)
        or (submitted and is_officer(principal, claim.policy))
    )


def claim_for(principal: Principal, public_id: object) -> Claim:
    """A claim the principal may see (its organisation, the verifying department, the
    zone operator); anyone else is told it does not exist."""
    require_authenticated(principal)
    pk = parse_public_id(public_id, message=_("No such claim."))
    claim = (
        Claim.objects.select_related("organisation", "policy", "verified_by", "approved_by")
        .filter(public_id=pk)
        .first()
    )
    if claim is None or not may_see_claim(principal, claim):
        raise NotFound(_("No such claim."))
    return claim


def is_claimant(principal: Principal, claim: Claim) -> bool:
    return principal.can_write and role_in(principal, claim.organisation) in CLAIMANTS


def require_officer(principal: Principal, claim: Claim) -> User:
    """A person deciding for the verifying department, never for their own organisation."""
    if not principal.can_write or not is_officer(principal, claim.policy):
        raise Forbidden(_("Only the verifying department's officers may decide claims."))
    assert principal.user is not None
    if role_in(principal, claim.organisation) is not None:
        raise Forbidden(_("You may not decide your own organisation's claim."), code="own_claim")
    return principal.user


def may_simulate(principal: Principal, policy: Policy) -> bool:
    return is_zone_operator(principal) or is_officer(principal, policy)
