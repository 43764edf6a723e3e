"""The risk engine's rules: pure functions of the facts about one issuance of work units and
the parameters in force on the day it happened (``nomadcloud/risk/parameters/``, OpenFisca
format, ``core/rules.py``). Each rule has an id, a localized reason and the parameters it
read; a finding adds the rule's weight, and an issuance whose weights reach
``hold_threshold`` is held for a zone operator (docs/risk.md).

The facts are gathered by ``services.facts_for``; nothing here reads the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nomadcloud.core import rules
from nomadcloud.core.rules import Decision, Parameters, Value

RULES_VERSION = "risk-1"
PARAMETERS_DIR = Path(__file__).resolve().parent / "parameters"


@dataclass(frozen=True)
class Facts:
    """What is known about one issuance when it is assessed (``on``: the day the work was
    accepted, at which every parameter is read)."""

    on: date
    units: Decimal
    organisation_found: bool
    organisation_verified: bool
    contact_verified: bool
    holder_is_member: bool
    shared_contact: bool
    shared_device: bool
    shared_address: bool
    account_age_days: int
    largest_earlier: Decimal | None  # the organisation's largest earlier issuance, if any
    accounts_on_address: int  # most accounts seen on one address the holder used (window)
    circular: bool
    issued_this_month: Decimal  # by the organisation before this one, this calendar month


@dataclass(frozen=True)
class Rule:
    id: str
    reason: Promise  # with %(name)s placeholders filled from the finding's params
    weight: str  # the parameter holding the weight
    check: Callable[[Facts, Parameters, dict[str, tuple[date, Value]]], dict[str, Any] | None]


def _unverified_org(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    return {} if not (f.organisation_found and f.organisation_verified) else None


def _unverified_contact(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    return {} if not f.contact_verified else None


def _same_person(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    return {} if f.holder_is_member else None


def _same_contact(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    return {} if f.shared_contact else None


def _same_device(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    return {} if f.shared_device else None


def _same_address(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    return {} if f.shared_address else None


def _new_account(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    days = p.decimal("new_account_days", f.on, used)
    return {"age": f.account_age_days, "days": days} if f.account_age_days < days else None


def _amount_above_history(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    if f.largest_earlier is None:
        limit = p.decimal("first_issuance_limit", f.on, used)
        return {"units": f.units, "limit": limit} if f.units > limit else None
    ratio = p.decimal("history_multiplier", f.on, used)
    limit = f.largest_earlier * ratio
    return {"units": f.units, "limit": limit} if f.units > limit else None


def _many_identities(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    many = p.decimal("identities_per_address", f.on, used)
    hours = p.decimal("address_window_hours", f.on, used)
    if f.accounts_on_address >= many:
        return {"accounts": f.accounts_on_address, "hours": hours}
    return None


def _circular(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    return {} if f.circular else None


def _monthly_cap(f: Facts, p: Parameters, used: dict[str, tuple[date, Value]]) -> Any:
    cap = p.decimal("monthly_cap_per_organisation", f.on, used)
    total = f.issued_this_month + f.units
    return {"total": total, "cap": cap} if total > cap else None


RULES: tuple[Rule, ...] = (
    Rule(
        "unverified_organisation",
        _("The organisation that accepted the work is not verified."),
        "weight_unverified_organisation",
        _unverified_org,
    ),
    Rule(
        "unverified_contact",
        _("The person earning has not verified an e-mail address or mobile number."),
        "weight_unverified_contact",
        _unverified_contact,
    ),
    Rule(
        "same_person",
        _("The person earning is a member of the organisation that accepted the work."),
        "weight_same_person",
        _same_person,
    ),
    Rule(
        "same_contact",
        _("The person earning shares a mailbox or mobile number with an organisation member."),
        "weight_same_contact",
        _same_contact,
    ),
    Rule(
        "same_device",
        _("The person earning and a member of the organisation used the same device."),
        "weight_same_device",
        _same_device,
    ),
    Rule(
        "same_address",
        _("The person earning and a member of the organisation used the same client address."),
        "weight_same_address",
        _same_address,
    ),
    Rule(
        "new_account",
        _("The account earning is %(age)s days old (brand new: under %(days)s days)."),
        "weight_new_account",
        _new_account,
    ),
    Rule(
        "amount_above_history",
        _("%(units)s work units are far above the organisation's history (limit %(limit)s)."),
        "weight_amount_above_history",
        _amount_above_history,
    ),
    Rule(
        "many_identities",
        _("%(accounts)s accounts used one client address of this person within %(hours)s hours."),
        "weight_many_identities",
        _many_identities,
    ),
    Rule(
        "circular_flow",
        _(
            "A member of the organisation earned work units from an organisation this person "
            "belongs to (a circular flow)."
        ),
        "weight_circular_flow",
        _circular,
    ),
    Rule(
        "monthly_cap",
        _("The organisation would issue %(total)s units this month, over its cap of %(cap)s."),
        "weight_monthly_cap",
        _monthly_cap,
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}
REQUIRED = {"hold_threshold", *(rule.weight for rule in RULES)} | {
    "new_account_days",
    "first_issuance_limit",
    "history_multiplier",
    "identities_per_address",
    "address_window_hours",
    "monthly_cap_per_organisation",
}


@dataclass(frozen=True)
class Finding:
    rule: str
    weight: int
    params: dict[str, str]

    def plain(self) -> dict[str, Any]:
        return {"rule": self.rule, "weight": self.weight, "params": self.params}


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    return str(value)


def assess(facts: Facts, params: Parameters) -> tuple[Decision, tuple[Finding, ...]]:
    """Apply every rule; ``Decision.eligible`` is False when the issuance must be held,
    ``amount`` is what may be credited now (the units or nothing), ``reasons`` the ids of
    the rules that fired."""
    used: dict[str, tuple[date, Value]] = {}
    findings: list[Finding] = []
    for rule in RULES:
        fired = rule.check(facts, params, used)
        if fired is None:
            continue
        weight = params.decimal(rule.weight, facts.on, used)
        if weight <= 0:
            continue
        findings.append(Finding(rule.id, int(weight), {k: _text(v) for k, v in fired.items()}))
    threshold = params.decimal("hold_threshold", facts.on, used)
    score = sum(f.weight for f in findings)
    hold = score >= threshold
    decision = Decision(
        amount=Decimal(0) if hold else facts.units,
        eligible=not hold,
        reasons=tuple(f.rule for f in findings),
        params_used=used,
        rule_version=f"{RULES_VERSION}+{params.snapshot}",
    )
    return decision, tuple(findings)


def reason(finding: dict[str, Any]) -> str:
    """The localized reason of a stored finding."""
    rule = RULES_BY_ID.get(str(finding.get("rule", "")))
    if rule is None:
        return str(finding.get("rule", ""))
    params = finding.get("params") or {}
    try:
        return str(rule.reason) % params if params else str(rule.reason)
    except (KeyError, TypeError, ValueError):
        return str(rule.reason)


_loaded: Parameters | None = None


def parameters() -> Parameters:
    """The parameters shipped with the app, loaded and validated once (at start, from
    ``RiskConfig.ready``)."""
    global _loaded
    if _loaded is None:
        _loaded = rules.load_directory(PARAMETERS_DIR, required=REQUIRED)
    return _loaded
