"""Which claims and policies an asker sees, and a policy's parameters in force on a day."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator, require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import rules
from nomadcloud.core.errors import Forbidden
from nomadcloud.incentives import access
from nomadcloud.incentives.models import (
    Claim,
    Policy,
)
from nomadcloud.incentives.services.decisions import parameters
from nomadcloud.incentives.services.records import S


def departments_or_operator(principal: Principal) -> set[str] | None:
    """None for the zone operator (all claims), else the asker's departments."""
    require_person(principal)
    if is_zone_operator(principal):
        return None
    codes = access.officer_departments(principal.user)
    if not codes:
        raise Forbidden(_("Only departments and the zone operator may do this."))
    return codes


def claims_for_publicity() -> Any:
    """The public 公示 list: claims in publicity or approved (organisation, policy, amount)."""
    return (
        Claim.objects.filter(status__in=(S.PUBLICITY, S.APPROVED))
        .select_related("organisation", "policy")
        .order_by("-decided_at", "-id")
    )


def policy_in_force(policy: Policy, on: date) -> bool:
    return policy.effective_from <= on and (
        policy.effective_until is None or on <= policy.effective_until
    )


def parameters_of(
    policy: Policy, on: date
) -> list[tuple[rules.Parameter, tuple[date, Any] | None]]:
    """The policy's parameters with the value in force on a day."""
    params = parameters()
    out: list[tuple[rules.Parameter, tuple[date, Any] | None]] = []
    for name in sorted(params.items):
        if name.startswith(f"{policy.rule}."):
            try:
                value: tuple[date, Any] | None = params.at(name, on)
            except LookupError:
                value = None
            out.append((params[name], value))
    return out


def visible_claims(principal: Principal) -> Any:
    """Claims the asker's departments verify (all for the zone operator)."""
    allowed = departments_or_operator(principal)
    claims = Claim.objects.select_related("organisation", "policy")
    if allowed is not None:
        claims = claims.filter(policy__department_code__in=allowed)
    return claims.filter(~Q(status__in=(S.DRAFT, S.WITHDRAWN)))
