"""Showing a stored explanation in the reader's language."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nomadcloud.taxonomy.levels import SkillLevel

register = template.Library()


@register.filter
def label(entry: dict[str, Any]) -> str:
    """A concept's label in the current language, falling back to the other one."""
    chinese = (get_language() or "zh-hans").startswith("zh")
    first, second = ("label_zh", "label_en") if chinese else ("label_en", "label_zh")
    return str(entry.get(first) or entry.get(second) or entry.get("code", ""))


@register.filter
def status_name(status: str) -> str:
    return {"met": _("met"), "partial": _("partly met"), "missing": _("missing")}.get(
        status, status
    )


@register.filter
def group_name(group: str) -> str:
    return {
        "required": _("required"),
        "optional": _("optional"),
        "tag": _("from the job profile"),
        "suggested": _("suggested by similar occupations"),
        "tool": _("tool"),
    }.get(group, group)


@register.filter
def evidence_name(evidence: str) -> str:
    return {
        "verified": _("verified by completed work"),
        "certified": _("certified"),
        "self": _("self-declared"),
    }.get(evidence, evidence)


@register.filter
def relation_name(relation: str) -> str:
    return {
        "self": "",
        "narrower": _("a more specific skill"),
        "related": _("a related skill"),
        "broader": _("a more general skill"),
        "semantic": _("a skill close in meaning"),
    }.get(relation, relation)


@register.filter
def level_name(level: int) -> str:
    try:
        return str(SkillLevel(int(level)).label)
    except ValueError:
        return str(level)


@register.simple_tag
def recommended_for(user: Any, count: int = 5) -> list[Any]:
    """The signed-in nomad's best recommended work, for the workspace."""
    from nomadcloud.matching import queries
    from nomadcloud.talent.models import Profile

    profile = Profile.objects.filter(user=user).first() if user.is_authenticated else None
    return list(queries.recommendations(profile, queries.RecommendationFilters())[:count])
