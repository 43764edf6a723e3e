"""Candidate cards an enterprise can decide from: headline, location and time zone, rate,
availability, languages, evidence strength and the top reasons of the match, each only as
far as the nomad lets members see that section of the profile.

Identity: a card names no one and links to no profile until the nomad has accepted the
demand's invitation; before that a candidate is "Candidate 3" (their place in the list).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.matching import hidden
from nomadcloud.matching.models import Invitation, Match
from nomadcloud.matching.templatetags.matching_tags import evidence_name, label, level_name
from nomadcloud.talent.access import visible_sections
from nomadcloud.talent.models import Profile, SkillEvidence
from nomadcloud.taxonomy.naming import language_name

TOP_REASONS = 3
STRENGTH = ("verified", "certified", "self")


@dataclass
class Card:
    match: Match
    name: str
    identified: bool
    profile_url: str = ""
    headline: str = ""
    location: str = ""
    time_zone: str = ""
    rate: str = ""
    availability: str = ""
    languages: list[str] = field(default_factory=list)
    evidence: list[tuple[str, int]] = field(default_factory=list)  # (label, skills)
    strength: str = ""  # the strongest evidence held: verified, certified, self
    strength_label: str = ""
    reasons: list[str] = field(default_factory=list)
    hidden_by: list[str] = field(default_factory=list)


def accepted_profiles(demand_id: int) -> set[int]:
    return set(
        Invitation.objects.filter(
            demand_id=demand_id, status=Invitation.Status.ACCEPTED
        ).values_list("profile_id", flat=True)
    )


def cards(
    principal: Principal,
    matches: Sequence[Match],
    *,
    first_place: int = 1,
    places: dict[int, int] | None = None,
) -> list[Card]:
    """One card per match (rows with ``profile`` and ``demand`` loaded), numbered from
    ``first_place`` or by ``places`` (profile id → place)."""
    if not matches:
        return []
    accepted = accepted_profiles(matches[0].demand_id)
    profiles = {
        p.pk: p
        for p in Profile.objects.filter(pk__in=[m.profile_id for m in matches])
        .select_related("user")
        .prefetch_related("languages", "skills__evidence")
    }
    now = timezone.now()
    return [
        card(
            principal,
            match,
            profiles[match.profile_id],
            (places or {}).get(match.profile_id, place),
            match.profile_id in accepted,
            now,
        )
        for place, match in enumerate(matches, start=first_place)
    ]


def card(
    principal: Principal,
    match: Match,
    profile: Profile,
    place: int,
    identified: bool,
    now: datetime,
) -> Card:
    sections = visible_sections(principal, profile)
    english = (get_language() or "zh-hans").startswith("en")
    user = profile.user
    found = Card(
        match=match,
        name=(user.display_name or str(user.pseudonym))
        if identified
        else (_("Near miss %(place)s") if match.near_miss else _("Candidate %(place)s"))
        % {"place": place},
        identified=identified,
        profile_url=reverse("talent:public_profile", args=[profile.public_id])
        if identified
        else "",
        hidden_by=hidden.why_for_enterprise(match) if match.near_miss else [],
    )
    if "about" in sections:
        first, second = (
            (profile.headline_en, profile.headline_zh)
            if english
            else (profile.headline_zh, profile.headline_en)
        )
        found.headline = first or second
        found.location = profile.location
        found.time_zone = _time_zone(profile.time_zone, now)
        found.availability = str(profile.get_availability_display())
    if "rate" in sections and profile.rate_amount is not None and profile.rate_unit:
        found.rate = _("¥%(amount)s %(unit)s") % {
            "amount": number_format(profile.rate_amount, 0, force_grouping=True),
            "unit": profile.get_rate_unit_display(),
        }
    if "languages" in sections:
        found.languages = [
            f"{language_name(lang.language)} · {lang.get_level_display()}"
            for lang in profile.languages.all()
        ]
    if "skills" in sections:
        found.strength, found.evidence = _evidence(profile)
        found.strength_label = evidence_name(found.strength) if found.strength else ""
    found.reasons = reasons(match.explanation)
    return found


def _time_zone(name: str, now: datetime) -> str:
    try:
        offset = now.astimezone(ZoneInfo(name)).utcoffset()
    except (ValueError, KeyError):
        return name
    if offset is None:
        return name
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    return f"{name} (UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d})"


def _evidence(profile: Profile) -> tuple[str, list[tuple[str, int]]]:
    counts = dict.fromkeys(STRENGTH, 0)
    for skill in profile.skills.all():
        kinds = {e.kind for e in skill.evidence.all()}
        if SkillEvidence.Kind.VERIFIED_WORK in kinds:
            counts["verified"] += 1
        elif SkillEvidence.Kind.CERTIFIED in kinds:
            counts["certified"] += 1
        else:
            counts["self"] += 1
    strongest = next((k for k in STRENGTH if counts[k]), "")
    return strongest, [(evidence_name(k), counts[k]) for k in STRENGTH if counts[k]]


def reasons(explanation: dict[str, Any], limit: int = TOP_REASONS) -> list[str]:
    """The match's strongest reasons in words: the items earning most points."""
    items: Iterable[dict[str, Any]] = explanation.get("items") or []
    ranked = sorted(
        (i for i in items if i.get("status") in {"met", "partial"} and i.get("points", 0) > 0),
        key=lambda i: -float(i.get("points", 0)),
    )
    said = []
    for item in ranked[:limit]:
        via = item.get("via") or {}
        if item.get("kind") == "tool":
            said.append(_("Uses %(tool)s") % {"tool": label(via or item)})
        elif via.get("held_as") == "tool":
            said.append(
                _("%(skill)s: only through the tool %(tool)s, not the skill itself")
                % {"skill": label(item), "tool": label(via)}
            )
        elif item.get("status") == "met":
            said.append(
                _("%(skill)s at %(level)s, %(evidence)s")
                % {
                    "skill": label(via or item),
                    "level": level_name(via.get("level", item.get("min_level", 5))),
                    "evidence": evidence_name(via.get("evidence", "self")),
                }
            )
        else:
            said.append(
                _("%(skill)s partly: holds %(held)s")
                % {"skill": label(item), "held": label(via) if via else label(item)}
            )
    terms = explanation.get("text_terms") or []
    if len(said) < limit and terms:
        said.append(_("Words in common: %(words)s") % {"words": "、".join(terms[:5])})
    meaning = explanation.get("meaning")
    if (
        len(said) < limit
        and meaning is not None
        and (explanation.get("points") or {}).get("meaning")
    ):
        said.append(_("Semantically close to the demand: %(cosine).2f") % {"cosine": meaning})
    return said
