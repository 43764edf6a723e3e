"""Checking contributed rows against the pool's schema (its data contract) and scanning them
for personal data the charter does not declare. Pure functions: no database."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What a finding's kind means, for the pages (never the raw code).
FINDING_KINDS = {
    "id_card": gettext_lazy("identity card number"),
    "phone": gettext_lazy("mobile phone number"),
    "passport": gettext_lazy("passport number"),
    "plate": gettext_lazy("vehicle plate"),
    "email": gettext_lazy("e-mail address"),
}

MAX_ROWS = 5000
MAX_BYTES = 1_000_000
TYPES = ("string", "integer", "number", "date", "enum")

# Personal data that must be declared in the charter (a column marked "personal"); found
# anywhere else, the contribution is quarantined.
_ID_CARD = re.compile(r"(?<!\d)(\d{17}[\dXx])(?!\d)")
_PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
_PASSPORT = re.compile(r"(?<![A-Za-z0-9])[EGDSP][A-Z]?\d{7,8}(?![A-Za-z0-9])")
_PLATE = re.compile(
    r"[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼][A-HJ-NP-Z][A-HJ-NP-Z0-9]{5,6}"
)
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[A-Za-z]{2,}")
# What every pattern above needs (seven digits in a row, a province character or "@"): a cell
# without it holds none of them, so one search rules most cells out.
_MAYBE_PERSONAL = re.compile(
    r"\d{7}|@|[京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼]"
)
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class RowError:
    line: int
    column: str
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "message": self.message}


@dataclass(frozen=True)
class Finding:
    line: int
    column: str
    kind: str

    def as_dict(self) -> dict[str, Any]:
        return {"line": self.line, "column": self.column, "kind": self.kind}


class Rejected(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(errors)
        self.errors = errors


def parse_csv(data: bytes) -> list[dict[str, str]]:
    """The rows of a UTF-8 CSV file with a header line; line numbers count the header as 1."""
    if len(data) > MAX_BYTES:
        raise Rejected([RowError(0, "", _("The file is larger than 1 MB."))])
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise Rejected([RowError(line, "", _("The file is not UTF-8 text."))]) from exc
    if "\x00" in text:
        raise Rejected([RowError(0, "", _("The file is not a text file."))])
    reader = csv.DictReader(io.StringIO(text))
    rows: list[dict[str, str]] = []
    for row in reader:
        if None in row:
            raise Rejected(
                [RowError(reader.line_num, "", _("This line has more cells than the header."))]
            )
        rows.append({k: (v or "") for k, v in row.items()})
        if len(rows) > MAX_ROWS:
            raise Rejected([RowError(reader.line_num, "", _("At most 5,000 rows per file."))])
    if not rows:
        raise Rejected([RowError(1, "", _("The file has no rows."))])
    return rows


def _cell(spec: dict[str, Any], raw: str) -> tuple[Any, str | None]:
    kind = spec["type"]
    if kind == "integer":
        if not re.fullmatch(r"-?\d{1,15}", raw):
            return None, _("Not a whole number.")
        value: Any = int(raw)
    elif kind == "number":
        try:
            value = float(raw)
        except ValueError:
            return None, _("Not a number.")
        if value != value or value in (float("inf"), float("-inf")):
            return None, _("Not a number.")
    elif kind == "date":
        try:
            value = date.fromisoformat(raw).isoformat()
        except ValueError:
            return None, _("Not a date (YYYY-MM-DD).")
    elif kind == "enum":
        if raw not in spec.get("values", []):
            return None, _("Not one of: %(values)s.") % {"values": ", ".join(spec["values"])}
        value = raw
    else:
        if len(raw) > int(spec.get("max_length", 200)):
            return None, _("Longer than %(n)s characters.") % {"n": spec.get("max_length", 200)}
        value = raw
    if kind in ("integer", "number"):
        if "min" in spec and value < spec["min"]:
            return None, _("Below the minimum %(min)s.") % {"min": spec["min"]}
        if "max" in spec and value > spec["max"]:
            return None, _("Above the maximum %(max)s.") % {"max": spec["max"]}
    return value, None


def check_header(schema: list[dict[str, Any]], header: list[str]) -> list[RowError]:
    """Columns the schema does not name, and required columns missing (line 1)."""
    names = [str(c["name"]) for c in schema]
    errors = [RowError(1, c, _("The schema has no such column.")) for c in header if c not in names]
    errors += [
        RowError(1, c["name"], _("A required column is missing."))
        for c in schema
        if c.get("required") and c["name"] not in header
    ]
    return errors


def type_row(
    schema: list[dict[str, Any]],
    row: dict[str, Any],
    line: int,
    cache: dict[tuple[str, str], tuple[Any, str | None]] | None = None,
) -> tuple[dict[str, Any], list[RowError]]:
    """One row typed by the schema, with its errors (line ``line``). ``cache`` keeps each
    column's answers for values already seen (a large file repeats its values)."""
    errors: list[RowError] = []
    out: dict[str, Any] = {}
    for spec in schema:
        raw = str(row.get(spec["name"], "") or "").strip()
        if raw == "":
            if spec.get("required"):
                errors.append(RowError(line, spec["name"], _("A value is required.")))
            out[spec["name"]] = None
            continue
        if cache is None:
            value, error = _cell(spec, raw)
        else:
            key = (spec["name"], raw)
            found = cache.get(key)
            if found is None:
                found = cache[key] = _cell(spec, raw)
            value, error = found
        if error:
            errors.append(RowError(line, spec["name"], error))
        out[spec["name"]] = value
    return out, errors


