"""Entitlements (政策找企业): the nightly job computes every organisation's entitlement from
the facts the platform holds and tells the organisation."""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from nomadcloud.accounts.models import Organisation
from nomadcloud.core import rules
from nomadcloud.core.bulk import insert_rows
from nomadcloud.core.errors import DomainError
from nomadcloud.core.money import format_cny
from nomadcloud.incentives import facts, notices
from nomadcloud.incentives.models import Claim, Entitlement, Policy
from nomadcloud.incentives.services.claims import check_claimable, claim_automatically
from nomadcloud.incentives.services.decisions import decide, keep_snapshot, parameters
from nomadcloud.incentives.services.records import _claimants
from nomadcloud.notifications.services import notify


def platform_policies() -> list[Policy]:
    return list(Policy.objects.filter(fact_kind__in=facts.platform_fact_kinds()).order_by("id"))


def compute_entitlements(
    year: int,
    *,
    notify_organisations: bool = True,
    organisations: Iterable[Organisation] | None = None,
    now: datetime | None = None,
    claim_automatic: bool = True,
) -> int:
    """Compute every organisation's entitlement under each policy the platform has facts
    for, for one year; store them (inputs, decision, trace); tell each organisation's
    owners and administrators when an amount is new or changed; under a policy in
    automatic mode (免申即享), claim every eligible entitlement for the organisation while
    the claim window is open (``claim_automatic``). Returns the number stored."""
    moment = now or timezone.now()
    params = parameters()
    keep_snapshot(params)
    chosen = list(organisations) if organisations is not None else None
    stored = 0
    for policy in platform_policies():
        by_org = facts.inputs_by_organisation(policy, year, chosen)
        existing = {
            e.organisation_id: e
            for e in Entitlement.objects.filter(policy=policy, year=year).only(
                "id", "organisation_id", "amount", "eligible", "rule_version", "notified_at"
            )
        }
        creates: list[Entitlement] = []
        updates: list[Entitlement] = []
        to_notify: list[Entitlement] = []
        for org_id, inputs in by_org.items():
            decision = decide(policy, year, inputs, params)
            row = existing.get(org_id)
            changed = row is None or row.amount != decision.amount
            if row is None:
                row = Entitlement(organisation_id=org_id, policy=policy, year=year)
                creates.append(row)
            else:
                updates.append(row)
            row.eligible = decision.eligible
            row.amount = decision.amount
            row.inputs = inputs
            row.reasons = list(decision.reasons)
            row.params_used = rules.plain(decision.params_used)
            row.rule_version = decision.rule_version
            row.computed_at = moment
            if changed and decision.eligible and decision.amount > 0:
                row.notified_at = moment if notify_organisations else row.notified_at
                to_notify.append(row)
        with transaction.atomic():
            _insert(creates)
            Entitlement.objects.bulk_update(
                updates,
                [
                    "eligible",
                    "amount",
                    "inputs",
                    "reasons",
                    "params_used",
                    "rule_version",
                    "computed_at",
                    "notified_at",
                ],
                batch_size=2000,
            )
            if notify_organisations:
                _notify_entitlements(policy, year, to_notify)
        stored += len(creates) + len(updates)
        if claim_automatic and policy.mode == Policy.Mode.AUTOMATIC:
            claim_automatic_entitlements(policy, year, today=timezone.localdate(moment))
    return stored


ENTITLEMENT_FIELDS = (
    "organisation",
    "policy",
    "year",
    "eligible",
    "amount",
    "inputs",
    "reasons",
    "params_used",
    "rule_version",
    "computed_at",
    "notified_at",
)


def _insert(rows: list[Entitlement]) -> None:
    """New entitlements in one statement (COPY on PostgreSQL), their JSON written once as
    text: tens of thousands of rows a night, each with its facts."""
    insert_rows(
        Entitlement,
        ENTITLEMENT_FIELDS,
        (
            (
                row.organisation_id,
                row.policy_id,
                row.year,
                row.eligible,
                row.amount,
                json.dumps(row.inputs, ensure_ascii=False),
                json.dumps(row.reasons, ensure_ascii=False),
                json.dumps(row.params_used, ensure_ascii=False),
                row.rule_version,
                row.computed_at,
                row.notified_at,
            )
            for row in rows
        ),
        json_text=("inputs", "reasons", "params_used"),
    )


def claim_automatic_entitlements(policy: Policy, year: int, *, today: date) -> list[Claim]:
    """免申即享: open and submit a claim for every eligible entitlement of an automatic
    policy that has none yet (a withdrawn claim is not claimed again). Nothing when the
    claim window is not open on the day."""
    try:
        check_claimable(policy, year, today)
    except DomainError:
        return []
    claimed = set(
        Claim.objects.filter(policy=policy, year=year)
        .exclude(status=Claim.Status.WITHDRAWN)
        .values_list("organisation_id", flat=True)
    )
    withdrawn = set(
        Claim.objects.filter(policy=policy, year=year, status=Claim.Status.WITHDRAWN).values_list(
            "organisation_id", flat=True
        )
    )
    due = (
        Entitlement.objects.filter(policy=policy, year=year, eligible=True, amount__gt=0)
        .exclude(organisation_id__in=claimed | withdrawn)
        .select_related("organisation")
        .order_by("id")
    )
    made = []
    for entitlement in due:
        try:
            made.append(
                claim_automatically(
                    organisation=entitlement.organisation,
                    policy=policy,
                    year=year,
                    today=today,
                    inputs=entitlement.inputs,  # what the job has just read and stored
                )
            )
        except DomainError:  # the facts changed since (no facts, a duplicate): next night
            continue
    return made


def _notify_entitlements(policy: Policy, year: int, rows: list[Entitlement]) -> None:
    people = _claimants(r.organisation_id for r in rows)
    orgs = {o.pk: o for o in Organisation.objects.filter(pk__in=[r.organisation_id for r in rows])}
    for row in rows:
        org = orgs[row.organisation_id]
        for user in people.get(row.organisation_id, []):
            notify(
                user,
                notices.ENTITLEMENT.key,
                params={
                    "amount": format_cny(row.amount),
                    "policy_zh": policy.title_zh,
                    "policy_en": policy.title_en,
                    "year": year,
                },
                url=reverse("incentives:organisation", args=[org.public_id]),
            )
