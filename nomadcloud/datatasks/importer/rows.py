"""Reading rows: CSV (a header, quoted fields may span lines, an item's line is where it starts)
and JSON Lines (one object per line; blank lines skipped)."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

from django.utils.translation import gettext as _

from nomadcloud.core.jsonsafe import JSONRefused, loads_limited

from .limits import (
    COLUMNS,
    REQUIRED,
    LineError,
    max_bytes,
)

# --- reading rows -----------------------------------------------------------------------------


def _csv_rows(text: str, errors: list[LineError]) -> Iterator[tuple[int, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except csv.Error as exc:
        errors.append(
            LineError(1, "", _("the header cannot be read (%(error)s).") % {"error": exc})
        )
        return
    columns = [name.strip().lower() for name in header]
    bad = False
    for index, name in enumerate(columns):
        if name not in COLUMNS:
            errors.append(
                LineError(
                    1,
                    header[index].strip()[:40] or str(index + 1),
                    _("unknown column; the columns are %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
            bad = True
        elif columns.index(name) != index:
            errors.append(LineError(1, name, _("this column appears twice.")))
            bad = True
    for name in REQUIRED:
        if name not in columns:
            errors.append(LineError(1, name, _("this column is required.")))
            bad = True
    if bad:
        return
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(
                LineError(line, "", _("this line cannot be read (%(error)s).") % {"error": exc})
            )
            return
        start, line = line, reader.line_num + 1
        if not row or (len(row) == 1 and not row[0].strip()):
            continue  # a blank line
        if len(row) != len(columns):
            errors.append(
                LineError(
                    start,
                    "",
                    _("expected %(expected)d fields like the header, found %(found)d.")
                    % {"expected": len(columns), "found": len(row)},
                )
            )
            continue
        yield start, dict(zip(columns, row, strict=True))


def _jsonl_rows(text: str, errors: list[LineError]) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, raw in enumerate(text.split("\n"), start=1):
        if not raw.strip():
            continue
        try:
            record = loads_limited(raw, max_bytes=max_bytes())
        except JSONRefused as exc:  # too deep, NaN/Infinity, a lone surrogate
            errors.append(LineError(number, "", exc.message))
            continue
        except json.JSONDecodeError as exc:
            errors.append(
                LineError(
                    number,
                    "",
                    _("not valid JSON (%(error)s at column %(column)d).")
                    % {"error": exc.msg, "column": exc.colno},
                )
            )
            continue
        if not isinstance(record, dict):
            errors.append(LineError(number, "", _("each line must be a JSON object.")))
            continue
        unknown = sorted(set(record) - set(COLUMNS))
        if unknown:
            errors.append(
                LineError(
                    number,
                    str(unknown[0])[:40],
                    _("unknown field; the fields are %(columns)s.")
                    % {"columns": ", ".join(COLUMNS)},
                )
            )
            continue
        yield number, record