def validate_rows(schema: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The rows typed by the schema, or ``Rejected`` with every error by line (the header is
    line 1) and column. Columns the schema does not name are refused."""
    errors = check_header(schema, list(rows[0]) if rows else [])
    if errors:
        raise Rejected(errors)
    typed: list[dict[str, Any]] = []
    for index, row in enumerate(rows, start=2):
        out, row_errors = type_row(schema, row, index)
        errors += row_errors
        typed.append(out)
        if len(errors) >= 50:
            break
    if errors:
        raise Rejected(errors)
    return typed


def _valid_id_card(number: str) -> bool:
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def scan_personal(
    schema: list[dict[str, Any]], rows: list[dict[str, Any]], first_line: int = 2
) -> list[Finding]:
    """Personal data in columns the charter does not declare personal: identity card numbers
    (with a valid check digit), mobile phone numbers, passport numbers, vehicle plates,
    e-mail addresses. ``first_line``: the line of the first row (the header is line 1)."""
    declared = {c["name"] for c in schema if c.get("personal")}
    findings: list[Finding] = []
    for index, row in enumerate(rows, start=first_line):
        for name, value in row.items():
            if name in declared or not isinstance(value, str):
                continue
            if not _MAYBE_PERSONAL.search(value):
                continue
            kind = None
            if any(_valid_id_card(m) for m in _ID_CARD.findall(value)):
                kind = "id_card"
            elif _PHONE.search(value):
                kind = "phone"
            elif _PASSPORT.search(value):
                kind = "passport"
            elif _PLATE.search(value):
                kind = "plate"
            elif _EMAIL.search(value):
                kind = "email"
            if kind:
                findings.append(Finding(index, name, kind))
    return findings


def check_schema(schema: Any) -> list[dict[str, Any]]:
    """A charter's schema as given, or ValueError naming what is wrong."""
    if not isinstance(schema, list) or not schema or len(schema) > 50:
        raise ValueError(_("Give between 1 and 50 columns."))
    seen: set[str] = set()
    for column in schema:
        if not isinstance(column, dict):
            raise ValueError(_("Each column is an object."))
        name = column.get("name")
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,39}", name):
            raise ValueError(_("A column name is lower-case letters, digits and _."))
        if name in seen:
            raise ValueError(_("Column %(name)s appears twice.") % {"name": name})
        seen.add(name)
        if column.get("type") not in TYPES:
            raise ValueError(_("Column %(name)s has no known type.") % {"name": name})
        if column["type"] == "enum" and not column.get("values"):
            raise ValueError(_("Column %(name)s lists no values.") % {"name": name})
    return schema
