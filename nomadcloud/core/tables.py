"""Tabular files uploaded by offices (statistics, evaluation sheets): a CSV in UTF-8 or the
first sheet of an XLSX workbook, read by its header row into dictionaries. Cells that
``core/csv.py`` quoted on export (a leading ``'`` before a would-be formula) are unquoted, so
an export reads back unchanged. Problems raise ``TableRefused`` with the list of errors."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django.utils.translation import gettext as _

from nomadcloud.core.csv import FORMULA_START
from nomadcloud.core.errors import DomainError

MAX_ROWS = 5000


class TableRefused(DomainError):
    code = "import_refused"

    def __init__(self, errors: list[str]) -> None:
        super().__init__(
            _("Nothing was imported: %(count)d problem(s).") % {"count": len(errors)},
            fields={"file": errors},
        )
        self.errors = errors


def unquote(cell: str) -> str:
    text = cell.strip()
    if text.startswith("'") and text[1:].startswith(FORMULA_START):
        return text[1:]
    return text


def read_rows(
    name: str, content: bytes, *, required: Sequence[str], max_rows: int = MAX_ROWS
) -> list[dict[str, str]]:
    """The non-empty rows under the header (column names upper-cased)."""
    if name.lower().endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).active
        except Exception:
            raise TableRefused([_("The file is not a readable XLSX workbook.")]) from None
        if sheet is None:
            raise TableRefused([_("The workbook has no sheet.")])
        rows: list[list[str]] = [
            ["" if cell is None else str(cell) for cell in row]
            for row in sheet.iter_rows(values_only=True)
        ]
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise TableRefused([_("The file is not UTF-8 text.")]) from None
        rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise TableRefused([_("The file is empty.")])
    header = [cell.strip().upper() for cell in rows[0]]
    missing = [column for column in required if column not in header]
    if missing:
        raise TableRefused([_("Missing columns: %(names)s.") % {"names": ", ".join(missing)}])
    if len(rows) - 1 > max_rows:
        raise TableRefused([_("At most %(n)d rows in one file.") % {"n": max_rows}])
    return [
        {column: unquote(row[i]) if i < len(row) else "" for i, column in enumerate(header)}
        for row in rows[1:]
        if any(cell.strip() for cell in row)
    ]
