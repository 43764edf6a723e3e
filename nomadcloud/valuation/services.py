"""Use cases of data asset valuation (docs/valuation.md): register an asset, request a
valuation, and move it through collect → legal gate → quality → compute → reconcile →
two signatures → issue (an immutable snapshot), or withdraw it. Every move is taken under a
row lock and writes an append-only event with who, when, why, the evidence and the rule
version; nothing is deleted. Callers pass a principal; services check who acts."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, InvalidInput, invalid_field
from nomadcloud.datapools.models import Pool
from nomadcloud.valuation import (
    access,
    compute,
    ledgers,
    methods,
    platform,
    snapshots,
    transitions,
)
from nomadcloud.valuation.inputs import (
    AssetDraft,
    CollectDraft,
    ComputeDraft,
    LegalGateDraft,
    QualityDraft,
    ReconcileDraft,
    RequestDraft,
)
from nomadcloud.valuation.models import (
    DataAsset,
    PriceObservation,
    Valuation,
    ValuationEvent,
    ValuationSnapshot,
)
from nomadcloud.valuation.transitions import RULE_VERSION, Side

S = Valuation.State


@transaction.atomic
def register_asset(*, principal: Principal, holder: Organisation, draft: AssetDraft) -> DataAsset:
    """A data asset of ``holder``; a data pool only by its steward."""
    user = require_person(principal)
    pool = None
    if draft.pool is not None:
        pool = Pool.objects.filter(public_id=draft.pool).first()
        if pool is None or pool.steward_id != holder.pk:
            raise invalid_field("pool", _("No data pool of this organisation has this id."))
    asset = DataAsset.objects.create(
        holder=holder,
        pool=pool,
        title=draft.title,
        category=draft.category,
        data_since=draft.data_since,
        created_by=user,
    )
    audit.record(
        actor=user,
        action="valuation.asset.register",
        obj=asset,
        organisation=holder,
        token=principal.token,
    )
    return asset


@transaction.atomic
def request_valuation(*, principal: Principal, draft: RequestDraft) -> Valuation:
    """The holder asks a licensed valuation firm for a valuation, reviewed by a department."""
    asset = access.asset_for(principal, draft.asset, edit=True)
    user = require_person(principal)
    valuer = Organisation.objects.filter(
        public_id=draft.valuer, kind=Organisation.Kind.ENTERPRISE
    ).first()
    if valuer is None:
        raise invalid_field("valuer", _("No such valuation firm."))
    if valuer.pk == asset.holder_id:
        raise invalid_field(
            "valuer", _("A holder cannot value its own asset."), code="valuer_not_independent"
        )
    department = Organisation.objects.filter(
        public_id=draft.department, kind=Organisation.Kind.DEPARTMENT
    ).first()
    if department is None:
        raise invalid_field("department", _("No such department."))
    if draft.valuation_date < asset.data_since:
        raise invalid_field(
            "valuation_date",
            _("The valuation date is before the data existed (%(since)s).")
            % {"since": asset.data_since.isoformat()},
            code="before_data_existed",
        )
    valuation = Valuation.objects.create(
        asset=asset,
        purpose=draft.purpose,
        valuation_date=draft.valuation_date,
        valuer=valuer,
        department=department,
        requested_by=user,
    )
    _event(valuation, principal, "request", "", S.DRAFT)
    return valuation


def _event(
    valuation: Valuation,
    principal: Principal,
    action: str,
    before: str,
    after: str,
    *,
    reason: str = "",
    evidence: dict[str, Any] | None = None,
) -> None:
    ValuationEvent.objects.create(
        valuation=valuation,
        actor=principal.user,
        action=action,
        from_state=before,
        to_state=after,
        reason=reason[:500],
        evidence=evidence or {},
        rule_version=RULE_VERSION,
    )
    audit.record(
        actor=principal.user,
        action=f"valuation.{action}",
        obj=valuation,
        organisation=valuation.asset.holder,
        before={"state": before},
        after={"state": after},
        token=principal.token,
    )


def _locked(valuation: Valuation) -> Valuation:
    return (
        Valuation.objects.select_for_update(of=("self",))
        .select_related("asset__holder", "asset__pool", "valuer", "department")
        .get(pk=valuation.pk)
    )


def _begin(principal: Principal, valuation: Valuation, action: str) -> tuple[Valuation, str]:
    valuation = _locked(valuation)
    target, side = transitions.check(valuation, action)
    access.require_side(principal, valuation, side)
    return valuation, target


def _clear_signatures(valuation: Valuation) -> None:
    valuation.valuer_signed_by = None
    valuation.valuer_signed_at = None
    valuation.reviewer_signed_by = None
    valuation.reviewer_signed_at = None


def _save(valuation: Valuation, principal: Principal, action: str, target: str, **kw: Any) -> None:
    before = valuation.state
    valuation.state = target
    valuation.save()
    _event(valuation, principal, action, before, target, **kw)


@transaction.atomic
def collect(*, principal: Principal, valuation: Valuation, draft: CollectDraft) -> Valuation:
    """The cost lines with their sources, and (for a pool) the platform's own facts."""
    valuation, target = _begin(principal, valuation, "collect")
    asset = valuation.asset
    facts = platform.facts(asset, valuation.valuation_date) if asset.pool_id else {}
    ledger = ledgers.proposed_costs(valuation)
    if ledger:  # what the platform's ledgers show, beside what the valuer collected
        facts = {**facts, "ledger_costs": ledger}
    valuation.collected = {**draft.model_dump(mode="json"), "platform": facts}
    _save(valuation, principal, "collect", target, evidence={"platform": facts})
    return valuation


