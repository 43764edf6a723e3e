"""Projects and tools on a profile."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    require_person,
    require_write,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import invalid_field
from nomadcloud.talent.events import send_profile_changed
from nomadcloud.talent.models import (
    ProfileTool,
    Project,
)
from nomadcloud.talent.schemas import ProjectDraft
from nomadcloud.talent.services._common import clean_url, ensure_profile, record
from nomadcloud.taxonomy import naming
from nomadcloud.taxonomy.models import Concept

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
    url = clean_url("evidence_url", draft.evidence_url)
    concepts = []
    for name in dict.fromkeys(c.strip() for c in draft.skills if c.strip()):
        code = naming.code_for(name, naming.SKILLS_AND_TOOLS, field="skills")
        concept = Concept.objects.filter(code=code, is_active=True).first()
        if concept is None:
            raise naming.unknown("skills", name, naming.SKILLS_AND_TOOLS)
        if concept not in concepts:
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
    record(
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
    record(
        principal,
        "talent.tool.set",
        tool,
        {"concept": concept.code, "proficiency": proficiency, "years": years},
    )
    send_profile_changed([profile.pk])
    return tool
