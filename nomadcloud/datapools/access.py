"""The access chokepoints for data pools (docs/datapools.md).

- A pool that is open, closed or archived is public (its charter and dataset versions'
  metadata; never the rows). A proposed, approved or rejected pool is seen only by the
  steward's members, the lead department's members and the zone operator; to everyone else
  it does not exist (404).
- The steward's editors (owners, administrators, members; or its API key with write scope)
  open, close and archive the pool, write new charter versions and release dataset versions.
- A deciding member of the lead department approves or rejects a proposed pool.
- Any signed-in person contributes to an open pool, under their own consent; a contribution
  is seen by its contributor, the steward's members and the zone operator.
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
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, NotFound, invalid_field
from nomadcloud.datapools.models import (
    Contribution,
    DownloadLink,
    Negotiation,
    Pool,
    QueryTemplate,
)
from nomadcloud.datapools.transitions import Side
from nomadcloud.payouts.models import Budget

EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
PUBLIC_STATES = frozenset({Pool.Status.OPEN, Pool.Status.CLOSED, Pool.Status.ARCHIVED})


class Action(StrEnum):
    VIEW = "view"
    STEWARD = "steward"  # the steward's moves
    DECIDE = "decide"  # the lead department's


def is_steward(principal: Principal, pool: Pool) -> bool:
    return principal.can_write and role_in(principal, pool.steward) in EDITORS


def decides_for(principal: Principal, pool: Pool) -> bool:
    return (
        principal.user is not None
        and principal.key_organisation is None
        and principal.can_write
        and role_in(principal, pool.lead_department) in DECIDING_ROLES
    )


def may_see(principal: Principal, pool: Pool) -> bool:
    if pool.status in PUBLIC_STATES:
        return True
    return (
        role_in(principal, pool.steward) is not None
        or role_in(principal, pool.lead_department) is not None
        or is_zone_operator(principal)
    )


def sides_of(principal: Principal, pool: Pool) -> set[Side]:
    sides: set[Side] = set()
    if is_steward(principal, pool):
        sides.add(Side.STEWARD)
    if decides_for(principal, pool):
        sides.add(Side.DEPARTMENT)
    return sides


def require_side(principal: Principal, pool: Pool, side: Side) -> None:
    require_authenticated(principal)
    if side is Side.DEPARTMENT:
        require_person(principal)
        require_write(principal)
        if role_in(principal, pool.lead_department) not in DECIDING_ROLES:
            raise Forbidden(
                _("Only a reviewer of %(department)s decides this.")
                % {"department": pool.lead_department},
                code="department_only",
            )
        return
    require_write(principal)
    if role_in(principal, pool.steward) not in EDITORS:
        raise Forbidden(
            _("Only the pool's steward (%(steward)s) can do this.") % {"steward": pool.steward},
            code="steward_only",
        )


def pool_for(principal: Principal, public_id: object, action: Action = Action.VIEW) -> Pool:
    pool = (
        Pool.objects.filter(public_id=parse_public_id(public_id, message=_("No such data pool.")))
        .select_related("steward", "lead_department")
        .first()
    )
    if pool is None or not may_see(principal, pool):
        raise NotFound(_("No such data pool."))
    if action is Action.STEWARD:
        require_side(principal, pool, Side.STEWARD)
    elif action is Action.DECIDE:
        require_side(principal, pool, Side.DEPARTMENT)
    return pool


def steward_organisation(principal: Principal, public_id: object) -> Organisation:
    """The organisation a pool is proposed for: one where the asker is an editor."""
    org_id = parse_public_id(public_id, message=_("No such organisation."))
    key_org = principal.key_organisation
    if key_org is not None:
        if key_org.public_id != org_id or not principal.can_write:
            raise NotFound(_("No such organisation."))
        return key_org
    organisation = Organisation.objects.filter(public_id=org_id).first()
    if organisation is None or role_in(principal, organisation) is None:
        raise NotFound(_("No such organisation."))
    require_write(principal)
    if role_in(principal, organisation) not in EDITORS:
        raise Forbidden(
            _("Only an editor of %(org)s can propose a pool for it.") % {"org": organisation},
            code="steward_only",
        )
    return organisation


def contribution_for(principal: Principal, public_id: object) -> Contribution:
    contribution = (
        Contribution.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such contribution."))
        )
        .select_related("pool__steward", "contributor")
        .first()
    )
    if contribution is None:
        raise NotFound(_("No such contribution."))
    user = principal.user
    if (
        (user is not None and contribution.contributor_id == user.pk)
        or role_in(principal, contribution.pool.steward) is not None
        or is_zone_operator(principal)
    ):
        return contribution
    raise NotFound(_("No such contribution."))


def negotiation_for(principal: Principal, public_id: object) -> Negotiation:
    """Seen by the consumer's members, the steward's members, the lead department's members
    (who confirm agreements, 核定) and the zone operator."""
    negotiation = (
        Negotiation.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such negotiation."))
        )
        .select_related("pool__steward", "pool__lead_department", "consumer")
        .first()
    )
    if negotiation is None or not (
        role_in(principal, negotiation.consumer) is not None
        or role_in(principal, negotiation.pool.steward) is not None
        or role_in(principal, negotiation.pool.lead_department) is not None
        or is_zone_operator(principal)
    ):
        raise NotFound(_("No such negotiation."))
    return negotiation


def reward_budget(pool: Pool, public_id: object | None) -> Budget | None:
    """The steward's budget a money reward run pays from (none given: none)."""
    if public_id is None or public_id == "":
        return None
    budget = Budget.objects.filter(
        public_id=parse_public_id(public_id, message=_("No such budget.")), owner=pool.steward
    ).first()
    if budget is None:
        raise invalid_field("budget", _("Choose a budget of the pool's steward."))
    return budget


