"""The certification criteria as readable text for the public rules page (never the JSON)."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nomadcloud.core.money import format_cny

register = template.Library()


def _nationality(value: Any) -> str:
    return {
        "any": _("anyone, Chinese or foreign"),
        "domestic": _("Chinese nationals"),
        "foreign": _("foreign nationals"),
    }.get(str(value), str(value))


def _earnings(value: Any) -> str:
    return {
        "any": _("either amount is enough"),
        "all": _("both amounts are needed"),
    }.get(str(value), str(value))


def _days(value: Any) -> str:
    return ngettext("%(count)s day", "%(count)s days", int(value)) % {"count": value}


def _months(value: Any) -> str:
    return ngettext("%(count)s month", "%(count)s months", int(value)) % {"count": value}


def _permit(value: Any) -> str:
    if isinstance(value, dict):
        return _("%(min)s to %(max)s months") % {"min": value.get("min"), "max": value.get("max")}
    return str(value)


_CRITERIA: dict[str, tuple[Callable[[], str], Callable[[Any], str]]] = {
    "nationality": (lambda: _("Who may apply"), _nationality),
    "min_remote_income_cny_12m": (
        lambda: _("Remote income in the last 12 months, at least"),
        lambda v: format_cny(Decimal(str(v))),
    ),
    "min_contract_value_cny_12m": (
        lambda: _("Contracts signed in the last 12 months, at least"),
        lambda v: format_cny(Decimal(str(v))),
    ),
    "earnings": (lambda: _("Income and contracts"), _earnings),
    "min_clients_outside_city": (lambda: _("Clients outside the city, at least"), str),
    "min_verified_skills": (lambda: _("Verified skills, at least"), str),
    "min_planned_stay_days": (lambda: _("Planned stay, at least"), _days),
    "permit_months": (lambda: _("Permit sought"), _permit),
    "validity_months": (lambda: _("A certificate is valid for"), _months),
}


@register.filter
def criteria_lines(criteria: Any) -> list[tuple[str, str]]:
    """``(label, value)`` per criterion, in the reader's language and the evaluator's order."""
    if not isinstance(criteria, dict):
        return []
    lines = []
    for key, (label, show) in _CRITERIA.items():
        if criteria.get(key) is not None:
            lines.append((label(), show(criteria[key])))
    return lines
