"""Skills and the level rule: declared skills with evidence, and skills verified by
accepted work."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    require_person,
    require_write,
)
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import InvalidInput, invalid_field
from nomadcloud.talent.events import send_profile_changed
from nomadcloud.talent.models import (
    SELF_DECLARED_MAX_LEVEL,
    ProfileSkill,
    SkillEvidence,
)
from nomadcloud.talent.services._common import (
    SKILL_KINDS,
    clean_level,
    clean_text,
    clean_url,
    ensure_profile,
    record,
)
from nomadcloud.taxonomy.levels import SkillLevel, is_higher
from nomadcloud.taxonomy.models import Concept

# --- skills and the level rule ---------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    """A certificate the nomad attaches to back a level (kind ``certified``)."""

    source: str
    reference: str
    url: str = ""
    occurred_on: date | None = None


def _clean_evidence(evidence: EvidenceInput) -> EvidenceInput:
    source = clean_text("evidence_source", evidence.source, 100)
    reference = clean_text("evidence_reference", evidence.reference, 255)
    if not source:
        raise invalid_field("evidence_source", _("Name who issued the certificate."))
    if not reference:
        raise invalid_field("evidence_reference", _("Give the certificate's number or reference."))
    if evidence.occurred_on is not None and evidence.occurred_on > timezone.localdate():
        raise invalid_field("evidence_date", _("This date is in the future."))
    return EvidenceInput(
        source=source,
        reference=reference,
        url=clean_url("evidence_url", evidence.url),
        occurred_on=evidence.occurred_on,
    )


def _as_datetime(day: date | None) -> datetime:
    if day is None:
        return timezone.now()
    return timezone.make_aware(datetime(day.year, day.month, day.day, 12))


@transaction.atomic
def declare_skill(
    *,
    principal: Principal,
    concept: Concept,
    level: int,
    evidence: EvidenceInput | None = None,
) -> ProfileSkill:
    """Add a skill or change its level.

    The level rule: a level is never higher than the evidence supports. A bare
    self-declaration supports up to 四级/中级工 (SELF_DECLARED_MAX_LEVEL); higher levels need a
    certificate attached here, or verified work (``record_verified_work``). Lowering a level,
    or raising it back up to what earlier evidence supports, needs nothing new.
    """
    user = require_person(principal)
    require_write(principal)
    level = clean_level("level", level)
    if concept.kind not in SKILL_KINDS:
        raise invalid_field("skill", _("This is not a skill; add tools under tools."))
    clean = _clean_evidence(evidence) if evidence is not None else None
    profile = ensure_profile(user)
    skill = (
        ProfileSkill.objects.select_for_update().filter(profile=profile, concept=concept).first()
    )
    supported = skill.supported_level if skill else SELF_DECLARED_MAX_LEVEL
    if clean is not None:
        supported = min(supported, level)
    if is_higher(level, supported):
        raise invalid_field(
            "level",
            _(
                "%(level)s needs evidence: attach a certificate, or let verified work raise "
                "it. Without new evidence you can declare up to %(supported)s."
            )
            % {"level": SkillLevel(level).label, "supported": SkillLevel(supported).label},
            code="level_needs_evidence",
        )
    now = timezone.now()
    before = {"level": skill.level} if skill else None
    if skill is None:
        skill = ProfileSkill.objects.create(
            profile=profile,
            concept=concept,
            level=level,
            supported_level=supported,
            last_evidence_at=now,
        )
    elif skill.level == level and clean is None:
        return skill
    else:
        skill.level = level
        skill.supported_level = supported
        skill.last_evidence_at = now
        skill.save(update_fields=["level", "supported_level", "last_evidence_at"])
    if clean is not None:
        SkillEvidence.objects.create(
            skill=skill,
            kind=SkillEvidence.Kind.CERTIFIED,
            level=level,
            source=clean.source,
            reference=clean.reference,
            url=clean.url,
            occurred_at=_as_datetime(clean.occurred_on),
            recorded_by=user,
        )
    else:
        SkillEvidence.objects.create(
            skill=skill,
            kind=SkillEvidence.Kind.SELF_DECLARED,
            level=level,
            occurred_at=now,
            recorded_by=user,
        )
    record(
        principal,
        "talent.skill.declare",
        skill,
        {
            "concept": concept.code,
            "level": level,
            "evidence": "certified" if clean else "self",
        },
        before=before,
    )
    send_profile_changed([profile.pk])
    return skill


@transaction.atomic
def record_verified_work(
    *,
    user: User,
    skills: list[tuple[Concept, int]],
    source: str,
    reference: str,
    occurred_at: datetime,
) -> list[ProfileSkill]:
    """Verified work landed (an accepted order, data task, bounty …): add evidence to each
    skill at the level the work showed, adding the skill when new. A level rises when the
    work shows a higher one; it never falls. Idempotent per (source, reference, skill), so
    callers may retry. Called by other apps, not by people, so it takes no Principal."""
    source = source.strip()[:100]
    reference = reference.strip()[:255]
    if not source or not reference:
        raise InvalidInput(_("Verified work needs a source and a reference."), code="no_source")
    for _concept, level in skills:
        clean_level("level", level)
    profile = ensure_profile(user)
    changed: list[ProfileSkill] = []
    recorded = False  # new evidence written (a retry of the same work writes none)
    for concept, level in skills:
        skill = (
            ProfileSkill.objects.select_for_update()
            .filter(profile=profile, concept=concept)
            .first()
        )
        if (
            skill is not None
            and skill.evidence.filter(
                kind=SkillEvidence.Kind.VERIFIED_WORK, source=source, reference=reference
            ).exists()
        ):
            changed.append(skill)
            continue
        before = {"level": skill.level} if skill else None
        if skill is None:
            skill = ProfileSkill.objects.create(
                profile=profile,
                concept=concept,
                level=level,
                supported_level=level,
                last_evidence_at=occurred_at,
            )
        else:
            skill.supported_level = min(skill.supported_level, level)
            if is_higher(level, skill.level):
                skill.level = level
            skill.last_evidence_at = max(skill.last_evidence_at, occurred_at)
            skill.save(update_fields=["level", "supported_level", "last_evidence_at"])
        SkillEvidence.objects.create(
            skill=skill,
            kind=SkillEvidence.Kind.VERIFIED_WORK,
            level=level,
            source=source,
            reference=reference,
            occurred_at=occurred_at,
        )
        audit.record(
            actor=None,
            action="talent.skill.verified_work",
            obj=skill,
            before=before,
            after={
                "concept": concept.code,
                "level": skill.level,
                "source": source,
                "reference": reference,
            },
        )
        changed.append(skill)
        recorded = True
    if recorded:
        send_profile_changed([profile.pk])
    return changed