def steward_budgets(pool: Pool) -> list[tuple[str, str]]:
    """The steward's budgets, as form choices."""
    return [
        (str(b.public_id), f"{b.programme_code} {b.year} ({b.available} CNY)")
        for b in Budget.objects.filter(owner=pool.steward).order_by("-year", "programme_code")
    ]


# The kinds of organisation that may steward a pool (propose one).
STEWARD_KINDS = (
    Organisation.Kind.ENTERPRISE,
    Organisation.Kind.COMMUNITY,
    Organisation.Kind.MERCHANT,
)


def editor_organisations(principal: Principal, *kinds: str) -> list[tuple[str, str]]:
    """The organisations of ``kinds`` the person may act for as an editor, as form choices
    (public id, name)."""
    user = principal.user
    if user is None:
        return []
    memberships = Membership.objects.filter(
        user=user, role__in=EDITORS, organisation__kind__in=kinds
    ).select_related("organisation")
    return [(str(m.organisation.public_id), str(m.organisation)) for m in memberships]


def template_for(principal: Principal, public_id: object) -> QueryTemplate:
    """A query template: seen where its pool is seen, a draft or withdrawn one only by the
    steward's members and the zone operator (decision 0048)."""
    template = (
        QueryTemplate.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such query template."))
        )
        .select_related("pool__steward", "pool__lead_department")
        .first()
    )
    if (
        template is None
        or not may_see(principal, template.pool)
        or (
            template.status != QueryTemplate.Status.APPROVED
            and role_in(principal, template.pool.steward) is None
            and not is_zone_operator(principal)
        )
    ):
        raise NotFound(_("No such query template."))
    return template


def link_for(principal: Principal, public_id: object) -> DownloadLink:
    """A link, seen by the steward's members and the consumer's members (as the agreement
    is); to anyone else it does not exist."""
    link = (
        DownloadLink.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such download link."))
        )
        .select_related("negotiation__pool__steward", "negotiation__consumer", "version")
        .first()
    )
    if link is None:
        raise NotFound(_("No such download link."))
    made = link.negotiation
    if role_in(principal, made.consumer) is None and role_in(principal, made.pool.steward) is None:
        raise NotFound(_("No such download link."))
    return link
