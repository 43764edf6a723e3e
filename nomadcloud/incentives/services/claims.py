"""Claims verified item by item (经核定): started from an entitlement, submitted, each item counted
or excluded, a supplement requested and answered once, the amount fixed."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.bulk import insert_rows
from nomadcloud.core.errors import Conflict, DomainError, InvalidInput, invalid_field
from nomadcloud.core.money import format_cny
from nomadcloud.incentives import access, facts, notices
from nomadcloud.incentives.models import (
    Claim,
    ClaimItem,
    Policy,
)
from nomadcloud.incentives.services.decisions import (
    decide,
    decision_record,
    keep_snapshot,
    parameters,
)
from nomadcloud.incentives.services.records import (
    S,
    _check_move,
    _claimant,
    _event,
    _lock,
    _tell_claimant,
    _text,
)


def claim_window(policy: Policy, year: int) -> tuple[date, date]:
    """Claims for a year open the day after it ends and close ``claim_window_days`` later."""
    opens = date(year + 1, 1, 1)
    return opens, opens + timedelta(days=policy.claim_window_days - 1)


def _label(policy: Policy, item: Mapping[str, Any]) -> str:
    kind = policy.fact_kind
    if kind == "contracts":
        end = item.get("ends_on") or "—"
        return f"{item['date']} → {end}"
    if kind == "flexible":
        return f"{item['date']} · {item.get('days', 0)} d"
    if kind == "community_investment":
        return f"{item['date']} · {format_cny(Decimal(str(item['amount'])))}"
    if kind == "events":
        ends = item.get("ends_on", "")
        return f"{item['date']} → {ends} · {item.get('participants', 0)} · {item.get('venue', '')}"[
            :300
        ]
    return str(item["date"])


def _exclusive_nomads(organisation: Organisation, policy: Policy, year: int) -> set[str]:
    """Nomads already claimed under a policy this one may not be combined with."""
    if not policy.exclusive_with:
        return set()
    return set(
        ClaimItem.objects.filter(
            claim__organisation=organisation,
            claim__year=year,
            claim__policy__code__in=policy.exclusive_with,
        )
        .exclude(claim__status__in=(S.WITHDRAWN, S.REJECTED))
        .exclude(state=ClaimItem.State.EXCLUDED)
        .values_list("nomad_key", flat=True)
    )


@transaction.atomic
def start_claim(
    *,
    principal: Principal,
    organisation: Organisation,
    policy: Policy,
    year: int,
    today: date | None = None,
) -> Claim:
    """One click from an entitlement: a draft claim carrying the computation and one item
    per fact (each nomad, contract, training pass), from the facts the platform holds now."""
    access.check_claimant(principal, organisation, access.Action.CLAIM)
    return _open_claim(
        organisation=organisation,
        policy=policy,
        year=year,
        actor=principal.user,
        day=today or timezone.localdate(),
    )


@transaction.atomic
def claim_automatically(
    *,
    organisation: Organisation,
    policy: Policy,
    year: int,
    today: date | None = None,
    inputs: dict[str, Any] | None = None,
) -> Claim:
    """免申即享: for a policy in automatic mode the nightly job opens the claim itself, from
    the same computation and items as a one-click claim, and submits it to the department
    without an application; the organisation is told. The department still verifies each
    item (经核定) and everything after is the same as for an application. ``inputs``: the
    facts the job has just read for the organisation (read again when not given)."""
    if policy.mode != Policy.Mode.AUTOMATIC:
        raise Conflict(_("This policy is claimed by application."), code="not_automatic")
    claim = _open_claim(
        organisation=organisation,
        policy=policy,
        year=year,
        actor=None,
        day=today or timezone.localdate(),
        inputs=inputs,
    )
    before = claim.status
    claim.declaration = AUTOMATIC_DECLARATION
    claim.status = S.SUBMITTED
    claim.submitted_at = timezone.now()
    claim.save(update_fields=["declaration", "status", "submitted_at"])
    _event(claim, None, "submit_automatically", before)
    _tell_claimant(claim, str(S.SUBMITTED.label))
    return claim


# Stored on the claim in both languages (it is evidence, not a label).
AUTOMATIC_DECLARATION = (
    "免申即享：由平台根据其掌握的事实自动计算并提交，无需申请。"
    " / Claimed automatically (免申即享) from the facts the platform holds; no application."
)


def check_claimable(policy: Policy, year: int, day: date) -> None:
    """The policy holds platform facts, was in force in the year and its claim window is
    open on the day; raises the refusal otherwise."""
    if not facts.holds_facts(policy):
        raise DomainError(
            _("This policy's facts are declared to the department, not held by the platform."),
            code="not_platform_facts",
        )
    if year < policy.effective_from.year or (
        policy.effective_until is not None and year > policy.effective_until.year
    ):
        raise invalid_field(
            "year", _("The policy was not in force in that year."), code="outside_validity"
        )
    opens, closes = claim_window(policy, year)
    if day < opens:
        raise invalid_field(
            "year",
            _("The year is not over yet; claims open on %(d)s.") % {"d": opens},
            code="open_period",
        )
    if day > closes:
        raise invalid_field(
            "year", _("Claims for that year closed on %(d)s.") % {"d": closes}, code="window_closed"
        )


ITEM_FIELDS = (
    "claim",
    "reference",
    "nomad_key",
    "label",
    "data",
    "computed",
    "state",
    "reason_code",
    "reason",
)


def _open_claim(
    *,
    organisation: Organisation,
    policy: Policy,
    year: int,
    actor: User | None,
    day: date,
    inputs: dict[str, Any] | None = None,
) -> Claim:
    check_claimable(policy, year, day)
    if (
        Claim.objects.filter(organisation=organisation, policy=policy, year=year)
        .exclude(status=S.WITHDRAWN)
        .exists()
    ):
        raise Conflict(
            _("A claim under this policy for that year exists already."), code="duplicate_claim"
        )
    facts.check_claim(policy, organisation, year)
    if inputs is None:
        inputs = facts.inputs_by_organisation(policy, year, [organisation]).get(organisation.pk)
    if not inputs or not inputs.get("items"):
        raise InvalidInput(
            _("The platform holds no facts for this policy and year."), code="no_facts"
        )
    blocked = _exclusive_nomads(organisation, policy, year)
    counted_inputs = {
        **inputs,
        "items": [i for i in inputs["items"] if i.get("nomad") not in blocked],
    }
    params = parameters()
    keep_snapshot(params)
    decision = decide(policy, year, counted_inputs, params)
    record = decision_record(decision, policy, year, counted_inputs)
    try:
        with transaction.atomic():
            claim = Claim.objects.create(
                organisation=organisation,
                policy=policy,
                year=year,
                claimed_amount=decision.amount,
                inputs=inputs,
                facts={k: v for k, v in inputs.items() if k != "items"},
                decision=record,
                rule_version=decision.rule_version,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("A claim under this policy for that year exists already."), code="duplicate_claim"
        ) from None
    computed = _item_reasons(decision.reasons)
    items = []
    for item in inputs["items"]:
        ref = str(item["id"])
        code = "exclusive_policy" if item.get("nomad") in blocked else computed.get(ref, "")
        excluded = code not in ("", "counted")
        items.append(
            ClaimItem(
                claim=claim,
                reference=ref,
                nomad_key=str(item.get("nomad", "")),
                label=_label(policy, item),
                data=item,
                computed=code,
                state=ClaimItem.State.EXCLUDED if excluded else ClaimItem.State.PENDING,
                reason_code=code if excluded else "",
                reason=str(notices.exclusion_text(code)) if excluded else "",
            )
        )
    # one statement (COPY on PostgreSQL), the data written once as JSON text
    insert_rows(
        ClaimItem,
        ITEM_FIELDS,
        (
            (
                claim.pk,
                i.reference,
                i.nomad_key,
                i.label,
                json.dumps(i.data, ensure_ascii=False),
                i.computed,
                i.state,
                i.reason_code,
                i.reason,
            )
            for i in items
        ),
        json_text=("data",),
    )
    _event(claim, actor, "start", "", amount=decision.amount)
    return claim


def _item_reasons(reasons: Iterable[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for reason in reasons:
        parts = reason.split(":")
        if parts[0] == "counted" and len(parts) == 2:
            out[parts[1]] = "counted"
        elif parts[0] == "excluded" and len(parts) == 3:
            out[parts[1]] = parts[2]
    return out


@transaction.atomic
def submit_claim(*, principal: Principal, claim: Claim, declaration: str) -> Claim:
    """The claimant submits with a declaration that the facts are true."""
    user = _claimant(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "submit")
    claim.declaration = _text("declaration", declaration)
    before = claim.status
    claim.status = S.SUBMITTED
    claim.submitted_at = timezone.now()
    claim.save(update_fields=["declaration", "status", "submitted_at"])
    _event(claim, user, "submit", before)
    return claim


@transaction.atomic
def withdraw_claim(*, principal: Principal, claim: Claim) -> Claim:
    user = _claimant(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "withdraw")
    before = claim.status
    claim.status = S.WITHDRAWN
    claim.save(update_fields=["status"])
    _event(claim, user, "withdraw", before)
    return claim


@transaction.atomic
def verify_item(
    *,
    principal: Principal,
    claim: Claim,
    reference: str,
    counted: bool,
    reason_code: str = "",
    reason: str = "",
) -> ClaimItem:
    """The officer counts one fact or excludes it with a reason (经核定, item by item)."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "verify_item")
    item = claim.items.filter(reference=reference).first()
    if item is None:
        raise invalid_field("item", _("No such item in this claim."))
    if item.computed not in ("", "counted"):
        raise Conflict(_("The rule already excluded this item."), code="rule_excluded")
    if counted:
        item.state, item.reason_code, item.reason = ClaimItem.State.COUNTED, "", ""
    else:
        code = reason_code if reason_code in notices.OFFICER_REASONS else "other"
        item.state = ClaimItem.State.EXCLUDED
        item.reason_code = code
        item.reason = _text("reason", reason)
    item.decided_by = user
    item.decided_at = timezone.now()
    item.save(update_fields=["state", "reason_code", "reason", "decided_by", "decided_at"])
    before = claim.status
    if claim.status == S.SUBMITTED:
        claim.status = S.VERIFYING
        claim.save(update_fields=["status"])
    _event(
        claim,
        user,
        f"verify_item_{item.state}",
        before,
        reason=f"{item.reference}: {item.reason}".strip(),
    )
    return item


