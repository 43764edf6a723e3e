"""core/csv.py: the one CSV cell defusing every export uses."""

from __future__ import annotations

import pytest

from nomadcloud.core.csv import safe_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=HYPERLINK(1)", "'=HYPERLINK(1)"),
        ("+1", "'+1"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_a_cell_that_would_be_a_formula_is_quoted(value: object, cell: str) -> None:
    assert safe_cell(value) == cell
