"""Reading a batch's items file (CSV or JSON Lines), completely, before anything is stored.

Every problem is reported with its line number and field, in the reader's language; the
import is all-or-nothing, so one error refuses the whole file. Only UTF-8 (with or without
a byte-order mark) is read. See docs/datatasks.md for the formats.

CSV: a header line, then one item per line (quoted fields may span lines; an item's line
is where it starts). Columns: ``id`` and ``text`` (required), ``gold``, ``qualification``,
``context``, ``media_url``, ``explanation`` (optional; why a gold answer is right, shown as
feedback). JSON Lines: one object per line with the same keys;
blank lines are skipped.
"""

from .items import clean_value
from .limits import (
    COLUMNS,
    CSV,
    FALSE,
    FORMATS,
    JSONL,
    MAX_CONTEXT,
    MAX_ID,
    MAX_REPORTED,
    MAX_TEXT,
    MAX_URL,
    OTHER_BOMS,
    REQUIRED,
    TRUE,
    UTF8_BOM,
    FileRejected,
    LineError,
    ParsedFile,
    ParsedItem,
    Spec,
    decode,
    format_for,
    human_size,
    max_bytes,
    max_items,
    size_error,
)
from .parsing import parse

__all__ = [
    "COLUMNS",
    "CSV",
    "FALSE",
    "FORMATS",
    "JSONL",
    "MAX_CONTEXT",
    "MAX_ID",
    "MAX_REPORTED",
    "MAX_TEXT",
    "MAX_URL",
    "OTHER_BOMS",
    "REQUIRED",
    "TRUE",
    "UTF8_BOM",
    "FileRejected",
    "LineError",
    "ParsedFile",
    "ParsedItem",
    "Spec",
    "clean_value",
    "decode",
    "format_for",
    "human_size",
    "max_bytes",
    "max_items",
    "parse",
    "size_error",
]
