"""Use cases for nomad profiles, the dynamic skill record and certification.

One function per action, called by both the pages and the API. Each validates its input first,
then changes the database in one transaction and records an audit event, so that a refusal
leaves nothing half-written. Access to existing objects is checked by the callers through
``access.py``; who may act at all is checked here.
"""

from __future__ import annotations

import calendar
import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    is_zone_operator,
    require_person,
    require_write,
)
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.money import to_cny
from nomadcloud.talent import evaluator
from nomadcloud.talent.access import CERTIFYING_DEPARTMENT_CODE
from nomadcloud.talent.events import send_profile_changed
from nomadcloud.talent.models import (
    SECTIONS,
    SELF_DECLARED_MAX_LEVEL,
    Application,
    Certificate,
    CertificationDecision,
    EvidenceFile,
    PortfolioLink,
    Profile,
    ProfileLanguage,
    ProfileSkill,
    ProfileTool,
    Project,
    RuleSet,
    SkillEvidence,
    Track,
)
from nomadcloud.talent.schemas import ProfileChanges, ProjectDraft
from nomadcloud.taxonomy.levels import SkillLevel, is_higher
from nomadcloud.taxonomy.models import Concept

SKILL_KINDS = frozenset({Concept.Kind.SKILL, Concept.Kind.KNOWLEDGE, Concept.Kind.OCCUPATION})
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")
MAX_EVIDENCE_FILES = 10
# Allowed evidence uploads: extension → (content type, the file's first bytes).
UPLOAD_TYPES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
}


# --- helpers ---------------------------------------------------------------------------------


