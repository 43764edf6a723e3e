"""The anti-fraud rules of voucher redemption: pure functions of the facts about one
redemption and the parameters in force on the day the enterprise confirmed delivery
(``nomadcloud/vouchers/parameters/``, OpenFisca format, read through ``core/rules.py``).
Any finding holds the redemption for the department's review; none refuses it (the refusals
are the service's: an unregistered provider, an invoice outside the validity, a duplicate
invoice number, an amount above the face value, a second redemption).

The facts are gathered by ``services.redemption_facts``; nothing here reads the database."""

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

RULES_VERSION = "vouchers-1"
PARAMETERS_DIR = Path(__file__).resolve().parent / "parameters"
Used = dict[str, tuple[date, Value]]


@dataclass(frozen=True)
class Facts:
    on: date  # the day the rules read their parameters at (the enterprise's confirmation)
    amount: Decimal
    issued_on: date
    delivered_on: date
    evidence_files: int
    related: tuple[str, ...]  # what the provider and the holder share: "legal_representative", …
    nearby_invoices: tuple[str, ...]  # other invoices of the pair within the window (numbers)


@dataclass(frozen=True)
class Rule:
    id: str
    reason: Promise
    check: Callable[[Facts, Parameters, Used], dict[str, Any] | None]


def _related(f: Facts, p: Parameters, used: Used) -> dict[str, Any] | None:
    start, on = p.at("hold_related_parties", f.on)
    used["hold_related_parties"] = (start, on)
    if on is not True or not f.related:
        return None
    return {"shared": ",".join(f.related)}


def _split(f: Facts, p: Parameters, used: Used) -> dict[str, Any] | None:
    days = p.decimal("split_invoice_window_days", f.on, used)
    if not f.nearby_invoices:
        return None
    return {"invoices": ", ".join(f.nearby_invoices), "days": days}


def _no_evidence(f: Facts, p: Parameters, used: Used) -> dict[str, Any] | None:
    needed = p.decimal("min_evidence_files", f.on, used)
    return {"files": f.evidence_files, "needed": needed} if f.evidence_files < needed else None


def _late(f: Facts, p: Parameters, used: Used) -> dict[str, Any] | None:
    days = p.decimal("completion_days", f.on, used)
    taken = (f.delivered_on - f.issued_on).days
    return {"taken": taken, "days": days} if taken > days else None


RULES: tuple[Rule, ...] = (
    Rule(
        "related_parties",
        _("The provider and the voucher holder are related: they share %(shared)s."),
        _related,
    ),
    Rule(
        "split_invoices",
        _(
            "The same provider invoiced the same enterprise within %(days)s days on other "
            "vouchers (%(invoices)s): the work may have been split."
        ),
        _split,
    ),
    Rule(
        "no_delivery_evidence",
        _("The redemption carries %(files)s delivery evidence files; %(needed)s are needed."),
        _no_evidence,
    ),
    Rule(
        "late_completion",
        _("The service was delivered %(taken)s days after issue, later than %(days)s days."),
        _late,
    ),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}
REQUIRED = {
    "hold_related_parties",
    "split_invoice_window_days",
    "min_evidence_files",
    "completion_days",
}


def _text(value: Any) -> str:
    if isinstance(value, Decimal):
        return str(int(value)) if value == value.to_integral_value() else str(value)
    return str(value)


def screen(facts: Facts, params: Parameters) -> tuple[Decision, list[dict[str, Any]]]:
    """Apply every rule. ``Decision.eligible`` is False when the redemption must be held;
    the findings are ``{"rule", "params"}`` for storing and showing."""
    used: Used = {}
    findings: list[dict[str, Any]] = []
    for rule in RULES:
        fired = rule.check(facts, params, used)
        if fired is not None:
            findings.append({"rule": rule.id, "params": {k: _text(v) for k, v in fired.items()}})
    decision = Decision(
        amount=facts.amount if not findings else Decimal(0),
        eligible=not findings,
        reasons=tuple(f["rule"] for f in findings),
        params_used=used,
        rule_version=f"{RULES_VERSION}+{params.snapshot}",
    )
    return decision, findings


SHARED_LABELS = {
    "legal_representative": _("legal representative"),
    "registered_address": _("registered address"),
    "bank_account": _("bank account"),
    "member": _("a person in both organisations"),
}


def reason(finding: dict[str, Any]) -> str:
    """The localized reason of a stored finding."""
    rule = RULES_BY_ID.get(str(finding.get("rule", "")))
    if rule is None:
        return str(finding.get("rule", ""))
    params = dict(finding.get("params") or {})
    if "shared" in params:
        codes = str(params["shared"]).split(",")
        params["shared"] = ", ".join(str(SHARED_LABELS.get(c, c)) for c in codes)
    try:
        return str(rule.reason) % params if params else str(rule.reason)
    except (KeyError, TypeError, ValueError):
        return str(rule.reason)


_loaded: Parameters | None = None


def parameters() -> Parameters:
    """The parameters shipped with the app, validated once at start (``VouchersConfig``)."""
    global _loaded
    if _loaded is None:
        _loaded = rules.load_directory(PARAMETERS_DIR, required=REQUIRED)
    return _loaded


def window_days(on: date) -> int:
    """The split-invoice window in force on ``on`` (the service looks the invoices up)."""
    return int(parameters().decimal("split_invoice_window_days", on, {}))
