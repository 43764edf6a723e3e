"""A rule book's YAML test cases, reforms of its parameters, and running them."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import yaml
from django.utils.translation import gettext as _

from .books import RuleBook
from .parameters import (
    Decision,
    ParameterError,
    Parameters,
    exact_number,
    load_yaml,
    parse,
)
from .periods import Period, parse_period

CASE_KEYS = {
    "name",
    "description",
    "period",
    "absolute_error_margin",
    "keywords",
    "reforms",
    "input",
    "output",
}


@dataclass(frozen=True)
class TestCase:
    """One case in OpenFisca's YAML test format: ``name``, ``period``, ``input`` (the facts)
    and ``output`` ({rule name: expected amount}, plus optional ``eligible`` and
    ``reasons``); ``absolute_error_margin`` must be 0 for amounts (they are exact);
    ``reforms`` holds parameter values that replace the shipped ones for this case
    ({parameter: {date: value}}), e.g. to test a change not yet in force."""

    __test__ = False  # not a pytest class

    file: str
    name: str
    period: Period
    inputs: Mapping[str, Any]
    outputs: Mapping[str, Any]
    reforms: Mapping[str, Any]


@dataclass(frozen=True)
class CaseResult:
    case: TestCase
    passed: bool
    message: str = ""


def load_cases(file: str, text: str) -> list[TestCase]:
    """The cases of one test file (a list of cases, or one case)."""
    doc = load_yaml(file, text)
    entries = doc if isinstance(doc, list) else [doc]
    cases: list[TestCase] = []
    for index, entry in enumerate(entries, start=1):
        where = f"{file} #{index}"
        if not isinstance(entry, dict):
            raise ParameterError(_("%(where)s: a test case is a mapping") % {"where": where})
        unknown = set(map(str, entry)) - CASE_KEYS
        if unknown:
            raise ParameterError(
                _("%(where)s: unknown keys %(keys)s") % {"where": where, "keys": sorted(unknown)}
            )
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            raise ParameterError(_("%(where)s: name is required") % {"where": where})
        margin = entry.get("absolute_error_margin", 0)
        if margin not in (0, None):
            raise ParameterError(
                _("%(where)s: amounts are exact; absolute_error_margin must be 0")
                % {"where": where}
            )
        outputs = entry.get("output")
        if not isinstance(outputs, dict) or not outputs:
            raise ParameterError(_("%(where)s: output is required") % {"where": where})
        inputs = entry.get("input") or {}
        reforms = entry.get("reforms") or {}
        if not isinstance(inputs, dict) or not isinstance(reforms, dict):
            raise ParameterError(_("%(where)s: input and reforms are mappings") % {"where": where})
        cases.append(
            TestCase(
                file, name.strip(), parse_period(entry.get("period", "")), inputs, outputs, reforms
            )
        )
    return cases


def book_cases(rule_book: RuleBook) -> list[TestCase]:
    if rule_book.tests is None:
        return []
    return [
        case
        for path in sorted(rule_book.tests.rglob("*.yaml"))
        for case in load_cases(path.name, path.read_text("utf-8"))
    ]


def reformed(params: Parameters, reforms: Mapping[str, Any]) -> Parameters:
    """``params`` with some parameters' values replaced ({name: {date: value}}): a case's
    reform, or a department's draft in simulation. The replaced parameter keeps its unit,
    description and reference; the snapshot hash changes with the values."""
    items = dict(params.items)
    digest = hashlib.sha256(params.snapshot.encode())
    for name in sorted(reforms):
        if name not in items:
            raise ParameterError(
                _("A reform names an unknown parameter: %(name)s") % {"name": name}
            )
        old = items[name]
        values = reforms[name]
        if not isinstance(values, dict) or not values:
            raise ParameterError(_("%(name)s: a reform maps dates to values") % {"name": name})
        entries = {
            (start if isinstance(start, date) else date.fromisoformat(str(start))): {
                "value": str(value) if isinstance(value, Decimal) else value
            }
            for start, value in values.items()
        }
        doc = {
            "description": old.description,
            "metadata": {"unit": old.unit, "reference": old.reference},
            "values": dict(sorted(entries.items())),
        }
        text = yaml.safe_dump(doc, allow_unicode=True, sort_keys=False)
        items[name] = parse(name, text)
        digest.update(name.encode() + b"\0" + text.encode())
    return Parameters(items, digest.hexdigest()[:16])


def _same(expected: Any, actual: Decimal) -> bool:
    try:
        return exact_number(expected, places=6, where="output") == actual
    except ParameterError:
        return False


def run_case(rule_book: RuleBook, case: TestCase, params: Parameters | None = None) -> CaseResult:
    """Run one case: each output naming a rule is that rule's amount; ``eligible`` and
    ``reasons`` (each expected reason must be among the decision's) check the first rule."""
    loaded = params if params is not None else rule_book.parameters()
    try:
        if case.reforms:
            loaded = reformed(loaded, case.reforms)
        first: Decision | None = None
        for key, expected in case.outputs.items():
            if key in ("eligible", "reasons"):
                continue
            decision = rule_book.decide(str(key), case.inputs, case.period, loaded)
            first = first or decision
            if not _same(expected, decision.amount):
                return CaseResult(case, False, f"{key}: expected {expected}, got {decision.amount}")
        if first is None:
            return CaseResult(case, False, "output names no rule")
        if "eligible" in case.outputs and case.outputs["eligible"] is not first.eligible:
            return CaseResult(
                case, False, f"eligible: expected {case.outputs['eligible']}, got {first.eligible}"
            )
        missing = [r for r in case.outputs.get("reasons") or () if r not in first.reasons]
        if missing:
            return CaseResult(case, False, f"reasons {missing} not in {list(first.reasons)}")
    except (ParameterError, LookupError, KeyError, TypeError, ValueError) as error:
        return CaseResult(case, False, f"{type(error).__name__}: {error}")
    return CaseResult(case, True)


def run_tests(rule_book: RuleBook) -> list[CaseResult]:
    """Every case of a rule book (its parameters loaded once)."""
    params = rule_book.parameters()
    return [run_case(rule_book, case, params) for case in book_cases(rule_book)]