def _clean_text(field: str, value: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise invalid_field(field, _("At most %(n)d characters, please.") % {"n": limit})
    return value


def _clean_url(field: str, value: str) -> str:
    value = value.strip()
    if not value:
        return ""
    try:
        URLValidator(schemes=["http", "https"])(value)
    except ValidationError:
        raise invalid_field(
            field, _("Enter a web address starting with http:// or https://.")
        ) from None
    if len(value) > 500:
        raise invalid_field(field, _("At most %(n)d characters, please.") % {"n": 500})
    return value


@cache
def _time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _clean_level(field: str, level: int) -> int:
    if level not in SkillLevel.values:
        raise invalid_field(field, _("Choose a level from 5 (beginner) to 1 (expert)."))
    return level


def _record(
    principal: Principal | None,
    action: str,
    obj: models.Model,
    after: dict[str, Any] | None = None,
    organisation: Organisation | None = None,
    before: dict[str, Any] | None = None,
) -> None:
    audit.record(
        actor=principal.user if principal else None,
        action=action,
        obj=obj,
        organisation=organisation,
        before=before,
        after=after,
        token=principal.token if principal else None,
    )


def concept_by_code(code: str, *, field: str, tool: bool = False) -> Concept:
    """A concept of the taxonomy by code: a tool for ``tool=True``, else a skill."""
    concept = Concept.objects.filter(code=code.strip(), is_active=True).first()
    if concept is None:
        raise invalid_field(field, _("No skill or tool has this code."), code="unknown_concept")
    if tool and concept.kind != Concept.Kind.TOOL:
        raise invalid_field(field, _("This is not a tool or technology."), code="not_a_tool")
    if not tool and concept.kind not in SKILL_KINDS:
        raise invalid_field(
            field, _("This is not a skill; add tools under tools."), code="not_a_skill"
        )
    return concept


def ensure_profile(user: User) -> Profile:
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        profile = Profile.objects.create(user=user)
        audit.record(actor=user, action="talent.profile.create", obj=profile)
    return profile


# --- the profile -----------------------------------------------------------------------------


@transaction.atomic
def update_profile(*, principal: Principal, changes: ProfileChanges) -> Profile:
    """Change the profile's own fields; only what is given (not null) changes.
    ``rate_amount`` ``""`` with ``rate_unit`` ``""`` clears the expected rate."""
    user = require_person(principal)
    require_write(principal)
    new: dict[str, Any] = {  # the texts and the availability, as the draft checked them
        name: getattr(changes, name)
        for name in changes.model_fields_set - {"visibility", "rate_amount", "rate_unit"}
        if getattr(changes, name) is not None
    }
    if "time_zone" in new and new["time_zone"] not in _time_zones():
        raise invalid_field(
            "time_zone", _("Enter an IANA time zone such as Asia/Shanghai or Europe/Lisbon.")
        )
    if changes.rate_amount is not None or changes.rate_unit is not None:
        amount: Decimal | None
        if changes.rate_amount in (None, ""):
            amount = None
        else:
            try:
                amount = to_cny(changes.rate_amount)
            except ValueError:
                raise invalid_field(
                    "rate_amount", _("Enter an amount in yuan with at most two decimals.")
                ) from None
            if amount < 0 or amount >= Decimal("10000000000"):
                raise invalid_field("rate_amount", _("Enter an amount from 0 to 9,999,999,999."))
        unit = changes.rate_unit or ""
        if (amount is None) != (unit == ""):
            raise invalid_field(
                "rate_unit" if amount is not None else "rate_amount",
                _("Give both the amount and whether it is per hour, day or month."),
            )
        new["rate_amount"] = amount
        new["rate_unit"] = unit
    for section in SECTIONS:
        value = getattr(changes.visibility, section, None)
        if value is not None:
            new[f"{section}_visibility"] = value
    profile = ensure_profile(user)
    profile = Profile.objects.select_for_update().get(pk=profile.pk)
    changed = [f for f, v in new.items() if getattr(profile, f) != v]
    if changed:
        for field in changed:
            setattr(profile, field, new[field])
        profile.save(update_fields=[*changed, "updated_at"])
        # Names only: profile text is the nomad's own data and stays out of the audit log.
        _record(principal, "talent.profile.update", profile, {"fields": sorted(changed)})
        send_profile_changed([profile.pk])
    return profile


@transaction.atomic
def set_language(*, principal: Principal, language: str, level: str) -> ProfileLanguage:
    user = require_person(principal)
    require_write(principal)
    code = language.strip().lower()
    if not LANGUAGE_CODE.match(code) or len(code) > 12:
        raise invalid_field("language", _("Enter an ISO 639 language code such as zh, en or fr."))
    if level not in ProfileLanguage.Level.values:
        raise invalid_field("level", _("Choose a level from A1 to C2, or native."))
    profile = ensure_profile(user)
    item, _created = ProfileLanguage.objects.update_or_create(
        profile=profile, language=code, defaults={"level": level}
    )
    _record(principal, "talent.language.set", item, {"language": code, "level": level})
    send_profile_changed([profile.pk])
    return item


@transaction.atomic
def add_link(*, principal: Principal, title: str, url: str) -> PortfolioLink:
    user = require_person(principal)
    require_write(principal)
    title = _clean_text("title", title, 100)
    if not title:
        raise invalid_field("title", _("This field is required."))
    clean = _clean_url("url", url)
    if not clean:
        raise invalid_field("url", _("This field is required."))
    profile = ensure_profile(user)
    if profile.links.count() >= 20:
        raise Conflict(_("A profile holds at most 20 links."), code="too_many_links")
    link = PortfolioLink.objects.create(profile=profile, title=title, url=clean)
    _record(principal, "talent.link.add", link, {"url": clean})
    return link


@transaction.atomic
def remove_item(
    *,
    principal: Principal,
    item: ProfileLanguage | PortfolioLink | ProfileSkill | Project | ProfileTool,
) -> None:
    """Remove a row of one's own profile (fetched with ``access.own_item``)."""
    require_write(principal)
    _record(principal, f"talent.{item._meta.model_name}.remove", item, before={"id": item.pk})
    item.delete()
    if not isinstance(item, PortfolioLink):  # links are not matched on
        send_profile_changed([item.profile_id])


# --- skills and the level rule ---------------------------------------------------------------


@dataclass(frozen=True)
class EvidenceInput:
    """A certificate the nomad attaches to back a level (kind ``certified``)."""

    source: str
    reference: str
    url: str = ""
    occurred_on: date | None = None


def _clean_evidence(evidence: EvidenceInput) -> EvidenceInput:
    source = _clean_text("evidence_source", evidence.source, 100)
    reference = _clean_text("evidence_reference", evidence.reference, 255)
    if not source:
        raise invalid_field("evidence_source", _("Name who issued the certificate."))
    if not reference:
        raise invalid_field("evidence_reference", _("Give the certificate's number or reference."))
    if evidence.occurred_on is not None and evidence.occurred_on > timezone.localdate():
        raise invalid_field("evidence_date", _("This date is in the future."))
    return EvidenceInput(
        source=source,
        reference=reference,
        url=_clean_url("evidence_url", evidence.url),
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
    level = _clean_level("level", level)
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
    _record(
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
        _clean_level("level", level)
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


# --- projects and tools ----------------------------------------------------------------------


@transaction.atomic
def add_project(*, principal: Principal, draft: ProjectDraft) -> Project:
    user = require_person(principal)
    require_write(principal)
    if not draft.title_zh and not draft.title_en:
        raise invalid_field("title_zh", _("Give the project's title in Chinese or English."))
    if draft.started_on > timezone.localdate():
        raise invalid_field("started_on", _("This date is in the future."))
    if draft.ended_on is not None and draft.ended_on < draft.started_on:
        raise invalid_field("ended_on", _("The end comes before the start."))
    url = _clean_url("evidence_url", draft.evidence_url)
    concepts = []
    for code in dict.fromkeys(c.strip() for c in draft.skills if c.strip()):
        concept = Concept.objects.filter(code=code, is_active=True).first()
        if concept is None:
            raise invalid_field("skills", _("Unknown skill or tool: %(code)s") % {"code": code})
        concepts.append(concept)
    profile = ensure_profile(user)
    project = Project.objects.create(
        profile=profile,
        title_zh=draft.title_zh,
        title_en=draft.title_en,
        role=draft.role,
        started_on=draft.started_on,
        ended_on=draft.ended_on,
        outcome_zh=draft.outcome_zh,
        outcome_en=draft.outcome_en,
        evidence_url=url,
    )
    project.skills.set(concepts)
    _record(
        principal,
        "talent.project.add",
        project,
        {"role": draft.role, "skills": [c.code for c in concepts]},
    )
    send_profile_changed([profile.pk])
    return project


@transaction.atomic
def set_tool(
    *,
    principal: Principal,
    concept: Concept,
    proficiency: int,
    years: int = 0,
    last_used: date | None = None,
) -> ProfileTool:
    user = require_person(principal)
    require_write(principal)
    if concept.kind != Concept.Kind.TOOL:
        raise invalid_field("tool", _("This is not a tool or technology."))
    if not 1 <= proficiency <= 5:
        raise invalid_field("proficiency", _("Choose from 1 (basic) to 5 (master)."))
    if not 0 <= years <= 60:
        raise invalid_field("years", _("Enter a number of years from 0 to 60."))
    if last_used is not None and last_used > timezone.localdate():
        raise invalid_field("last_used", _("This date is in the future."))
    profile = ensure_profile(user)
    tool, _created = ProfileTool.objects.update_or_create(
        profile=profile,
        concept=concept,
        defaults={"proficiency": proficiency, "years": years, "last_used": last_used},
    )
    _record(
        principal,
        "talent.tool.set",
        tool,
        {"concept": concept.code, "proficiency": proficiency, "years": years},
    )
    send_profile_changed([profile.pk])
    return tool


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
        notes_zh=_clean_text("notes_zh", notes_zh, 5000),
        notes_en=_clean_text("notes_en", notes_en, 5000),
        created_by=user,
    )
    _record(
        principal,
        "talent.rule_set.create",
        rule_set,
        {"version": rule_set.label, "criteria": clean, "effective_from": effective_from},
    )
    return rule_set


# --- checking and applying -------------------------------------------------------------------


@dataclass(frozen=True)
class Answers:
    remote_income_cny_12m: Decimal = Decimal(0)
    contract_value_cny_12m: Decimal = Decimal(0)
    clients_outside_city: int = 0
    planned_stay_days: int = 0
    permit_months: int | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "remote_income_cny_12m": str(self.remote_income_cny_12m),
            "contract_value_cny_12m": str(self.contract_value_cny_12m),
            "clients_outside_city": self.clients_outside_city,
            "planned_stay_days": self.planned_stay_days,
            "permit_months": self.permit_months,
        }


def clean_answers(
    *,
    remote_income_cny_12m: Decimal | str | int = 0,
    contract_value_cny_12m: Decimal | str | int = 0,
    clients_outside_city: int = 0,
    planned_stay_days: int = 0,
    permit_months: int | None = None,
) -> Answers:
    amounts = {}
    for field, value in (
        ("remote_income_cny_12m", remote_income_cny_12m),
        ("contract_value_cny_12m", contract_value_cny_12m),
    ):
        try:
            amount = to_cny(value if value not in (None, "") else 0)
        except ValueError:
            raise invalid_field(
                field, _("Enter an amount in yuan with at most two decimals.")
            ) from None
        if amount < 0 or amount >= Decimal("10000000000000"):
            raise invalid_field(field, _("Enter an amount of 0 or more."))
        amounts[field] = amount
    for field, number, limit in (
        ("clients_outside_city", clients_outside_city, 1000),
        ("planned_stay_days", planned_stay_days, 3660),
    ):
        if not 0 <= number <= limit:
            raise invalid_field(field, _("Enter a number from 0 to %(n)d.") % {"n": limit})
    if permit_months is not None and not 1 <= permit_months <= 60:
        raise invalid_field("permit_months", _("Enter a number of months from 1 to 60."))
    return Answers(
        remote_income_cny_12m=amounts["remote_income_cny_12m"],
        contract_value_cny_12m=amounts["contract_value_cny_12m"],
        clients_outside_city=clients_outside_city,
        planned_stay_days=planned_stay_days,
        permit_months=permit_months,
    )


def verified_skill_count(user: User) -> int:
    return (
        ProfileSkill.objects.filter(
            profile__user=user,
            evidence__kind__in=[SkillEvidence.Kind.CERTIFIED, SkillEvidence.Kind.VERIFIED_WORK],
        )
        .distinct()
        .count()
    )


def facts_for(user: User, answers: Answers) -> evaluator.Facts:
    return evaluator.Facts(
        is_foreign=user.is_foreign,
        remote_income_cny_12m=answers.remote_income_cny_12m,
        contract_value_cny_12m=answers.contract_value_cny_12m,
        clients_outside_city=answers.clients_outside_city,
        verified_skills=verified_skill_count(user),
        planned_stay_days=answers.planned_stay_days,
        permit_months=answers.permit_months,
    )


def _rule_set_for(track: str) -> RuleSet:
    if track not in Track.values:
        raise invalid_field("track", _("Choose a track."))
    rule_set = current_rule_set(track)
    if rule_set is None:
        raise Conflict(
            _("No certification rules are in force for this track yet."), code="no_rules"
        )
    return rule_set


def check_eligibility(
    *, principal: Principal, track: str, answers: Answers
) -> tuple[RuleSet, evaluator.Evaluation]:
    """ "Check whether you qualify": every criterion of the rules in force, met or not, with
    the reason. Changes nothing."""
    user = require_person(principal)
    rule_set = _rule_set_for(track)
    return rule_set, evaluator.evaluate(rule_set.criteria, facts_for(user, answers))


@dataclass(frozen=True)
class Upload:
    kind: str
    file: UploadedFile[Any]


def _check_upload(upload: Upload) -> tuple[str, str]:
    """Refuse a file of the wrong type or size, naming the field. Returns (extension, type)."""
    if upload.kind not in EvidenceFile.Kind.values:
        raise invalid_field("evidence_kind", _("Choose what the file shows."))
    name = upload.file.name or ""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    limit = settings.TALENT_EVIDENCE_MAX_BYTES
    if upload.file.size is None or upload.file.size > limit:
        raise invalid_field(
            "evidence",
            _("%(name)s is too large: at most %(mb)s MB per file.")
            % {"name": name, "mb": f"{limit / 1_048_576:g}"},
            code="file_too_large",
        )
    if upload.file.size == 0:
        raise invalid_field("evidence", _("%(name)s is empty.") % {"name": name})
    allowed = UPLOAD_TYPES.get(extension)
    upload.file.seek(0)
    head = upload.file.read(16)
    upload.file.seek(0)
    if allowed is None or not any(head.startswith(magic) for magic in allowed[1]):
        raise invalid_field(
            "evidence",
            _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": name},
            code="file_type",
        )
    return extension, allowed[0]


def _store(
    application: Application, upload: Upload, extension: str, content_type: str
) -> EvidenceFile:
    digest = hashlib.sha256()
    for chunk in upload.file.chunks():
        digest.update(chunk)
    upload.file.seek(0)
    evidence = EvidenceFile(
        application=application,
        kind=upload.kind,
        original_name=(upload.file.name or "")[-255:],
        content_type=content_type,
        size=upload.file.size or 0,
        sha256=digest.hexdigest(),
    )
    # A random stored name: the original name is kept in the row, never in the path.
    evidence.file.save(f"{secrets.token_hex(16)}.{extension}", upload.file, save=False)
    evidence.save()
    return evidence


def certifying_department() -> Organisation | None:
    return Organisation.objects.filter(
        kind=Organisation.Kind.DEPARTMENT, code=CERTIFYING_DEPARTMENT_CODE
    ).first()


def apply_for_certification(
    *,
    principal: Principal,
    track: str,
    answers: Answers,
    uploads: list[Upload] | None = None,
    renews: Certificate | None = None,
) -> Application:
    """Submit an application under the rules in force, with its evidence files. Every file
    is checked before anything is written; a refusal leaves no row and no stored file."""
    user = require_person(principal)
    require_write(principal)
    uploads = uploads or []
    if len(uploads) > MAX_EVIDENCE_FILES:
        raise invalid_field(
            "evidence", _("At most %(n)d files, please.") % {"n": MAX_EVIDENCE_FILES}
        )
    checked = [(upload, *_check_upload(upload)) for upload in uploads]
    rule_set = _rule_set_for(track)
    if renews is not None:
        if renews.holder_id != user.pk or renews.track != track:
            raise invalid_field("renews", _("You can only renew your own certificate."))
        if renews.revoked_at is not None:
            raise Conflict(_("A revoked certificate cannot be renewed."), code="revoked")
    department = certifying_department()
    if department is None:
        raise Conflict(
            _("No department is set up to review certification yet."),
            code="no_reviewing_department",
        )
    evaluation = evaluator.evaluate(rule_set.criteria, facts_for(user, answers))
    stored: list[EvidenceFile] = []
    try:
        with transaction.atomic():
            if Application.objects.filter(
                applicant=user, track=track, status=Application.Status.SUBMITTED
            ).exists():
                raise Conflict(
                    _("You already have an application awaiting review on this track."),
                    code="already_applied",
                )
            application = Application.objects.create(
                applicant=user,
                track=track,
                rule_set=rule_set,
                answers=answers.as_json(),
                evaluation=evaluation.as_dict(),
                reviewing_department=department,
                renews=renews,
            )
            for upload, extension, content_type in checked:
                stored.append(_store(application, upload, extension, content_type))
            _record(
                principal,
                "talent.application.submit",
                application,
                {
                    "track": track,
                    "rule_version": rule_set.label,
                    "files": len(stored),
                    "renews": renews.pk if renews else None,
                },
                organisation=department,
            )
    except Exception:
        for evidence in stored:
            evidence.file.delete(save=False)
        raise
    return application


def add_evidence(*, principal: Principal, application: Application, upload: Upload) -> EvidenceFile:
    """Add a file to one's own application while it awaits review."""
    require_write(principal)
    extension, content_type = _check_upload(upload)
    evidence: EvidenceFile | None = None
    try:
        with transaction.atomic():
            locked = Application.objects.select_for_update().get(pk=application.pk)
            if locked.status != Application.Status.SUBMITTED:
                raise Conflict(_("This application is no longer open."), code="not_pending")
            if locked.evidence_files.count() >= MAX_EVIDENCE_FILES:
                raise invalid_field(
                    "evidence", _("At most %(n)d files, please.") % {"n": MAX_EVIDENCE_FILES}
                )
            evidence = _store(locked, upload, extension, content_type)
            _record(
                principal,
                "talent.application.add_evidence",
                evidence,
                {"kind": upload.kind, "size": evidence.size},
                organisation=locked.reviewing_department,
            )
    except Exception:
        if evidence is not None:
            evidence.file.delete(save=False)
        raise
    return evidence


@transaction.atomic
def withdraw_application(*, principal: Principal, application: Application) -> Application:
    require_write(principal)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.SUBMITTED:
        raise Conflict(_("This application is no longer open."), code="not_pending")
    locked.status = Application.Status.WITHDRAWN
    locked.save(update_fields=["status"])
    _record(
        principal,
        "talent.application.withdraw",
        locked,
        {"status": locked.status},
        organisation=locked.reviewing_department,
    )
    return locked


# --- decisions and certificates --------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def new_verification_code() -> str:
    """Random and unguessable: 144 bits, URL-safe."""
    return secrets.token_urlsafe(18)


def _answers_of(application: Application) -> Answers:
    a = application.answers
    return Answers(
        remote_income_cny_12m=Decimal(a.get("remote_income_cny_12m", "0")),
        contract_value_cny_12m=Decimal(a.get("contract_value_cny_12m", "0")),
        clients_outside_city=int(a.get("clients_outside_city", 0)),
        planned_stay_days=int(a.get("planned_stay_days", 0)),
        permit_months=a.get("permit_months"),
    )


@transaction.atomic
def decide_certification(
    *,
    principal: Principal,
    application: Application,
    department: Organisation,
    approve: bool,
    reason: str,
) -> CertificationDecision:
    """Record the department's decision (who, when, on what evidence, under which rule
    version); on approval, issue the certificate."""
    user = require_person(principal)
    require_write(principal)
    locked = Application.objects.select_for_update().get(pk=application.pk)
    if locked.status != Application.Status.SUBMITTED:
        raise Conflict(_("This application is not awaiting review."), code="not_pending")
    reason = reason.strip()
    if not reason:
        raise invalid_field("reason", _("Please give the reason for the decision."))
    if locked.applicant_id == user.pk:
        raise Forbidden(_("You cannot decide your own application."), code="own_application")
    rule_set = locked.rule_set
    answers = _answers_of(locked)
    facts = facts_for(locked.applicant, answers)
    evaluation = evaluator.evaluate(rule_set.criteria, facts)
    decision = CertificationDecision.objects.create(
        application=locked,
        approved=approve,
        reason=reason[:5000],
        evidence={
            "answers": locked.answers,
            "evaluation": evaluation.as_dict(),
            "verified_skills": facts.verified_skills,
            "files": [
                {"kind": f.kind, "name": f.original_name, "size": f.size, "sha256": f.sha256}
                for f in locked.evidence_files.all()
            ],
        },
        rule_version=rule_set.label,
        decided_by=user,
        decided_for=department,
    )
    locked.status = Application.Status.APPROVED if approve else Application.Status.REJECTED
    locked.save(update_fields=["status"])
    application.status = locked.status
    certificate = None
    if approve:
        today = timezone.localdate()
        start = today
        if locked.renews is not None and locked.renews.valid_until >= today:
            start = locked.renews.valid_until + timedelta(days=1)  # renewal continues
        months = evaluator.validity_months(rule_set.criteria, facts)
        certificate = Certificate.objects.create(
            verification_code=new_verification_code(),
            holder=locked.applicant,
            application=locked,
            track=locked.track,
            rule_version=rule_set.label,
            issued_by=department,
            valid_from=start,
            valid_until=add_months(start, months) - timedelta(days=1),
        )
    _record(
        principal,
        "talent.application.decide",
        locked,
        {
            "approved": approve,
            "rule_version": rule_set.label,
            "decision": decision.pk,
            "certificate": certificate.pk if certificate else None,
        },
        organisation=department,
    )
    if certificate is not None:  # being certified counts in matching; a refusal changes nothing
        send_profile_changed(_profiles_of(certificate.holder_id))
    return decision


@transaction.atomic
def revoke_certificate(
    *, principal: Principal, certificate: Certificate, reason: str
) -> Certificate:
    user = require_person(principal)
    require_write(principal)
    locked = Certificate.objects.select_for_update().get(pk=certificate.pk)
    if locked.revoked_at is not None:
        raise Conflict(_("This certificate is already revoked."), code="already_revoked")
    reason = reason.strip()
    if not reason:
        raise invalid_field("reason", _("Please give the reason for the revocation."))
    locked.revoked_at = timezone.now()
    locked.revoked_by = user
    locked.revocation_reason = reason[:5000]
    locked.save(update_fields=["revoked_at", "revoked_by", "revocation_reason"])
    _record(
        principal,
        "talent.certificate.revoke",
        locked,
        {"revoked": True, "reason": locked.revocation_reason},
        organisation=locked.issued_by,
    )
    send_profile_changed(_profiles_of(locked.holder_id))
    certificate.revoked_at = locked.revoked_at
    certificate.revocation_reason = locked.revocation_reason
    return locked


def _profiles_of(user_id: int) -> list[int]:
    """The profile of a certificate's holder, when they have one (a certificate needs none)."""
    return list(Profile.objects.filter(user_id=user_id).values_list("pk", flat=True))
