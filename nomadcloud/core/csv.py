"""CSV cells that a spreadsheet program will not run as formulas (CSV injection): every CSV
export passes its text cells through ``safe_cell``."""

from __future__ import annotations

# A cell starting with one of these is read as a formula by Excel, LibreOffice and Sheets.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    """The value as cell text (None → ""), quoted with a leading ' if it would be a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text
