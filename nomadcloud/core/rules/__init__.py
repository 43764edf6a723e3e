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

from .books import _BOOKS as _BOOKS  # tests clean up a book they registered
from .books import Rule, RuleBook, book, books, register
from .cases import (
    CASE_KEYS,
    CaseResult,
    TestCase,
    book_cases,
    load_cases,
    reformed,
    run_case,
    run_tests,
)
from .parameters import (
    DECIMAL_TEXT,
    NAME,
    UNITS,
    Decision,
    Parameter,
    ParameterError,
    Parameters,
    Unit,
    Value,
    exact_number,
    load_directory,
    load_texts,
    load_yaml,
    parse,
    plain,
    trace_hash,
    unit_label,
)
from .periods import Period, parse_period

__all__ = [
    "CASE_KEYS",
    "DECIMAL_TEXT",
    "NAME",
    "UNITS",
    "CaseResult",
    "Decision",
    "Parameter",
    "ParameterError",
    "Parameters",
    "Period",
    "Rule",
    "RuleBook",
    "TestCase",
    "Unit",
    "Value",
    "book",
    "book_cases",
    "books",
    "exact_number",
    "load_cases",
    "load_directory",
    "load_texts",
    "load_yaml",
    "parse",
    "parse_period",
    "plain",
    "reformed",
    "register",
    "run_case",
    "run_tests",
    "trace_hash",
    "unit_label",
]
