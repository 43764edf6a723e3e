"""Recalculation diff and simulation: what the stored decisions would become under today's
facts, or under a parameter change a department tries on last year's facts before
publishing it (split from services.py; the claims' use cases stay there)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import rules
from nomadcloud.core.errors import Forbidden, InvalidInput, invalid_field
from nomadcloud.incentives import access, facts, services
from nomadcloud.incentives.models import (
    Claim,
    ClaimItem,
    Policy,
)

S = Claim.Status
UNPAID = (S.DRAFT, S.SUBMITTED, S.VERIFYING, S.SUPPLEMENT_REQUESTED, S.VERIFIED, S.PUBLICITY)
MAX_TEXT = 4000

# --- recalculation diff and simulation -----------------------------------------------------


@dataclass(frozen=True)
class DiffRow:
    claim: Claim
    old: Decimal
    new: Decimal

    @property
    def change(self) -> Decimal:
        return self.new - self.old


def recalculation_diff(*, principal: Principal, policy: Policy | None = None) -> list[DiffRow]:
    """Every unpaid claim whose amount would change under today's parameters and facts
    (items the department excluded stay excluded). Paid claims change only by clawback."""
    allowed = services.departments_or_operator(principal)
    claims = Claim.objects.filter(status__in=UNPAID).select_related("policy", "organisation")
    if policy is not None:
        claims = claims.filter(policy=policy)
    if allowed is not None:
        claims = claims.filter(policy__department_code__in=allowed)
    params = services.parameters()
    rows: list[DiffRow] = []
    for claim in claims.prefetch_related("items"):
        excluded = {i.reference for i in claim.items.all() if i.state == ClaimItem.State.EXCLUDED}
        fresh = facts.inputs_by_organisation(claim.policy, claim.year, [claim.organisation]).get(
            claim.organisation_id, {"items": []}
        )
        inputs = {
            **fresh,
            "items": [i for i in fresh.get("items", []) if str(i["id"]) not in excluded],
        }
        new = services.decide(claim.policy, claim.year, inputs, params).amount
        old = claim.amount if claim.status in (S.VERIFIED, S.PUBLICITY) else claim.claimed_amount
        if new != old:
            rows.append(DiffRow(claim, old, new))
    return rows


@dataclass(frozen=True)
class Simulation:
    policy: Policy
    year: int
    organisations: int
    before_total: Decimal
    after_total: Decimal
    gained: list[tuple[str, Decimal]]
    lost: list[tuple[str, Decimal]]
    changed: list[tuple[str, Decimal, Decimal]]

    @property
    def impact(self) -> Decimal:
        return self.after_total - self.before_total


def simulate(
    *, principal: Principal, policy: Policy, year: int, changes: Mapping[str, Any], effective: date
) -> Simulation:
    """A draft parameter change ({parameter: value} from ``effective``) run over the real
    facts of a year: the budget impact and the organisations gained or lost. Nothing is
    stored (PolicyEngine-style reform analysis on the same engine)."""
    if not access.may_simulate(principal, policy):
        raise Forbidden(_("Only the verifying department and the zone operator may simulate."))
    params = services.parameters()
    reforms: dict[str, dict[str, Any]] = {}
    for name, value in changes.items():
        if not name.startswith(f"{policy.rule}.") or name not in params.items:
            raise invalid_field(name, _("Not a parameter of this policy."))
        kept = {start.isoformat(): v for start, v in params[name].values if start < effective}
        reforms[name] = {**kept, effective.isoformat(): value}
    try:
        draft = rules.reformed(params, reforms)
    except rules.ParameterError as exc:
        raise InvalidInput(str(exc), code="invalid_parameter") from None
    by_org = facts.inputs_by_organisation(policy, year)
    names = dict(Organisation.objects.filter(pk__in=list(by_org)).values_list("pk", "name_en"))
    before_total = after_total = Decimal(0)
    gained: list[tuple[str, Decimal]] = []
    lost: list[tuple[str, Decimal]] = []
    changed: list[tuple[str, Decimal, Decimal]] = []
    for org_id, inputs in by_org.items():
        old = services.decide(policy, year, inputs, params)
        new = services.decide(policy, year, inputs, draft)
        before_total += old.amount
        after_total += new.amount
        name = names.get(org_id) or str(org_id)
        if new.amount > 0 and old.amount == 0:
            gained.append((name, new.amount))
        elif old.amount > 0 and new.amount == 0:
            lost.append((name, old.amount))
        elif new.amount != old.amount:
            changed.append((name, old.amount, new.amount))
    return Simulation(policy, year, len(by_org), before_total, after_total, gained, lost, changed)
