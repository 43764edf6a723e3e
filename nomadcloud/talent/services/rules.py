"""Certification rules: the rule set in force for a track, and creating one."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    is_zone_operator,
    require_person,
    require_write,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Forbidden, InvalidInput, invalid_field
from nomadcloud.talent import evaluator
from nomadcloud.talent.models import (
    RuleSet,
    Track,
)
from nomadcloud.talent.services._common import clean_text, record

# --- certification rules ---------------------------------------------------------------------


def rule_version(rule_set: RuleSet) -> str:
    return rule_set.label


def current_rule_set(track: str, on: date | None = None) -> RuleSet | None:
    """The rule set in force for a track on a day: the newest version already effective."""
    day = on or timezone.localdate()
    return (
        RuleSet.objects.filter(track=track, effective_from__lte=day)
        .filter(Q(effective_until__isnull=True) | Q(effective_until__gte=day))
        .order_by("-version")
        .first()
    )


def _criteria_error(exc: evaluator.CriteriaError) -> InvalidInput:
    message = exc.en if translation.get_language() == "en" else exc.zh
    return InvalidInput(
        message, code="invalid_criteria", fields={"criteria": [f"{exc.key}: {message}"]}
    )


@transaction.atomic
def create_rule_set(
    *,
    principal: Principal,
    track: str,
    criteria: dict[str, Any],
    effective_from: date,
    effective_until: date | None = None,
    notes_zh: str = "",
    notes_en: str = "",
) -> RuleSet:
    """A new version of a track's criteria (the zone operator edits by adding versions;
    earlier versions stay as they were, so past decisions still name what they applied)."""
    user = require_person(principal)
    require_write(principal)
    if not is_zone_operator(user):
        raise Forbidden(_("Only the zone operator can change certification rules."))
    if track not in Track.values:
        raise invalid_field("track", _("Choose a track."))
    try:
        clean = evaluator.validate_criteria(criteria)
    except evaluator.CriteriaError as exc:
        raise _criteria_error(exc) from None
    if effective_until is not None and effective_until < effective_from:
        raise invalid_field("effective_until", _("The end comes before the start."))
    latest = RuleSet.objects.select_for_update().filter(track=track).order_by("-version").first()
    rule_set = RuleSet.objects.create(
        track=track,
        version=(latest.version + 1) if latest else 1,
        effective_from=effective_from,
        effective_until=effective_until,
        criteria=clean,
        notes_zh=clean_text("notes_zh", notes_zh, 5000),
        notes_en=clean_text("notes_en", notes_en, 5000),
        created_by=user,
    )
    record(
        principal,
        "talent.rule_set.create",
        rule_set,
        {"version": rule_set.label, "criteria": clean, "effective_from": effective_from},
    )
    return rule_set