@transaction.atomic
def request_supplement(*, principal: Principal, claim: Claim, message: str) -> Claim:
    """One notice naming everything missing (一次性告知); the claimant answers once."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "request_supplement")
    before = claim.status
    claim.supplement_request = _text("message", message)
    claim.supplement_response = ""
    claim.status = S.SUPPLEMENT_REQUESTED
    claim.save(update_fields=["supplement_request", "supplement_response", "status"])
    _event(claim, user, "request_supplement", before, reason=claim.supplement_request)
    _tell_claimant(claim, str(S.SUPPLEMENT_REQUESTED.label))
    return claim


@transaction.atomic
def answer_supplement(*, principal: Principal, claim: Claim, response: str) -> Claim:
    user = _claimant(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "answer_supplement")
    before = claim.status
    claim.supplement_response = _text("response", response)
    claim.status = S.VERIFYING
    claim.save(update_fields=["supplement_response", "status"])
    _event(claim, user, "answer_supplement", before, reason=claim.supplement_response)
    return claim


def counted_inputs(claim: Claim) -> dict[str, Any]:
    """The inputs of the counted items only (what the fixed amount is computed from)."""
    items = [i.data for i in claim.items.all() if i.state == ClaimItem.State.COUNTED]
    return {**claim.facts, "items": items}


@transaction.atomic
def complete_verification(*, principal: Principal, claim: Claim) -> Claim:
    """Every item decided: the amount is fixed by the rule over the counted items. Nothing
    eligible is a rejection with its reasons (and the appeal window)."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "complete")
    if claim.items.filter(state=ClaimItem.State.PENDING).exists():
        raise Conflict(_("Verify every item first."), code="items_pending")
    inputs = counted_inputs(claim)
    params = parameters()
    keep_snapshot(params)
    decision = decide(claim.policy, claim.year, inputs, params)
    before = claim.status
    claim.decision = decision_record(decision, claim.policy, claim.year, inputs)
    claim.rule_version = decision.rule_version
    claim.amount = decision.amount
    claim.verified_by = user
    claim.decided_at = timezone.now()
    claim.status = S.VERIFIED if decision.eligible and decision.amount > 0 else S.REJECTED
    claim.save(
        update_fields=["decision", "rule_version", "amount", "verified_by", "decided_at", "status"]
    )
    _event(claim, user, "complete", before, amount=claim.amount)
    _tell_claimant(claim, str(claim.get_status_display()))
    return claim


@transaction.atomic
def reject_claim(*, principal: Principal, claim: Claim, reason: str) -> Claim:
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "reject")
    before = claim.status
    text = _text("reason", reason)
    claim.status = S.REJECTED
    claim.amount = Decimal("0.00")
    claim.verified_by = user
    claim.decided_at = timezone.now()
    claim.save(update_fields=["status", "amount", "verified_by", "decided_at"])
    _event(claim, user, "reject", before, reason=text)
    _tell_claimant(claim, str(S.REJECTED.label))
    return claim
