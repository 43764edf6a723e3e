"""Use cases of incentives: entitlements (政策找企业), claims verified item by item (经核定),
appeals, clawbacks, the recalculation diff and the simulation of a parameter change.

Every decision stores its inputs, the rule version (book/rule@version+snapshot) and the
trace; the parameter files of each snapshot are kept (``ParameterSnapshot``), so
``reproduce`` re-runs any stored decision to the cent."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator, require_person
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, publicity, rules
from nomadcloud.core.errors import Conflict, DomainError, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.money import format_cny, to_cny
from nomadcloud.core.rules import Decision, Parameters
from nomadcloud.incentives import access, facts, notices, policies
from nomadcloud.incentives.models import (
    Appeal,
    Claim,
    ClaimEvent,
    ClaimItem,
    Entitlement,
    Introduction,
    ParameterSnapshot,
    Policy,
)
from nomadcloud.incentives.transitions import MOVES
from nomadcloud.notifications.services import notify
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.events import PayoutChanged
from nomadcloud.payouts.models import Budget

S = Claim.Status
UNPAID = (S.DRAFT, S.SUBMITTED, S.VERIFYING, S.SUPPLEMENT_REQUESTED, S.VERIFIED, S.PUBLICITY)
MAX_TEXT = 4000


# --- the rules, their parameters and stored decisions ------------------------------------


def parameters() -> Parameters:
    return policies.parameters()


def keep_snapshot(params: Parameters) -> None:
    """Store the parameter files of a snapshot once (for ``reproduce``)."""
    if ParameterSnapshot.objects.filter(snapshot=params.snapshot).exists():
        return
    texts = {name: _parameter_text(p) for name, p in sorted(params.items.items())}
    ParameterSnapshot.objects.get_or_create(snapshot=params.snapshot, defaults={"texts": texts})


def _parameter_text(p: rules.Parameter) -> str:
    lines = [
        f"description: {_quoted(p.description)}",
        "metadata:",
        f"  unit: {p.unit}",
        f"  reference: {_quoted(p.reference)}",
        "values:",
    ]
    for start, value in p.values:
        if isinstance(value, Decimal):
            text = f'"{value}"'
        elif value is None:
            text = "null"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        else:
            text = _quoted(value)
        lines += [f"  {start.isoformat()}:", f"    value: {text}"]
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def snapshot_parameters(snapshot: str) -> Parameters:
    """The parameters of a stored snapshot (the shipped ones when it is current)."""
    current = parameters()
    if snapshot == current.snapshot:
        return current
    stored = ParameterSnapshot.objects.get(snapshot=snapshot)
    loaded = rules.load_texts(stored.texts.items())
    return rules.Parameters(loaded.items, snapshot)


def decide(
    policy: Policy, year: int, inputs: Mapping[str, Any], params: Parameters | None = None
) -> Decision:
    return policies.BOOK.decide(policy.rule, inputs, rules.parse_period(str(year)), params)


def trace(decision: Decision, rule: str, year: int) -> dict[str, Any]:
    """The flat trace in OpenFisca's shape: variable<period> → value, dependencies and the
    parameters with the date their value took effect."""
    return {
        f"{rule}<{year}>": {
            "value": [str(decision.amount)],
            "dependencies": [f"items<{year}>"],
            "parameters": {
                f"{name}<{start.isoformat()}>": str(value)
                for name, (start, value) in sorted(decision.params_used.items())
            },
        }
    }


def decision_record(
    decision: Decision, policy: Policy, year: int, inputs: Mapping[str, Any]
) -> dict[str, Any]:
    return {
        "amount": str(decision.amount),
        "eligible": decision.eligible,
        "reasons": list(decision.reasons),
        "params_used": rules.plain(decision.params_used),
        "rule_version": decision.rule_version,
        "inputs": dict(inputs),
        "trace": trace(decision, policy.rule, year),
    }


def snapshot_of(rule_version: str) -> str:
    return rule_version.rsplit("+", 1)[-1]


def reproduce(policy: Policy, year: int, record: Mapping[str, Any]) -> Decimal:
    """Re-run a stored decision with its own inputs and parameter snapshot."""
    params = snapshot_parameters(snapshot_of(str(record["rule_version"])))
    return decide(policy, year, record["inputs"], params).amount


# --- entitlements (政策找企业) ------------------------------------------------------------


def platform_policies() -> list[Policy]:
    return list(Policy.objects.filter(fact_kind__in=facts.PLATFORM_FACTS).order_by("id"))


def compute_entitlements(
    year: int,
    *,
    notify_organisations: bool = True,
    organisations: Iterable[Organisation] | None = None,
    now: datetime | None = None,
) -> int:
    """Compute every organisation's entitlement under each policy the platform has facts
    for, for one year; store them (inputs, decision, trace); tell each organisation's
    owners and administrators when an amount is new or changed. Returns the number stored."""
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
            Entitlement.objects.bulk_create(creates, batch_size=2000)
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
    return stored


def _claimants(org_ids: Iterable[int]) -> dict[int, list[User]]:
    people: dict[int, list[User]] = {}
    for membership in Membership.objects.filter(
        organisation_id__in=list(org_ids), role__in=access.CLAIMANTS
    ).select_related("user"):
        people.setdefault(membership.organisation_id, []).append(membership.user)
    return people


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


# --- introductions ------------------------------------------------------------------------


@transaction.atomic
def record_introduction(
    *,
    principal: Principal,
    organisation: Organisation,
    nomad: User,
    introduced_on: date,
    channel: str,
    evidence: str,
) -> Introduction:
    """The introducer records that it brought a nomad in; confirmed at once when the nomad
    is certified and has a contract or engagement in the zone within the window."""
    access.check_claimant(principal, organisation, access.Action.RECORD)
    if channel not in Introduction.Channel.values:
        raise invalid_field("channel", _("Choose a channel."))
    today = timezone.localdate()
    if introduced_on > today:
        raise invalid_field("introduced_on", _("The date is in the future."))
    if not nomad.is_nomad:
        raise invalid_field("nomad", _("This person is not registered as a nomad."))
    if Introduction.objects.filter(
        nomad=nomad, introducer=organisation, introduced_on=introduced_on
    ).exists():
        raise Conflict(_("This introduction is already recorded."), code="duplicate_introduction")
    introduction = Introduction.objects.create(
        nomad=nomad,
        introducer=organisation,
        introduced_on=introduced_on,
        channel=channel,
        evidence=_text("evidence", evidence, required=False),
        recorded_by=principal.user,
    )
    if facts.introduction_confirmable(introduction, today):
        introduction.status = Introduction.Status.CONFIRMED
        introduction.confirmed_on = today
        introduction.save(update_fields=["status", "confirmed_on"])
    audit.record(
        actor=principal.user,
        action="incentives.introduction.record",
        obj=introduction,
        organisation=organisation,
        after={"status": introduction.status, "introduced_on": introduced_on.isoformat()},
    )
    return introduction


# --- claims ---------------------------------------------------------------------------------


def claim_window(policy: Policy, year: int) -> tuple[date, date]:
    """Claims for a year open the day after it ends and close ``claim_window_days`` later."""
    opens = date(year + 1, 1, 1)
    return opens, opens + timedelta(days=policy.claim_window_days - 1)


def _text(field: str, value: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    clean = (value or "").strip()
    if required and not clean:
        raise invalid_field(field, _("This field is required."))
    if len(clean) > limit:
        raise invalid_field(field, _("At most %(n)s characters.") % {"n": limit})
    return clean


def _event(
    claim: Claim,
    actor: User | None,
    action: str,
    before: str,
    *,
    reason: str = "",
    amount: Decimal | None = None,
) -> None:
    ClaimEvent.objects.create(
        claim=claim,
        actor=actor,
        action=action,
        from_status=before,
        to_status=claim.status,
        reason=reason,
        amount=amount,
        rule_version=claim.rule_version,
    )
    audit.record(
        actor=actor,
        action=f"incentives.claim.{action}",
        obj=claim,
        organisation=claim.organisation,
        before={"status": before},
        after={"status": claim.status, **({"amount": str(amount)} if amount is not None else {})},
    )


def _tell_claimant(claim: Claim, what: str) -> None:
    for user in _claimants([claim.organisation_id]).get(claim.organisation_id, []):
        notify(
            user,
            notices.CLAIM_CHANGED.key,
            params={
                "policy_zh": claim.policy.title_zh,
                "policy_en": claim.policy.title_en,
                "year": claim.year,
                "status": what,
            },
            url=reverse("incentives:claim", args=[claim.public_id]),
        )


def _label(policy: Policy, item: Mapping[str, Any]) -> str:
    kind = policy.fact_kind
    if kind == "contracts":
        end = item.get("ends_on") or "—"
        return f"{item['date']} → {end}"
    if kind == "flexible":
        return f"{item['date']} · {item.get('days', 0)} d"
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
    day = today or timezone.localdate()
    if policy.fact_kind not in facts.PLATFORM_FACTS:
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
    if (
        Claim.objects.filter(organisation=organisation, policy=policy, year=year)
        .exclude(status=S.WITHDRAWN)
        .exists()
    ):
        raise Conflict(
            _("A claim under this policy for that year exists already."), code="duplicate_claim"
        )
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
                created_by=principal.user,
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
    ClaimItem.objects.bulk_create(items)
    _event(claim, principal.user, "start", "", amount=decision.amount)
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


def _lock(claim: Claim) -> Claim:
    locked = (
        Claim.objects.select_for_update().select_related("policy", "organisation").get(pk=claim.pk)
    )
    claim.status = locked.status
    return locked


def _check_move(claim: Claim, move: str) -> None:
    if move not in MOVES[claim.status]:
        raise Conflict(
            _("This claim cannot do that now (it is %(status)s).")
            % {"status": claim.get_status_display()},
            code="wrong_state",
        )


def _claimant(principal: Principal, claim: Claim) -> User | None:
    access.check_claimant(principal, claim.organisation, access.Action.CLAIM)
    return principal.user


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
        "verify_item",
        before,
        reason=f"{item.reference}: {item.state} {item.reason}".strip(),
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


NOTICE_KIND = "incentives.claim"


def programme_code(policy: Policy) -> str:
    """The payouts programme of a policy (one budget per policy and year of facts)."""
    return f"incentives-{policy.code}"


@transaction.atomic
def open_publicity(*, principal: Principal, claim: Claim, at: datetime | None = None) -> Claim:
    """The verified amount goes on the public 公示 list for the policy's working days
    (``core/publicity.py``); objections may be filed while it runs."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "open_publicity")
    org_zh = claim.organisation.name_zh or claim.organisation.name_en
    org_en = claim.organisation.name_en or claim.organisation.name_zh
    publicity.open_notice(
        subject_kind=NOTICE_KIND,
        subject_id=str(claim.public_id),
        title={
            "zh-Hans": f"{claim.policy.title_zh}（{claim.year}年度）公示：{org_zh}",
            "en": f"{claim.policy.title_en} ({claim.year}): {org_en}",
        },
        body={
            "zh-Hans": f"{org_zh} 经核定可获 {format_cny(claim.amount)}。"
            "公示期内如有异议，请提出。",
            "en": f"{org_en} was verified for {format_cny(claim.amount)}. Object during the notice "
            "period if you know a reason it is undue.",
        },
        working_days=claim.policy.publicity_days,
        actor=user,
        at=at,
    )
    before = claim.status
    claim.status = S.PUBLICITY
    claim.save(update_fields=["status"])
    _event(claim, user, "open_publicity", before)
    return claim


