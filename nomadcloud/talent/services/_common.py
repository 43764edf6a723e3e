"""What the talent use cases share: the clean-up of free text, links, levels and time
zones, the audit record, concepts by code and a user's profile."""

from __future__ import annotations

import re
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import invalid_field
from nomadcloud.talent.models import (
    Profile,
)
from nomadcloud.taxonomy import naming
from nomadcloud.taxonomy.levels import SkillLevel
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


def clean_text(field: str, value: str, limit: int) -> str:
    value = value.strip()
    if len(value) > limit:
        raise invalid_field(field, _("At most %(n)d characters, please.") % {"n": limit})
    return value


def clean_url(field: str, value: str) -> str:
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
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_level(field: str, level: int) -> int:
    if level not in SkillLevel.values:
        raise invalid_field(field, _("Choose a level from 5 (beginner) to 1 (expert)."))
    return level


def record(
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
    """A concept of the taxonomy by code or name (Chinese or English label, another name): a
    tool for ``tool=True``, else a skill. An unknown name is refused with the closest."""
    kinds = naming.TOOLS if tool else tuple(SKILL_KINDS)
    found = naming.code_or_any(code, kinds)
    concept = Concept.objects.filter(code=found, is_active=True).first() if found else None
    if concept is None:
        raise naming.unknown(field, code, kinds)
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
