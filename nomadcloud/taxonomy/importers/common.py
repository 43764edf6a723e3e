"""Records the parsers produce, and the readers for CSV, tab-separated text and xlsx files.

A reference (``Ref``) to a concept is one of: an ESCO URI (``http…``), a concept code, or
``label:<text>`` / ``occupation-label:<text>`` for files that name concepts by label.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

Ref = str


class HeaderError(Exception):
    """The file lacks a column the parser needs; nothing of it is written."""

    def __init__(self, file: str, column: str) -> None:
        super().__init__(f"{file}: missing column {column!r}")
        self.file = file
        self.column = column


@dataclass
class ConceptRow:
    """One concept as a file describes it. Empty strings and None mean "not given"."""

    ref: Ref
    code: str
    kind: str  # "" = keep the existing kind (default "skill" when created)
    source: str
    label_en: str = ""
    description_en: str = ""
    esco_uri: str = ""
    onet_code: str = ""
    hot_technology: bool | None = None
    in_demand: bool | None = None
    aliases_en: tuple[str, ...] = ()
    label_zh: str = ""
    aliases_zh: tuple[str, ...] = ()
    category: str = ""
    # Match an existing vocabulary concept with this O*NET code and this English label.
    match_onet_label: bool = False
    # Create when missing, never change an existing concept (files that repeat another's data).
    fill_only: bool = False


@dataclass
class Skip:
    row: int
    reason: str


@dataclass
class Parsed:
    file: str
    rows_read: int = 0
    concepts: list[ConceptRow] = field(default_factory=list)
    broader: list[tuple[Ref, Ref]] = field(default_factory=list)  # (narrower, broader)
    links: list[tuple[Ref, Ref, str]] = field(default_factory=list)  # (occupation, skill, rel)
    related: list[tuple[Ref, Ref]] = field(default_factory=list)
    skipped: list[Skip] = field(default_factory=list)


def split_labels(value: str, separator: str) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for part in value.split(separator):
        label = part.strip()
        if label and len(label) <= 255:
            seen.setdefault(label, None)
    return tuple(seen)


def read_table(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV (``.csv``), tab-separated (``.txt``) or xlsx file as (row number, row),
    row numbers counting the header as 1. Raises HeaderError before yielding anything when a
    required column is missing."""
    if path.suffix.lower() == ".xlsx":
        yield from _read_xlsx(path, required)
        return
    tabs = path.suffix.lower() in {".txt", ".tsv"}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if tabs:  # O*NET text files: no quoting at all
            reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        else:
            reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        _check_header(path.name, header, required)
        for number, values in enumerate(reader, start=2):
            if not any(v.strip() for v in values):
                continue
            yield number, _row(header, values)


def _read_xlsx(path: Path, required: tuple[str, ...]) -> Iterator[tuple[int, dict[str, str]]]:
    from openpyxl import load_workbook

    book = load_workbook(path, read_only=True, data_only=True)
    try:
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [str(h).strip() if h is not None else "" for h in next(rows, ())]
        _check_header(path.name, header, required)
        for number, cells in enumerate(rows, start=2):
            values = ["" if c is None else str(c) for c in cells]
            if not any(v.strip() for v in values):
                continue
            yield number, _row(header, values)
    finally:
        book.close()


def _check_header(file: str, header: list[str], required: tuple[str, ...]) -> None:
    for column in required:
        if column not in header:
            raise HeaderError(file, column)


def _row(header: list[str], values: list[str]) -> dict[str, str]:
    # Writers often drop trailing empty cells; only surplus cells make a row malformed.
    row = dict(zip(header, values, strict=False))
    for column in header[len(values) :]:
        row[column] = ""
    if len(values) > len(header):
        row["__width__"] = f"{len(values)}/{len(header)}"
    return row
