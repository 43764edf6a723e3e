"""Numbers from outside, parsed strictly: one rule for every amount, rate, mark and count that
an API schema, a form, an import or a feed takes (issue 15 item 2; decision 0019).

An exact decimal is written out in full with ASCII digits: ``12``, ``-3``, ``12.50``. Refused,
each with a localized message that the API's 422 envelope and the forms put on the field:

- exponents (``1e26``), ``NaN``, ``Infinity``, hex or underscores (``1_000``);
- booleans (JSON ``true`` is not the amount 1) and JSON numbers with a fraction (a binary
  float is not exact; write ``"12.50"``); whole JSON numbers are exact and taken;
- Unicode digits (``٣``, ``１２``, ``²``): Python's ``Decimal`` and ``int`` read the
  former two as numbers, ``str.isdigit`` takes the last, and no person means them in an
  amount;
- more decimal places than the field keeps, and values outside the field's range (by default
  what ``max_digits``/``decimal_places`` can store, so nothing reaches the database that
  overflows its column).

``parse_decimal`` / ``parse_ascii_int`` are the rules; ``core.inputs.StrictDecimal`` (the
pydantic type: ``Annotated[Decimal, StrictDecimal(...)]``) and ``core.inputs.StrictDecimalField``
(the form field) apply them. This module imports nothing of the project, so that
``core.money`` (imported by models) can use it.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

_PLAIN = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")
_ASCII_INT = re.compile(r"[0-9]+")
MAX_TEXT = 64  # characters: longer than any amount a field keeps


class NumberRefused(ValueError):
    """A number refused by the strict rules; ``message`` is localized."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _bound(value: Decimal) -> str:
    return f"{value:,}"


def parse_decimal(
    value: object,
    *,
    max_digits: int,
    decimal_places: int,
    ge: Decimal | int | None = None,
    gt: Decimal | int | None = None,
    le: Decimal | int | None = None,
) -> Decimal:
    """``value`` (a string, an int or a finite ``Decimal``) as an exact decimal within the
    field's digits, places and bounds, or ``NumberRefused``."""
    if isinstance(value, bool):
        raise NumberRefused(_("Enter a number such as 12.50, not true or false."))
    if isinstance(value, float):
        raise NumberRefused(
            _(
                'Write the number as a string such as "12.50": a JSON number with a fraction '
                "is not exact."
            )
        )
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise NumberRefused(_("Enter a number written out in digits, such as 12.50."))
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if len(text) > MAX_TEXT:
            raise NumberRefused(_("Enter a number such as 12.50."))
        if not text.isascii():
            raise NumberRefused(_("Write the number with the digits 0–9 only."))
        if not _PLAIN.fullmatch(text):
            if re.fullmatch(r"[+-]?[0-9.]+[eE][+-]?[0-9]+", text):
                raise NumberRefused(
                    _("Write the number out in full, without an exponent (not %(value)s).")
                    % {"value": text}
                )
            raise NumberRefused(_("Enter a number written out in digits, such as 12.50."))
        number = Decimal(text)
    else:
        raise NumberRefused(_("Enter a number such as 12.50."))
    exponent = number.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    places = max(-exponent, 0)
    if places > decimal_places:
        # Trailing zeros beyond the places are harmless ("12.500"): compare the value.
        try:
            rounded = number.quantize(Decimal(1).scaleb(-decimal_places))
        except InvalidOperation:
            rounded = None
        if rounded is None or rounded != number:
            raise NumberRefused(
                _("At most %(n)d decimal places.") % {"n": decimal_places}
                if decimal_places
                else _("Enter a whole number.")
            )
        number = rounded
    limit = Decimal(10) ** (max_digits - decimal_places)
    if abs(number) >= limit:
        raise NumberRefused(
            _("Must be less than %(n)s in size.") % {"n": _bound(limit)}
            if le is None
            else _("Must be at most %(n)s.") % {"n": _bound(Decimal(le))}
        )
    if ge is not None and number < ge:
        raise NumberRefused(_("Must be at least %(n)s.") % {"n": _bound(Decimal(ge))})
    if gt is not None and number <= gt:
        raise NumberRefused(_("Must be more than %(n)s.") % {"n": _bound(Decimal(gt))})
    if le is not None and number > le:
        raise NumberRefused(_("Must be at most %(n)s.") % {"n": _bound(Decimal(le))})
    return number


def parse_ascii_int(text: str, *, max_length: int = 18) -> int:
    """A non-negative whole number written with ASCII digits only (``str.isdigit`` also
    takes ``²`` and ``٣``, which ``int`` then refuses or reads), or ``NumberRefused``."""
    value = text.strip()
    if not value.isascii() or not _ASCII_INT.fullmatch(value) or len(value) > max_length:
        raise NumberRefused(_("Write the number with the digits 0–9 only."))
    return int(value)


def is_ascii_digits(text: str) -> bool:
    """``text.isdigit()`` as people mean it: one or more of 0–9, nothing else."""
    return bool(_ASCII_INT.fullmatch(text))