def budget_for(policy: Policy, year: int) -> Budget:
    budget = Budget.objects.filter(programme_code=programme_code(policy), year=year).first()
    if budget is None:
        raise Conflict(_("No budget is set for this policy and year."), code="no_budget")
    return budget


@transaction.atomic
def approve_claim(*, principal: Principal, claim: Claim, now: datetime | None = None) -> Claim:
    """After 公示 (ended, no objection pending or upheld): approved by an officer other than
    the verifier (four-eyes). The amount is committed in the policy's budget under its lock
    (refused above what is available) and its payout approved to the organisation; the
    finance officer schedules, sends and confirms it in payouts."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "approve")
    if claim.verified_by_id == user.pk:
        raise Forbidden(_("The officer who verified a claim may not approve it."), code="four_eyes")
    publicity.assert_may_advance(NOTICE_KIND, str(claim.public_id), now=now)
    budget = budget_for(claim.policy, claim.year)
    commitment = payouts.commit(
        budget,
        subject_kind=NOTICE_KIND,
        subject_id=str(claim.public_id),
        amount=claim.amount,
        actor=user,
        reason=f"{claim.policy.code} {claim.year}",
    )
    payout = payouts.approve_payout(
        commitment,
        payee_kind="accounts.organisation",
        payee_id=str(claim.organisation.public_id),
        amount=claim.amount,
        actor=user,
    )
    before = claim.status
    claim.status = S.APPROVED
    claim.approved_by = user
    claim.decided_at = timezone.now()
    claim.commitment = commitment
    claim.payout = payout
    claim.save(update_fields=["status", "approved_by", "decided_at", "commitment", "payout"])
    _event(claim, user, "approve", before, amount=claim.amount)
    _tell_claimant(claim, str(S.APPROVED.label))
    return claim


def record_payout_change(change: PayoutChanged, action: str) -> None:
    """A payout of a claim was confirmed, failed or reversed: the claim's history says so
    and its organisation is told (payouts tells us by event; it never calls us)."""
    if change.subject_kind != NOTICE_KIND:
        return
    claim = (
        Claim.objects.filter(public_id=change.subject_id)
        .select_related("policy", "organisation")
        .first()
    )
    if claim is None:
        return
    ClaimEvent.objects.create(
        claim=claim,
        actor_id=change.actor_id,
        action=action,
        from_status=claim.status,
        to_status=claim.status,
        reason=change.external_reference,
        amount=change.amount,
        rule_version=claim.rule_version,
    )
    _tell_claimant(claim, change.status)


@transaction.atomic
def file_appeal(*, principal: Principal, claim: Claim, grounds: str) -> Appeal:
    """Against a rejection or the amount, within the policy's appeal window."""
    user = require_person(principal)
    _claimant(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "appeal")
    decided = claim.decided_at or timezone.now()
    if timezone.now() > decided + timedelta(days=claim.policy.appeal_days):
        raise Conflict(_("The appeal window has closed."), code="appeal_window_closed")
    appeal = Appeal.objects.create(
        claim=claim, grounds=_text("grounds", grounds), previous_status=claim.status, filed_by=user
    )
    before = claim.status
    claim.status = S.APPEAL_REVIEW
    claim.save(update_fields=["status"])
    _event(claim, user, "appeal", before, reason=appeal.grounds)
    return appeal