def _expiry(legal: LegalGateDraft) -> date | None:
    dates = [r.expires_on for r in legal.rights if r.expires_on is not None]
    if legal.consent_expires_on is not None:
        dates.append(legal.consent_expires_on)
    return min(dates) if dates else None


def legal_failures(draft: LegalGateDraft, valuation_date: date) -> dict[str, str]:
    """Why the data has no legal basis (empty: it has one), by code; the page's confirmation
    shows the same before the step is taken."""
    held = {r.right for r in draft.rights}
    failures: dict[str, str] = {}
    if "resource_holding" not in held:
        failures["no_holding_right"] = _("the holder has no right to hold the data resource")
    if not draft.consent_scope_covers_purpose:
        failures["consent_scope"] = _("the consents given do not cover this purpose")
    expiry = _expiry(draft)
    if expiry is not None and expiry <= valuation_date:
        failures["expired"] = _("a right or the consent has expired by the valuation date")
    return failures


@transaction.atomic
def legal_gate(*, principal: Principal, valuation: Valuation, draft: LegalGateDraft) -> Valuation:
    """The rights chain (数据二十条: holding, processing and use, product operation) with its
    evidence, and the consent scope. No legal basis: ``not_recognisable``, and it stops."""
    valuation, target = _begin(principal, valuation, "legal_gate")
    if not draft.rights:
        raise invalid_field(
            "rights",
            _("Give the evidence of each right the holder has in the data."),
            code="rights_evidence_missing",
        )
    failures = legal_failures(draft, valuation.valuation_date)
    valuation.legal = draft.model_dump(mode="json")
    if failures:
        target = S.NOT_RECOGNISABLE
    _save(
        valuation,
        principal,
        "legal_gate",
        target,
        reason="; ".join(failures.values()),
        evidence={"rights": [r.evidence for r in draft.rights], "failures": list(failures)},
    )
    return valuation


@transaction.atomic
def assess_quality(*, principal: Principal, valuation: Valuation, draft: QualityDraft) -> Valuation:
    valuation, target = _begin(principal, valuation, "assess")
    valuation.quality = {
        **draft.model_dump(mode="json"),
        "coefficient": str(compute.quality_coefficient(draft.model_dump(mode="json"))),
    }
    _save(valuation, principal, "assess", target)
    return valuation


@transaction.atomic
def compute_values(*, principal: Principal, valuation: Valuation, draft: ComputeDraft) -> Valuation:
    """The value by each approach used; a recomputation clears the reconciliation and the
    signatures."""
    valuation, target = _begin(principal, valuation, "compute")
    legal = LegalGateDraft.model_validate(valuation.legal)
    expiry = _expiry(legal)
    if draft.income is not None and expiry is not None:
        years = len(draft.income.cash_flows)
        end = _add_years(valuation.valuation_date, years)
        if end > expiry:
            raise invalid_field(
                "income.cash_flows",
                _("%(n)s years run past the rights' expiry on %(date)s.")
                % {"n": years, "date": expiry.isoformat()},
                code="beyond_rights_expiry",
            )
        if draft.income.terminal_growth is not None:
            raise invalid_field(
                "income.terminal_growth",
                _("Rights that expire on %(date)s cannot earn a perpetual terminal value.")
                % {"date": expiry.isoformat()},
                code="beyond_rights_expiry",
            )
    cost = draft.cost
    if cost is not None and cost.basis == "replacement" and cost.replacement_cost is None:
        raise invalid_field("cost.replacement_cost", _("Give the replacement cost."))
    inputs = draft.model_dump(mode="json")
    valuation.inputs = inputs
    valuation.results = compute.evaluate(valuation.collected, valuation.quality, inputs)
    valuation.reconciliation = {}
    valuation.final_value = None
    _clear_signatures(valuation)
    _save(valuation, principal, "compute", target)
    return valuation


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def reconcile(*, principal: Principal, valuation: Valuation, draft: ReconcileDraft) -> Valuation:
    valuation, target = _begin(principal, valuation, "reconcile")
    unknown = [m for m in draft.weights if m not in valuation.results]
    if unknown:
        raise invalid_field(
            "weights",
            _("These approaches were not computed: %(m)s.") % {"m": ", ".join(sorted(unknown))},
        )
    weights: dict[str, Decimal] = {str(m): w for m, w in draft.weights.items()}
    values = {m: Decimal(valuation.results[m]["value"]) for m in weights}
    final = methods.reconciled(values, weights)
    valuation.reconciliation = draft.model_dump(mode="json")
    valuation.final_value = final
    _clear_signatures(valuation)
    _save(valuation, principal, "reconcile", target, evidence={"final_value": str(final)})
    return valuation


