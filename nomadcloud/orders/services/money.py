"""Money: settle, cancel, open a dispute and decide it. Amounts are exact Decimals and
settlements add up to the cent."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.core.money import format_cny
from nomadcloud.orders import access, allocation, transitions
from nomadcloud.orders.models import (
    Dispute,
    Order,
    OrderApplication,
    Role,
    Settlement,
    SettlementLine,
)
from nomadcloud.orders.services._common import (
    DISPUTE_RULES_VERSION,
    S,
    context,
    enterprise_people,
    lock,
    move,
    operators,
    tell,
)
from nomadcloud.training import cleaning

# --- money: settle, cancel, dispute, decide -------------------------------------------------------


def _settle(
    order: Order,
    *,
    to_nomad: Decimal,
    basis: str,
    recorded_by: User | None,
    dispute: Dispute | None = None,
) -> Settlement:
    milestones = list(order.milestones.all())
    amounts = [m.amount for m in milestones]
    total = sum(amounts, Decimal(0))
    if total != order.total:  # the invariant every write keeps; never settle if broken
        raise Conflict(
            _("The milestones add up to %(sum)s, not %(total)s.")
            % {"sum": format_cny(total), "total": format_cny(order.total)},
            code="total_mismatch",
        )
    lines = allocation.allocate(amounts, to_nomad)
    settlement = Settlement.objects.create(
        order=order,
        basis=basis,
        dispute=dispute,
        total=total,
        to_nomad=to_nomad,
        to_enterprise=total - to_nomad,
        recorded_by=recorded_by,
    )
    SettlementLine.objects.bulk_create(
        SettlementLine(
            settlement=settlement,
            milestone=milestone,
            amount=milestone.amount,
            to_nomad=nomad_part,
            to_enterprise=enterprise_part,
        )
        for milestone, (nomad_part, enterprise_part) in zip(milestones, lines, strict=True)
    )
    return settlement


@transaction.atomic
def settle(*, principal: Principal, order: Order) -> Settlement:
    """Record what is owed for accepted work: every milestone to the nomad."""
    order = lock(order)
    move(principal, order, S.SETTLED, context(order))
    settlement = _settle(
        order, to_nomad=order.total, basis=Settlement.Basis.ACCEPTANCE, recorded_by=principal.user
    )
    audit.record(
        actor=principal.user,
        action="orders.order.settle",
        obj=settlement,
        organisation=order.organisation,
        after={"total": str(settlement.total), "to_nomad": str(settlement.to_nomad)},
        token=principal.token,
    )
    if order.nomad is not None:
        tell([order.nomad], "orders.settled", order, to_nomad=settlement.to_nomad)
    return settlement


@transaction.atomic
def cancel(*, principal: Principal, order: Order, reason: str) -> Order:
    order = lock(order)
    move(principal, order, S.CANCELLED, context(order, reason=reason))
    pending = list(
        order.applications.filter(status=OrderApplication.Status.PENDING).select_related(
            "applicant"
        )
    )
    order.applications.filter(status=OrderApplication.Status.PENDING).update(
        status=OrderApplication.Status.DECLINED, decided_at=timezone.now()
    )
    people = [a.applicant for a in pending] + ([order.nomad] if order.nomad else [])
    tell(people, "orders.cancelled", order, reason=reason.strip())
    return order


@transaction.atomic
def open_dispute(*, principal: Principal, order: Order, reason: str) -> Dispute:
    """Either party asks the zone operator to decide; the work stops until then."""
    order = lock(order)
    before = order.status
    row = move(principal, order, S.DISPUTED, context(order, reason=reason))
    dispute = Dispute.objects.create(
        order=order,
        opened_by=principal.user,
        opened_as=row.role,
        reason=reason.strip(),
        status_before=before,
    )
    if row.role == Role.NOMAD:
        party, others = str(order.nomad), enterprise_people(order)
    else:
        party = localized(order.organisation, "name")
        others = [order.nomad] if order.nomad else []
    tell([*others, *operators()], "orders.disputed", order, party=party, reason=reason.strip())
    return dispute


@transaction.atomic
def resolve_dispute(
    *,
    principal: Principal,
    order: Order,
    outcome: str,
    reason: str,
    to_nomad: Any = None,
    to_enterprise: Any = None,
    evidence: str = "",
) -> Dispute:
    """The zone operator decides: release the total to the nomad, refund it to the
    enterprise, or split it with exact amounts that add up to the total. The decision keeps
    who, when, the evidence considered and the rule version; the settlement follows it."""
    user = require_person(principal)
    order = lock(order)
    dispute = order.disputes.filter(decided_at__isnull=True).select_for_update().first()
    ctx = context(order, reason=reason or "-", decision_given=dispute is not None)
    transitions.check(order, S.RESOLVED, access.roles_in(principal, order), ctx)  # who, first
    outcome = cleaning.one_of(outcome, "outcome", Dispute.Outcome.values)
    reason = cleaning.text(reason, "reason", 5000, required=True)
    evidence = cleaning.text(evidence, "evidence", 10000)
    total = order.total
    if outcome == Dispute.Outcome.RELEASE:
        nomad_part, enterprise_part = total, Decimal(0)
    elif outcome == Dispute.Outcome.REFUND:
        nomad_part, enterprise_part = Decimal(0), total
    else:
        nomad_part = cleaning.amount(to_nomad, "to_nomad")
        enterprise_part = cleaning.amount(to_enterprise, "to_enterprise")
        if nomad_part + enterprise_part != total:
            raise invalid_field(
                "to_nomad",
                _("%(nomad)s and %(enterprise)s add up to %(sum)s; the order's total is %(total)s.")
                % {
                    "nomad": format_cny(nomad_part),
                    "enterprise": format_cny(enterprise_part),
                    "sum": format_cny(nomad_part + enterprise_part),
                    "total": format_cny(total),
                },
                code="split_mismatch",
            )
    move(
        principal,
        order,
        S.RESOLVED,
        context(order, reason=reason, decision_given=dispute is not None),
    )
    assert dispute is not None  # the guard refused otherwise
    now = timezone.now()
    dispute.outcome = outcome
    dispute.to_nomad = nomad_part
    dispute.to_enterprise = enterprise_part
    dispute.decision_reason = reason
    dispute.evidence = {
        "notes": evidence,
        "deliverables": list(order.deliverables.values_list("sha256", "url")),
        "messages": order.messages.count(),
        "events": list(order.events.values_list("from_status", "to_status")),
    }
    dispute.rule_version = DISPUTE_RULES_VERSION
    dispute.decided_by = user
    dispute.decided_at = now
    dispute.save()
    settlement = _settle(
        order,
        to_nomad=nomad_part,
        basis=Settlement.Basis.DISPUTE,
        recorded_by=user,
        dispute=dispute,
    )
    audit.record(
        actor=user,
        action="orders.dispute.decide",
        obj=dispute,
        organisation=order.organisation,
        after={
            "outcome": outcome,
            "to_nomad": str(nomad_part),
            "to_enterprise": str(enterprise_part),
            "rule_version": DISPUTE_RULES_VERSION,
            "settlement": settlement.pk,
        },
        token=principal.token,
    )
    people = [*enterprise_people(order), *([order.nomad] if order.nomad else [])]
    tell(
        people,
        "orders.resolved",
        order,
        to_nomad=nomad_part,
        to_enterprise=enterprise_part,
        reason=reason,
    )
    return dispute