@transaction.atomic
def decide_appeal(*, principal: Principal, claim: Claim, upheld: bool, reason: str) -> Appeal:
    """Another officer than the verifier decides. Upheld: the claim is verified again (the
    officer's exclusions reopened); dismissed: it returns to where it was."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "decide_appeal")
    if claim.verified_by_id == user.pk:
        raise Forbidden(
            _("The officer who verified a claim may not decide its appeal."), code="four_eyes"
        )
    appeal = claim.appeals.filter(status=Appeal.Status.PENDING).first()
    if appeal is None:
        raise Conflict(_("No appeal is pending."), code="no_appeal")
    appeal.status = Appeal.Status.UPHELD if upheld else Appeal.Status.DISMISSED
    appeal.reason = _text("reason", reason)
    appeal.decided_by = user
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    before = claim.status
    if upheld:
        claim.items.filter(state=ClaimItem.State.EXCLUDED, computed__in=("", "counted")).update(
            state=ClaimItem.State.PENDING,
            reason_code="",
            reason="",
            decided_by=None,
            decided_at=None,
        )
        claim.status = S.VERIFYING
    else:
        claim.status = appeal.previous_status
    claim.save(update_fields=["status"])
    _event(claim, user, "decide_appeal", before, reason=appeal.reason)
    _tell_claimant(claim, str(appeal.get_status_display()))
    return appeal


@transaction.atomic
def claw_back(*, principal: Principal, claim: Claim, amount: object, reason: str) -> Claim:
    """A later finding: part or all of an approved amount is undue. Recorded as an event
    with the amount (never a delete); the whole amount clawed back reverses the claim."""
    user = access.require_officer(principal, claim)
    claim = _lock(claim)
    _check_move(claim, "claw_back")
    try:
        value = to_cny(amount)
    except ValueError as exc:
        raise invalid_field("amount", str(exc)) from None
    remaining = claim.amount - claim.clawed_back
    if value <= 0 or value > remaining:
        raise invalid_field(
            "amount",
            _("Between ¥0.01 and the %(left)s not yet clawed back.")
            % {"left": format_cny(remaining)},
            code="clawback_too_large",
        )
    text = _text("reason", reason)
    before = claim.status
    claim.clawed_back += value
    if claim.clawed_back == claim.amount:
        claim.status = S.REVERSED
    claim.save(update_fields=["clawed_back", "status"])
    _event(claim, user, "claw_back", before, reason=text, amount=-value)
    _tell_claimant(claim, str(claim.get_status_display()))
    return claim


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
