"""Dated rules and their parameters (design: capabilities/00-cross-cutting.md §3.3).

Parameters are written in OpenFisca's parameter YAML, one file per parameter, kept in the
repository next to the rules that read them::

    description: Work units an organisation may issue in one calendar month
    metadata:
      unit: work_units
      reference: docs/risk.md#caps
    values:
      2026-01-01:
        value: 500000
      2026-07-01:
        value: 300000

A value applies from its date until the next one (a ``null`` value ends the parameter).
Values are exact and of the kind the unit says (``UNITS``: ``currency-CNY`` at most two
decimals, counts and durations whole, ``ratio`` up to six places, ``boolean``, ``text``):
whole numbers, or decimals written in quotes (``"5000.50"``). Refused when loading: a number
written as a float (every YAML reader, OpenFisca's too, reads ``0.1`` as a binary float), an
unknown unit, a missing reference, a date given twice or out of order.

Rules are grouped in a ``RuleBook`` (registered by the app that owns them, listed by
``nomadcloud rules test``) together with YAML test cases in OpenFisca's test format
(``name``, ``period``, ``input``, ``output``, ``absolute_error_margin``); every case must pass
before a version is published. The talent certification criteria are one such book.

A rule is a pure function that reads the parameters **at a date it states** (e.g. the
date the counted fact happened) and returns a ``Decision``: the amount, whether the case is
eligible, the reasons, every parameter used with the date its value took effect, and the
rule version. The talent ``RuleSet`` (immutable versions with ``effective_from``) is the
precedent for rules stored in the database; this module is for rules shipped as code and
files. OpenFisca itself is not used (AGPL-3.0, float32 amounts, mid-year changes dropped).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml
from django.utils.translation import gettext as _

Value = Decimal | bool | str | None
NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")
DECIMAL_TEXT = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")


class ParameterError(ValueError):
    """A parameter file (or a test case file) that does not follow the format: raised when
    loading, at start, and by ``nomadcloud rules test``. The message is in the active
    language."""


@dataclass(frozen=True)
class Unit:
    """What a parameter's values are: ``number`` (exact, at most ``places`` decimals),
    ``boolean`` or ``text``."""

    kind: str
    places: int = 0


# The units a parameter may name (``metadata.unit``); any other is refused. OpenFisca's
# ``currency-CNY`` spelling for money; counts and durations are whole numbers.
UNITS: dict[str, Unit] = {
    "currency-CNY": Unit("number", 2),
    "count": Unit("number"),
    "account": Unit("number"),
    "day": Unit("number"),
    "hour": Unit("number"),
    "month": Unit("number"),
    "year": Unit("number"),
    "weight": Unit("number"),
    "work_units": Unit("number", 2),
    "ratio": Unit("number", 6),
    "percent": Unit("number", 2),
    "boolean": Unit("boolean"),
    "text": Unit("text"),
}


def unit_label(name: str) -> str:
    """The unit as a reader says it, in the active language (a page never shows the code)."""
    from django.utils.translation import gettext

    labels = {
        "currency-CNY": gettext("yuan (CNY)"),
        "count": gettext("number of"),
        "account": gettext("accounts"),
        "day": gettext("days"),
        "hour": gettext("hours"),
        "month": gettext("months"),
        "year": gettext("years"),
        "weight": gettext("weight"),
        "work_units": gettext("work units"),
        "ratio": gettext("ratio"),
        "percent": gettext("percent"),
        "boolean": gettext("yes or no"),
        "text": gettext("text"),
    }
    return labels.get(name, name)


@dataclass(frozen=True)
class Parameter:
    """One parameter: its dated values, oldest first."""

    name: str
    description: str
    unit: str
    reference: str
    values: tuple[tuple[date, Value], ...]

    def at(self, when: date) -> tuple[date, Value]:
        """The value in force on ``when`` and the date it took effect. Raises
        ``LookupError`` before the first date or after a ``null`` end."""
        found: tuple[date, Value] | None = None
        for start, value in self.values:
            if start > when:
                break
            found = (start, value)
        if found is None or found[1] is None:
            raise LookupError(f"parameter {self.name} has no value on {when.isoformat()}")
        return found


@dataclass(frozen=True)
class Decision:
    """What a rule decided: ``amount`` (exact), ``eligible``, ``reasons`` (codes or short
    texts the caller localizes), ``params_used`` {name: (effective date, value)} and the
    ``rule_version`` (the rule's name and version and the parameter snapshot hash)."""

    amount: Decimal
    eligible: bool
    reasons: tuple[str, ...] = ()
    params_used: Mapping[str, tuple[date, Value]] = field(default_factory=dict)
    rule_version: str = ""


class _FloatWritten(Exception):
    def __init__(self, text: str) -> None:
        super().__init__(text)
        self.text = text


class _DuplicateKey(Exception):
    def __init__(self, key: object) -> None:
        super().__init__(str(key))
        self.key = key


class _StrictLoader(yaml.SafeLoader):
    """Safe YAML that refuses a number written as a float (any YAML reader, OpenFisca's
    included, would read it as a binary float: ``0.1`` is not one tenth) and a key written
    twice in one mapping (YAML readers keep the last silently: two values for one date)."""


def _refuse_float(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    raise _FloatWritten(str(loader.construct_scalar(node)))


def _unique_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    result: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise _DuplicateKey(key)
        result[key] = loader.construct_object(value_node, deep=True)
    return result


_StrictLoader.add_constructor("tag:yaml.org,2002:float", _refuse_float)
_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _unique_mapping)


def load_yaml(name: str, text: str) -> Any:
    """A YAML document read strictly (floats and repeated keys refused). A text read before
    is not parsed again (a rule book's case files are read on every page that shows them):
    each caller gets its own deep copy of the parsed document."""
    return copy.deepcopy(_parsed_yaml(name, text))


@functools.lru_cache(maxsize=256)
def _parsed_yaml(name: str, text: str) -> Any:
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 (a SafeLoader subclass)
    except _FloatWritten as error:
        raise ParameterError(
            _(
                "%(name)s: %(text)s is written as a float; write a whole number or the exact "
                'decimal in quotes ("%(text)s").'
            )
            % {"name": name, "text": error.text}
        ) from None
    except _DuplicateKey as error:
        raise ParameterError(
            _("%(name)s: %(key)s is given twice (dates must not overlap).")
            % {"name": name, "key": _key_text(error.key)}
        ) from None
    except yaml.YAMLError as error:
        raise ParameterError(
            _("%(name)s: not YAML (%(error)s)") % {"name": name, "error": error}
        ) from error


def _key_text(key: object) -> str:
    return key.isoformat() if isinstance(key, date) else str(key)


def exact_number(raw: Any, *, places: int, where: str) -> Decimal:
    """An exact number from a whole number or a decimal string (``"5000.50"``), with at most
    ``places`` decimals; floats, booleans and anything else refused."""
    if isinstance(raw, bool | float):
        raise ParameterError(
            _("%(where)s: a number must be a whole number or a decimal in quotes.")
            % {"where": where}
        )
    if isinstance(raw, int):
        return Decimal(raw)
    if isinstance(raw, Decimal) and raw.is_finite():
        number = raw
    elif isinstance(raw, str) and DECIMAL_TEXT.match(raw.strip()):
        number = Decimal(raw.strip())
    else:
        raise ParameterError(
            _("%(where)s: %(value)r is not an exact number.") % {"where": where, "value": raw}
        )
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > places:
        raise ParameterError(
            _("%(where)s: %(value)s has more than %(places)s decimal places.")
            % {"where": where, "value": number, "places": places}
        )
    return number


def _value(raw: Any, unit: Unit, where: str) -> Value:
    if raw is None:
        return None
    if unit.kind == "boolean":
        if not isinstance(raw, bool):
            raise ParameterError(
                _("%(where)s: the value must be true or false.") % {"where": where}
            )
        return raw
    if unit.kind == "text":
        if not isinstance(raw, str):
            raise ParameterError(_("%(where)s: the value must be text.") % {"where": where})
        return raw
    return exact_number(raw, places=unit.places, where=where)


def parse(name: str, text: str) -> Parameter:
    """A parameter from the text of its YAML file; ``ParameterError`` names what is wrong:
    a float, an unknown unit, a missing reference, dates repeated or out of order, values
    of another kind than the unit's."""
    if not NAME.match(name):
        raise ParameterError(
            _("%(name)s: a parameter name is lower-case words joined by _ and .") % {"name": name}
        )
    doc = load_yaml(name, text)
    if not isinstance(doc, dict):
        raise ParameterError(_("%(name)s: the file must be a mapping") % {"name": name})
    unknown = set(doc) - {"description", "metadata", "values", "documentation"}
    if unknown:
        raise ParameterError(
            _("%(name)s: unknown keys %(keys)s") % {"name": name, "keys": sorted(map(str, unknown))}
        )
    description = doc.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ParameterError(_("%(name)s: description is required") % {"name": name})
    metadata = doc.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ParameterError(_("%(name)s: metadata must be a mapping") % {"name": name})
    unit_name, reference = metadata.get("unit", ""), metadata.get("reference", "")
    if not isinstance(unit_name, str) or not unit_name:
        raise ParameterError(_("%(name)s: metadata.unit is required") % {"name": name})
    unit = UNITS.get(unit_name)
    if unit is None:
        raise ParameterError(
            _("%(name)s: unknown unit %(unit)r (known: %(units)s)")
            % {"name": name, "unit": unit_name, "units": ", ".join(sorted(UNITS))}
        )
    if not isinstance(reference, str) or not reference.strip():
        raise ParameterError(
            _("%(name)s: metadata.reference is required (where the value comes from)")
            % {"name": name}
        )
    raw_values = doc.get("values")
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterError(_("%(name)s: values must map dates to {value: …}") % {"name": name})
    values: list[tuple[date, Value]] = []
    for start, entry in raw_values.items():
        if not isinstance(start, date):
            raise ParameterError(
                _("%(name)s: %(start)r is not a date (YYYY-MM-DD)") % {"name": name, "start": start}
            )
        if values and start <= values[-1][0]:
            raise ParameterError(
                _("%(name)s: %(start)s comes before %(previous)s; list dates oldest first.")
                % {"name": name, "start": start.isoformat(), "previous": values[-1][0].isoformat()}
            )
        if (
            not isinstance(entry, dict)
            or set(entry) - {"value", "metadata"}
            or "value" not in entry
        ):
            raise ParameterError(
                _("%(name)s: %(start)s must be {value: …}")
                % {"name": name, "start": start.isoformat()}
            )
        values.append((start, _value(entry["value"], unit, f"{name} {start.isoformat()}")))
    return Parameter(name, description.strip(), unit_name, reference.strip(), tuple(values))


@dataclass(frozen=True)
class Parameters:
    """A set of parameters loaded together, with the hash of their files (the snapshot a
    decision names)."""

    items: Mapping[str, Parameter]
    snapshot: str

    def __getitem__(self, name: str) -> Parameter:
        return self.items[name]

    def at(self, name: str, when: date) -> tuple[date, Value]:
        parameter = self.items.get(name)
        if parameter is None:
            raise ParameterError(_("A rule reads an unknown parameter: %(name)s") % {"name": name})
        return parameter.at(when)

    def decimal(self, name: str, when: date, used: dict[str, tuple[date, Value]]) -> Decimal:
        """The number ``name`` in force on ``when``, recorded in ``used``."""
        start, value = self.at(name, when)
        if not isinstance(value, Decimal):
            raise ParameterError(f"{name} is not a number")
        used[name] = (start, value)
        return value


def load_texts(texts: Iterable[tuple[str, str]]) -> Parameters:
    """Parameters from (name, YAML text) pairs."""
    items: dict[str, Parameter] = {}
    digest = hashlib.sha256()
    for name, text in sorted(texts):
        items[name] = parse(name, text)
        digest.update(name.encode() + b"\0" + text.encode() + b"\0")
    return Parameters(items, digest.hexdigest()[:16])


def load_directory(directory: Path, *, required: Iterable[str] = ()) -> Parameters:
    """Every ``*.yaml`` file of ``directory`` (named for its file, sub-directories joined by
    dots), validated; ``required`` names must be present."""
    texts = [
        (".".join(path.relative_to(directory).with_suffix("").parts), path.read_text("utf-8"))
        for path in sorted(directory.rglob("*.yaml"))
    ]
    loaded = load_texts(texts)
    missing = sorted(set(required) - set(loaded.items))
    if missing:
        raise ParameterError(f"{directory}: missing parameters {missing}")
    return loaded


def plain(used: Mapping[str, tuple[date, Value]]) -> dict[str, list[str | bool | None]]:
    """``params_used`` as JSON-safe values (dates ISO, numbers as strings)."""
    return {
        name: [start.isoformat(), str(value) if isinstance(value, Decimal) else value]
        for name, (start, value) in sorted(used.items())
    }


def trace_hash(used: Mapping[str, tuple[date, Value]]) -> str:
    return hashlib.sha256(json.dumps(plain(used), sort_keys=True).encode()).hexdigest()[:16]


# --- periods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A period a rule computes for: a calendar year (``2026``), a month (``2026-03``) or a
    day (``2026-03-05``), written as OpenFisca writes them. ``start`` and ``end`` are both
    inside the period."""

    text: str
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def parse_period(raw: object) -> Period:
    """A period from its text; anything else is refused with what was expected (OpenFisca's
    period errors are a known complaint: openfisca-core #490, #1107)."""
    text = str(raw).strip()
    try:
        if re.fullmatch(r"[0-9]{4}", text):
            year = int(text)
            return Period(text, date(year, 1, 1), date(year, 12, 31))
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
            year, month = int(text[:4]), int(text[5:])
            first = date(year, month, 1)
            following = date(year + (month == 12), month % 12 + 1, 1)
            return Period(text, first, date.fromordinal(following.toordinal() - 1))
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            day = date.fromisoformat(text)
            return Period(text, day, day)
    except ValueError:
        pass
    raise ParameterError(
        _("The period %(text)r is not a year (2026), a month (2026-03) or a day (2026-03-05).")
        % {"text": text}
    )


# --- rule books: rules, their parameters and their YAML tests ----------------------------

Rule = Callable[[Mapping[str, Any], Period, Parameters], Decision]


@dataclass(frozen=True)
class RuleBook:
    """The rules of one capability (``incentives``, ``talent.certification``, ``risk``):
    pure functions by name, the parameters they read and the directory of YAML test cases
    (OpenFisca's test format) that must all pass before a version is published."""

    name: str
    version: str
    rules: Mapping[str, Rule]
    parameters: Callable[[], Parameters]
    tests: Path | None = None

    def decide(
        self, rule: str, inputs: Mapping[str, Any], period: Period, params: Parameters | None = None
    ) -> Decision:
        """Run one rule; the decision's ``rule_version`` names the book, its version, the rule
        and the parameter snapshot."""
        function = self.rules.get(rule)
        if function is None:
            raise ParameterError(
                _("No rule %(rule)s in %(book)s.") % {"rule": rule, "book": self.name}
            )
        loaded = params if params is not None else self.parameters()
        decision = function(inputs, period, loaded)
        version = f"{self.name}/{rule}@{self.version}+{loaded.snapshot}"
        return Decision(
            amount=decision.amount,
            eligible=decision.eligible,
            reasons=decision.reasons,
            params_used=decision.params_used,
            rule_version=version,
        )


_BOOKS: dict[str, RuleBook] = {}


def register(book: RuleBook) -> RuleBook:
    """Make a rule book known to ``nomadcloud rules test`` (called from an app's ready)."""
    _BOOKS[book.name] = book
    return book


def books() -> list[RuleBook]:
    return [_BOOKS[name] for name in sorted(_BOOKS)]


def book(name: str) -> RuleBook:
    return _BOOKS[name]


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