@transaction.atomic
def sign(*, principal: Principal, valuation: Valuation) -> Valuation:
    """The licensed valuer's signature (a person of the valuation firm)."""
    valuation, target = _begin(principal, valuation, "sign")
    user = require_person(principal)
    if valuation.reviewer_signed_by_id == user.pk:
        raise Conflict(_("The two signatures must be by two persons."), code="same_person")
    valuation.valuer_signed_by = user
    valuation.valuer_signed_at = timezone.now()
    if valuation.reviewer_signed_by_id:
        target = S.REVIEWED
    _save(valuation, principal, "sign", target)
    return valuation


@transaction.atomic
def review(*, principal: Principal, valuation: Valuation) -> Valuation:
    """The department reviewer's signature, the second pair of eyes."""
    valuation, target = _begin(principal, valuation, "review")
    user = require_person(principal)
    if valuation.valuer_signed_by_id == user.pk:
        raise Conflict(_("The two signatures must be by two persons."), code="same_person")
    valuation.reviewer_signed_by = user
    valuation.reviewer_signed_at = timezone.now()
    if valuation.valuer_signed_by_id:
        target = S.REVIEWED
    _save(valuation, principal, "review", target)
    return valuation


@transaction.atomic
def issue(*, principal: Principal, valuation: Valuation) -> Valuation:
    """The immutable snapshot with its disclosures; an earlier issued valuation of the same
    asset is superseded; the value joins the asset's price series."""
    valuation, target = _begin(principal, valuation, "issue")
    user = require_person(principal)
    if valuation.state != S.REVIEWED:
        raise Conflict(
            _("Both the licensed valuer and the department reviewer must sign first."),
            code="second_reviewer_missing",
        )
    now = timezone.now()
    content = snapshots.content(valuation, issued_at=now)
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    snapshot = ValuationSnapshot.objects.create(
        valuation=valuation,
        content=content,
        sha256=hashlib.sha256(canonical.encode()).hexdigest(),
        issued_by=user,
        issued_at=now,
    )
    for earlier in Valuation.objects.select_for_update().filter(
        asset=valuation.asset, state=S.ISSUED
    ):
        earlier.state = S.SUPERSEDED
        earlier.superseded_by = valuation
        earlier.save(update_fields=["state", "superseded_by"])
        _event(
            earlier,
            principal,
            "supersede",
            S.ISSUED,
            S.SUPERSEDED,
            evidence={"by": str(valuation.public_id)},
        )
    assert valuation.final_value is not None
    PriceObservation.objects.create(
        asset=valuation.asset,
        kind=PriceObservation.Kind.VALUATION,
        observed_on=valuation.valuation_date,
        price=valuation.final_value,
        source=f"valuation:{valuation.public_id}",
        recorded_by=user,
    )
    _save(valuation, principal, "issue", target, evidence={"sha256": snapshot.sha256})
    return valuation


@transaction.atomic
def withdraw(*, principal: Principal, valuation: Valuation, reason: str) -> Valuation:
    valuation, target = _begin(principal, valuation, "withdraw")
    if not reason.strip():
        raise invalid_field("reason", _("Say why the valuation is withdrawn."))
    _save(valuation, principal, "withdraw", target, reason=reason.strip())
    return valuation


def move(*, principal: Principal, valuation: Valuation, action: str, reason: str = "") -> Valuation:
    """The moves that take no input: sign, review, issue, withdraw."""
    if action == "sign":
        return sign(principal=principal, valuation=valuation)
    if action == "review":
        return review(principal=principal, valuation=valuation)
    if action == "issue":
        return issue(principal=principal, valuation=valuation)
    if action == "withdraw":
        return withdraw(principal=principal, valuation=valuation, reason=reason)
    raise InvalidInput(
        _("Not a move: %(action)s.") % {"action": action}, fields={"action": [_("Unknown.")]}
    )


__all__ = ["Side"]
