"""Periods a rule is evaluated over (a year, a quarter, a month, a day)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from .parameters import (
    ParameterError,
)

# --- periods ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A period a rule computes for: a calendar year (``2026``), a month (``2026-03``) or a
    day (``2026-03-05``), written as OpenFisca writes them. ``start`` and ``end`` are both
    inside the period."""

    text: str
    start: date
    end: date

    def __contains__(self, day: object) -> bool:
        return isinstance(day, date) and self.start <= day <= self.end


def parse_period(raw: object) -> Period:
    """A period from its text; anything else is refused with what was expected (OpenFisca's
    period errors are a known complaint: openfisca-core #490, #1107)."""
    text = str(raw).strip()
    try:
        if re.fullmatch(r"[0-9]{4}", text):
            year = int(text)
            return Period(text, date(year, 1, 1), date(year, 12, 31))
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}", text):
            year, month = int(text[:4]), int(text[5:])
            first = date(year, month, 1)
            following = date(year + (month == 12), month % 12 + 1, 1)
            return Period(text, first, date.fromordinal(following.toordinal() - 1))
        if re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
            day = date.fromisoformat(text)
            return Period(text, day, day)
    except ValueError:
        pass
    raise ParameterError(
        _("The period %(text)r is not a year (2026), a month (2026-03) or a day (2026-03-05).")
        % {"text": text}
    )
