"""Why a match is hidden: the hard filters of a near miss (``Match.hidden_by``) said to each
side, counted per filter for the top of a list, one by one beside each near miss, with the
next step that would lift it.

Filter names are the engine's (``engine.model.passes``): availability, location,
``language:<ISO code>``, certified, rate, time_zone.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.urls import reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from nomadcloud.demands.models import Demand
from nomadcloud.matching import features
from nomadcloud.matching.models import Match
from nomadcloud.taxonomy.naming import language_name

LANGUAGE_LEVEL = "B1"  # features.DEMAND_LANGUAGE_RANK


@dataclass(frozen=True)
class Reason:
    """One hard filter, how many rows of the list it hid, and what to do about it."""

    filter: str
    count: int
    text: str
    next_step: str = ""
    next_url: str = ""


def _money(value: float | None) -> str:
    return number_format(round(value or 0), 0, force_grouping=True)


def _language(name: str) -> str:
    return language_name(name.split(":", 1)[1])


def _order(counts: Counter[str]) -> list[str]:
    return sorted(counts, key=lambda name: (-counts[name], name))


# --- the nomad's side: recommended work ----------------------------------------------------


def for_nomad(rows: Iterable[Match]) -> list[Reason]:
    """What hid the nomad's near misses, most first."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(set(row.hidden_by))
    profile_url = reverse("talent:profile")
    reasons = []
    for name in _order(counts):
        n = counts[name]
        if name.startswith("language:"):
            text = ngettext(
                "%(count)s demand hidden: it requires %(language)s at %(level)s or above.",
                "%(count)s demands hidden: they require %(language)s at %(level)s or above.",
                n,
            ) % {"count": n, "language": _language(name), "level": LANGUAGE_LEVEL}
            step = _("Add the language to your profile")
        elif name == "rate":
            text = ngettext(
                "%(count)s demand hidden: your expected rate is above its budget.",
                "%(count)s demands hidden: your expected rate is above their budget.",
                n,
            ) % {"count": n}
            step = _("Review your expected rate")
        elif name == "location":
            text = ngettext(
                "%(count)s demand hidden: it is on-site somewhere else than your location.",
                "%(count)s demands hidden: they are on-site somewhere else than your location.",
                n,
            ) % {"count": n}
            step = _("Check your location")
        elif name == "availability":
            text = ngettext(
                "%(count)s demand hidden: your profile says you are not available.",
                "%(count)s demands hidden: your profile says you are not available.",
                n,
            ) % {"count": n}
            step = _("Change your availability")
        elif name == "certified":
            text = ngettext(
                "%(count)s demand hidden: it is for certified nomads only.",
                "%(count)s demands hidden: they are for certified nomads only.",
                n,
            ) % {"count": n}
            step = _("See how to be certified")
            reasons.append(Reason(name, n, text, step, reverse("talent:certification")))
            continue
        else:
            text = ngettext(
                "%(count)s demand hidden: its working hours overlap too little with yours.",
                "%(count)s demands hidden: their working hours overlap too little with yours.",
                n,
            ) % {"count": n}
            step = _("Check your time zone")
        reasons.append(Reason(name, n, text, step, profile_url))
    return reasons


def why_for_nomad(match: Match) -> list[str]:
    """Why this one demand is hidden from the nomad, filter by filter."""
    demand = match.demand
    said = []
    for name in match.hidden_by:
        if name.startswith("language:"):
            said.append(
                _("It requires %(language)s at %(level)s or above.")
                % {"language": _language(name), "level": LANGUAGE_LEVEL}
            )
        elif name == "rate":
            said.append(
                _("Your expected rate (¥%(rate)s a day) is above its budget of ¥%(budget)s a day.")
                % {
                    "rate": _money(features.rate_per_day(match.profile)),
                    "budget": _money(features.budget_per_day(demand)),
                }
            )
        elif name == "location":
            said.append(_("It is on-site in %(place)s.") % {"place": demand.location})
        elif name == "availability":
            said.append(_("Your profile says you are not available."))
        elif name == "certified":
            said.append(_("It is for certified nomads only."))
        else:
            said.append(_("Its working hours overlap too little with yours."))
    return said


# --- the enterprise's side: a demand's candidates ------------------------------------------


def for_enterprise(demand: Demand, rows: Iterable[Match]) -> list[Reason]:
    """What hid the demand's near misses, most first."""
    counts: Counter[str] = Counter()
    for row in rows:
        counts.update(set(row.hidden_by))
    edit_url = reverse("demands:edit", args=[demand.public_id])
    step = _("Edit the demand")
    reasons = []
    for name in _order(counts):
        n = counts[name]
        if name.startswith("language:"):
            text = ngettext(
                "%(count)s nomad hidden: no %(language)s at %(level)s or above given.",
                "%(count)s nomads hidden: no %(language)s at %(level)s or above given.",
                n,
            ) % {"count": n, "language": _language(name), "level": LANGUAGE_LEVEL}
        elif name == "rate":
            text = ngettext(
                "%(count)s nomad hidden: the expected rate is above your budget "
                "of ¥%(budget)s a day.",
                "%(count)s nomads hidden: their expected rate is above your budget "
                "of ¥%(budget)s a day.",
                n,
            ) % {"count": n, "budget": _money(features.budget_per_day(demand))}
        elif name == "location":
            text = ngettext(
                "%(count)s nomad hidden: not in %(place)s.",
                "%(count)s nomads hidden: not in %(place)s.",
                n,
            ) % {"count": n, "place": demand.location}
        elif name == "availability":
            text = ngettext(
                "%(count)s nomad hidden: not available now.",
                "%(count)s nomads hidden: not available now.",
                n,
            ) % {"count": n}
        elif name == "certified":
            text = ngettext(
                "%(count)s nomad hidden: not certified.",
                "%(count)s nomads hidden: not certified.",
                n,
            ) % {"count": n}
        else:
            text = ngettext(
                "%(count)s nomad hidden: working hours overlap too little.",
                "%(count)s nomads hidden: working hours overlap too little.",
                n,
            ) % {"count": n}
        reasons.append(Reason(name, n, text, step, edit_url))
    return reasons


def why_for_enterprise(match: Match) -> list[str]:
    """Why this one nomad is hidden from the demand, filter by filter."""
    said = []
    for name in match.hidden_by:
        if name.startswith("language:"):
            said.append(
                _("No %(language)s at %(level)s or above given.")
                % {"language": _language(name), "level": LANGUAGE_LEVEL}
            )
        elif name == "rate":
            said.append(
                _("Expected rate ¥%(rate)s a day, above your budget of ¥%(budget)s a day.")
                % {
                    "rate": _money(features.rate_per_day(match.profile)),
                    "budget": _money(features.budget_per_day(match.demand)),
                }
            )
        elif name == "location":
            said.append(_("Not in %(place)s.") % {"place": match.demand.location})
        elif name == "availability":
            said.append(_("Not available now."))
        elif name == "certified":
            said.append(_("Not certified."))
        else:
            said.append(_("Working hours overlap too little."))
    return said
