"""The access chokepoints for profiles, applications and certificates.

Views and API handlers fetch these objects only through the functions here. NotFound hides
what the asker may not see; Forbidden refuses a visible object's action.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import models
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import (
    DECIDING_ROLES,
    is_zone_operator,
    parse_public_id,
    require_person,
    require_write,
)
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import NotFound
from nomadcloud.talent.models import (
    SECTIONS,
    Application,
    Certificate,
    Profile,
    Visibility,
)

M = TypeVar("M", bound=models.Model)

# The department that reviews nomad certification (市人社局).
CERTIFYING_DEPARTMENT_CODE = "renshe"


def own_profile(principal: Principal) -> Profile | None:
    """The person's own profile, or None before they start one."""
    user = require_person(principal)
    return Profile.objects.filter(user=user).first()


def own_item(principal: Principal, model: type[M], pk: object) -> M:
    """A row of the person's own profile (skill, project, tool, language, link); writing."""
    user = require_person(principal)
    require_write(principal)
    try:
        key = int(str(pk))
    except ValueError:
        raise NotFound(_("Not found.")) from None
    item = model._default_manager.filter(pk=key, profile__user=user).first()
    if item is None:
        raise NotFound(_("Not found."))
    return item


def visible_sections(principal: Principal, profile: Profile) -> set[str]:
    """The sections of a profile that the asker may see."""
    user = principal.user
    if user is not None and user.pk == profile.user_id:
        return set(SECTIONS)
    allowed = {Visibility.PUBLIC.value}
    if user is not None and user.is_active:
        allowed.add(Visibility.MEMBERS.value)
    return {s for s in SECTIONS if profile.visibility_of(s) in allowed}


def public_profile_for(principal: Principal, public_id: object) -> tuple[Profile, set[str]]:
    profile = (
        Profile.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such profile.")),
            user__is_active=True,
            user__erased_at__isnull=True,
        )
        .select_related("user")
        .first()
    )
    if profile is None:
        raise NotFound(_("No such profile."))
    return profile, visible_sections(principal, profile)


def own_application(principal: Principal, public_id: object) -> Application:
    user = require_person(principal)
    application = (
        Application.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such application.")), applicant=user
        )
        .select_related("rule_set")
        .first()
    )
    if application is None:
        raise NotFound(_("No such application."))
    return application


def _decides_for(user: User, department: Organisation) -> bool:
    return Membership.objects.filter(
        user=user, organisation=department, role__in=DECIDING_ROLES
    ).exists()


def review_target_for(principal: Principal, public_id: object) -> tuple[Application, Organisation]:
    """An application and the department deciding it. Department reviewers see only their
    own department's queue; everyone else is told there is no such review."""
    user = require_person(principal)
    application = (
        Application.objects.filter(
            public_id=parse_public_id(public_id, message=_("No such review."))
        )
        .select_related("applicant", "rule_set", "reviewing_department", "renews")
        .first()
    )
    if application is None or not _decides_for(user, application.reviewing_department):
        raise NotFound(_("No such review."))
    return application, application.reviewing_department


def certificate_by_code(code: str) -> Certificate:
    """A certificate for public verification: anyone holding the code may see it."""
    certificate = (
        Certificate.objects.filter(verification_code=str(code)[:40])
        .select_related("holder", "issued_by")
        .first()
    )
    if certificate is None:
        raise NotFound(_("No certificate has this verification code."))
    return certificate


def certificate_to_revoke(principal: Principal, code: str) -> Certificate:
    """A certificate that the asker may revoke: reviewers of the issuing department and the
    zone operator. Others are told it does not exist."""
    user = require_person(principal)
    certificate = certificate_by_code(code)
    if not (_decides_for(user, certificate.issued_by) or is_zone_operator(user)):
        raise NotFound(_("No certificate has this verification code."))
    require_write(principal)
    return certificate


def own_certificate(principal: Principal, code: str) -> Certificate:
    user = require_person(principal)
    certificate = certificate_by_code(code)
    if certificate.holder_id != user.pk:
        raise NotFound(_("No certificate has this verification code."))
    return certificate
