"""The certification criteria as a rule book of the dated-rules core (``core/rules.py``),
so that ``nomadcloud rules test`` checks them with the other rules.

The criteria stay data of the zone operator's ``RuleSet`` versions (immutable, dated by
``effective_from``/``effective_until``: the precedent §3.3 names); the rule here is the same
pure evaluation (``evaluator.py``) returning a ``Decision``: ``eligible`` is whether the
applicant qualifies, ``amount`` the months a certificate would last, ``reasons`` one
``met:KEY`` or ``unmet:KEY`` per criterion. A YAML case gives ``criteria`` and ``facts``."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from nomadcloud.core import rules
from nomadcloud.core.rules import Decision, Parameters, Period
from nomadcloud.talent import evaluator

TESTS_DIR = Path(__file__).resolve().parent / "rule_tests"
NO_PARAMETERS = Parameters({}, "criteria")


def facts_from(raw: Mapping[str, Any]) -> evaluator.Facts:
    def money(key: str) -> Decimal:
        value = raw.get(key, 0)
        return rules.exact_number(value, places=2, where=f"facts.{key}")

    months = raw.get("permit_months")
    return evaluator.Facts(
        is_foreign=bool(raw.get("is_foreign", False)),
        remote_income_cny_12m=money("remote_income_cny_12m"),
        contract_value_cny_12m=money("contract_value_cny_12m"),
        clients_outside_city=int(raw.get("clients_outside_city", 0)),
        verified_skills=int(raw.get("verified_skills", 0)),
        planned_stay_days=int(raw.get("planned_stay_days", 0)),
        permit_months=int(months) if months is not None else None,
    )


def as_decision(criteria: dict[str, Any], facts: evaluator.Facts) -> Decision:
    """The evaluation of the criteria as a ``Decision`` of the rules core."""
    evaluation = evaluator.evaluate(criteria, facts)
    reasons = tuple(f"{'met' if r.met else 'unmet'}:{r.key}" for r in evaluation.results)
    months = (
        Decimal(evaluator.validity_months(criteria, facts)) if evaluation.qualifies else Decimal(0)
    )
    return Decision(amount=months, eligible=evaluation.qualifies, reasons=reasons)


def certification(inputs: Mapping[str, Any], period: Period, params: Parameters) -> Decision:
    criteria = inputs.get("criteria") or {}
    if not isinstance(criteria, dict):
        raise rules.ParameterError("input.criteria must be a mapping")
    plain = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in criteria.items()}
    try:
        return as_decision(plain, facts_from(inputs.get("facts") or {}))
    except evaluator.CriteriaError as error:
        raise rules.ParameterError(f"criteria.{error.key}: {error.en}") from None


BOOK = rules.RuleBook(
    name="talent.certification",
    version="1",
    rules={"certification": certification},
    parameters=lambda: NO_PARAMETERS,
    tests=TESTS_DIR,
)
