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
Values are exact: numbers become ``Decimal`` (read from the YAML text, never through a
float), booleans stay booleans, strings stay strings.

A rule is a pure function that reads the parameters **at a date it states** (e.g. the
date the counted fact happened) and returns a ``Decision``: the amount, whether the case is
eligible, the reasons, every parameter used with the date its value took effect, and the
rule version. The talent ``RuleSet`` (immutable versions with ``effective_from``) is the
precedent for rules stored in the database; this module is for rules shipped as code and
files. OpenFisca itself is not used (AGPL-3.0, float32 amounts, mid-year changes dropped).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

Value = Decimal | bool | str | None
NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


class ParameterError(ValueError):
    """A parameter file that does not follow the format (raised when loading, at start)."""


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


def _value(raw: Any, where: str) -> Value:
    if raw is None or isinstance(raw, bool | str):
        return raw
    if isinstance(raw, int | Decimal):
        return Decimal(raw)
    raise ParameterError(f"{where}: a value must be a number, a boolean, a string or null")


class _DecimalLoader(yaml.SafeLoader):
    """Safe YAML, with floats read as exact ``Decimal`` from their text."""


def _decimal(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Decimal:
    text = str(loader.construct_scalar(node)).replace("_", "")
    try:
        number = Decimal(text)
    except InvalidOperation as error:
        raise ParameterError(f"not an exact number: {text!r}") from error
    if not number.is_finite():
        raise ParameterError(f"not a finite number: {text!r}")
    return number


_DecimalLoader.add_constructor("tag:yaml.org,2002:float", _decimal)


def parse(name: str, text: str) -> Parameter:
    """A parameter from the text of its YAML file; ``ParameterError`` names what is wrong."""
    if not NAME.match(name):
        raise ParameterError(f"{name}: a parameter name is lower-case words joined by _ and .")
    try:
        doc = yaml.load(text, Loader=_DecimalLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as error:
        raise ParameterError(f"{name}: not YAML ({error})") from error
    if not isinstance(doc, dict):
        raise ParameterError(f"{name}: the file must be a mapping")
    unknown = set(doc) - {"description", "metadata", "values", "documentation"}
    if unknown:
        raise ParameterError(f"{name}: unknown keys {sorted(unknown)}")
    description = doc.get("description")
    if not isinstance(description, str) or not description.strip():
        raise ParameterError(f"{name}: description is required")
    metadata = doc.get("metadata") or {}
    if not isinstance(metadata, dict):
        raise ParameterError(f"{name}: metadata must be a mapping")
    unit, reference = metadata.get("unit", ""), metadata.get("reference", "")
    if not isinstance(unit, str) or not unit:
        raise ParameterError(f"{name}: metadata.unit is required")
    if not isinstance(reference, str):
        raise ParameterError(f"{name}: metadata.reference must be a string")
    raw_values = doc.get("values")
    if not isinstance(raw_values, dict) or not raw_values:
        raise ParameterError(f"{name}: values must map dates to {{value: …}}")
    values: list[tuple[date, Value]] = []
    for start, entry in raw_values.items():
        if not isinstance(start, date):
            raise ParameterError(f"{name}: {start!r} is not a date (YYYY-MM-DD)")
        if (
            not isinstance(entry, dict)
            or set(entry) - {"value", "metadata"}
            or "value" not in entry
        ):
            raise ParameterError(f"{name}: {start.isoformat()} must be {{value: …}}")
        values.append((start, _value(entry["value"], f"{name} {start.isoformat()}")))
    values.sort(key=lambda pair: pair[0])
    kinds = {type(v) for _d, v in values if v is not None}
    if len(kinds) > 1:
        raise ParameterError(f"{name}: values must all be of one kind")
    return Parameter(name, description.strip(), unit, reference, tuple(values))


@dataclass(frozen=True)
class Parameters:
    """A set of parameters loaded together, with the hash of their files (the snapshot a
    decision names)."""

    items: Mapping[str, Parameter]
    snapshot: str

    def __getitem__(self, name: str) -> Parameter:
        return self.items[name]

    def at(self, name: str, when: date) -> tuple[date, Value]:
        return self.items[name].at(when)

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
