"""Reads of data pools scoped to who asks (docs/datapools.md)."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from nomadcloud.accounts.access import is_zone_operator, role_in
from nomadcloud.accounts.models import Membership
from nomadcloud.accounts.principal import Principal
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import (
    Contribution,
    DatasetVersion,
    Negotiation,
    Pool,
    QueryTemplate,
    RewardLine,
)


def pools_visible_to(principal: Principal) -> QuerySet[Pool]:
    pools = Pool.objects.select_related("steward", "lead_department")
    if is_zone_operator(principal):
        return pools
    visible = Q(status__in=PUBLIC_STATES)
    key_org = principal.key_organisation
    if key_org is not None:
        visible |= Q(steward=key_org)
    elif principal.user is not None:
        mine = Membership.objects.filter(user=principal.user).values("organisation_id")
        visible |= Q(steward__in=mine) | Q(lead_department__in=mine)
    return pools.filter(visible)


def versions_of(pool: Pool) -> QuerySet[DatasetVersion]:
    return pool.versions.order_by("-number")


def contributions_of(principal: Principal) -> QuerySet[Contribution]:
    if principal.user is None or principal.key_organisation is not None:
        return Contribution.objects.none()
    return (
        Contribution.objects.filter(contributor=principal.user)
        .select_related("pool", "charter")
        .defer("rows")
    )


def negotiations_of(principal: Principal) -> QuerySet[Negotiation]:
    """The negotiations of the asker's organisations, as consumer, as steward or as the
    pool's lead department (which confirms agreements, 核定)."""
    negotiations = Negotiation.objects.select_related(
        "pool", "consumer", "confirmation__department"
    )
    if is_zone_operator(principal):
        return negotiations
    key_org = principal.key_organisation
    if key_org is not None:
        return negotiations.filter(Q(consumer=key_org) | Q(pool__steward=key_org))
    if principal.user is None:
        return Negotiation.objects.none()
    mine = Membership.objects.filter(user=principal.user).values("organisation_id")
    return negotiations.filter(
        Q(consumer__in=mine) | Q(pool__steward__in=mine) | Q(pool__lead_department__in=mine)
    )


def rewards_of(principal: Principal) -> QuerySet[RewardLine]:
    """The asker's reward statement lines (persons only)."""
    if principal.user is None or principal.key_organisation is not None:
        return RewardLine.objects.none()
    return RewardLine.objects.filter(contributor=principal.user).select_related(
        "run__pool", "payout"
    )


def templates_of(principal: Principal, pool: Pool) -> QuerySet[QueryTemplate]:
    """A pool's approved query templates; all of them for its steward's members and the
    zone operator."""
    templates = pool.query_templates.select_related("pool")
    if is_zone_operator(principal) or role_in(principal, pool.steward) is not None:
        return templates
    return templates.filter(status=QueryTemplate.Status.APPROVED)
