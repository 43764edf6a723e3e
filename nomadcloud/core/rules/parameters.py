"""Dated parameters: units, exact numbers, strict YAML (no floats, no duplicate keys), one
parameter's dated values, and the trace of what a decision used."""

from __future__ import annotations

import copy
import functools
import hashlib
import json
import re
from collections.abc import Iterable, Mapping
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
