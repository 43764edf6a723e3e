"""The talent part of /api/v1/: nomad profiles, the skill record and certification.
Handlers only translate HTTP to service calls."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Literal
from uuid import UUID

from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import invalid_field
from nomadcloud.talent import access, queries, services
from nomadcloud.talent.models import (
    SECTIONS,
    Certificate,
    PortfolioLink,
    Profile,
    ProfileLanguage,
    ProfileSkill,
    ProfileTool,
    Project,
)
from nomadcloud.talent.schemas import (
    AnswersIn,
    ApplicationIn,
    ApplicationOut,
    CertificateOut,
    CertificationDecisionIn,
    CertificationDecisionOut,
    EvaluationOut,
    EvidenceFileIn,
    EvidenceFileOut,
    LanguageIn,
    LanguageOut,
    LinkIn,
    LinkOut,
    ProfileOut,
    ProfilePatch,
    ProjectIn,
    ProjectOut,
    PublicProfileOut,
    RevokeIn,
    RuleSetIn,
    RuleSetOut,
    SkillIn,
    SkillOut,
    ToolIn,
    ToolOut,
    profile_out,
)

router = Router(tags=["talent"])

SECTION_MODELS: dict[str, type[Any]] = {
    "languages": ProfileLanguage,
    "links": PortfolioLink,
    "skills": ProfileSkill,
    "projects": Project,
    "tools": ProfileTool,
}


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _me(request: HttpRequest) -> tuple[Principal, User]:
    principal = Principal.of(request)
    return principal, require_person(principal)


# --- the profile -------------------------------------------------------------------------------


def _own_profile_out(principal: Principal, user: User) -> dict[str, Any]:
    profile = access.own_profile(principal) or Profile(user=user)
    return profile_out(profile, set(SECTIONS), own=True)


@router.get("/me/profile", response=_errors({200: ProfileOut}), tags=["talent"])
def get_my_profile(request: HttpRequest) -> Any:
    """Your nomad profile, every section (empty before you start one)."""
    principal, user = _me(request)
    return _own_profile_out(principal, user)


@router.patch("/me/profile", response=_errors({200: ProfileOut}), tags=["talent"])
def patch_my_profile(request: HttpRequest, payload: ProfilePatch) -> Any:
    principal, user = _me(request)
    services.update_profile(principal=principal, changes=payload)
    return _own_profile_out(principal, user)


@router.post("/me/languages", response=_errors({201: LanguageOut}), tags=["talent"])
def set_language(request: HttpRequest, payload: LanguageIn) -> Status[Any]:
    """Add a language you speak, or change its level."""
    principal, _user = _me(request)
    return Status(201, services.set_language(principal=principal, **payload.dict()))


@router.post("/me/links", response=_errors({201: LinkOut}), tags=["talent"])
def add_link(request: HttpRequest, payload: LinkIn) -> Status[Any]:
    principal, _user = _me(request)
    return Status(201, services.add_link(principal=principal, **payload.dict()))


@router.post("/me/skills", response=_errors({201: SkillOut}), tags=["talent"])
def declare_skill(request: HttpRequest, payload: SkillIn) -> Status[Any]:
    """Add a skill or change its level. Levels above 4 (四级) need a certificate in
    ``evidence`` unless earlier evidence already supports them."""
    principal, _user = _me(request)
    evidence = services.EvidenceInput(**payload.evidence.dict()) if payload.evidence else None
    skill = services.declare_skill(
        principal=principal,
        concept=services.concept_by_code(payload.skill, field="skill"),
        level=payload.level,
        evidence=evidence,
    )
    return Status(201, skill)


@router.post("/me/projects", response=_errors({201: ProjectOut}), tags=["talent"])
def add_project(request: HttpRequest, payload: ProjectIn) -> Status[Any]:
    principal, _user = _me(request)
    return Status(201, services.add_project(principal=principal, draft=payload))


@router.post("/me/tools", response=_errors({201: ToolOut}), tags=["talent"])
def set_tool(request: HttpRequest, payload: ToolIn) -> Status[Any]:
    """Add a tool you use, or change its proficiency, years and last use."""
    principal, _user = _me(request)
    tool = services.set_tool(
        principal=principal,
        concept=services.concept_by_code(payload.tool, field="tool", tool=True),
        proficiency=payload.proficiency,
        years=payload.years,
        last_used=payload.last_used,
    )
    return Status(201, tool)


@router.delete("/me/{section}/{item_id}", response=_errors({204: None}), tags=["talent"])
def remove_item(
    request: HttpRequest,
    section: Literal["languages", "links", "skills", "projects", "tools"],
    item_id: int,
) -> Status[Any]:
    """Remove a language, link, skill, project or tool from your profile."""
    principal, _user = _me(request)
    item = access.own_item(principal, SECTION_MODELS[section], item_id)
    services.remove_item(principal=principal, item=item)
    return Status(204, None)


@router.get(
    "/nomads/{profile_id}", auth=None, response=_errors({200: PublicProfileOut}), tags=["talent"]
)
def get_public_profile(request: HttpRequest, profile_id: UUID) -> Any:
    """A nomad's profile: only the sections they share with you. Never contact details."""
    principal = Principal.of(request)
    profile, sections = access.public_profile_for(principal, profile_id)
    return profile_out(profile, sections, own=False)


# --- certification rules and eligibility -------------------------------------------------------


@router.get(
    "/rule-sets", auth=None, response=_errors({200: list[RuleSetOut]}), tags=["certification"]
)
@paginate(CursorPagination)
def list_rule_sets(request: HttpRequest, **kwargs: Any) -> Any:
    """Every version of the certification criteria (they are public)."""
    return queries.rule_sets()


@router.post("/rule-sets", response=_errors({201: RuleSetOut}), tags=["certification"])
def create_rule_set(request: HttpRequest, payload: RuleSetIn) -> Status[Any]:
    """A new version of a track's criteria (zone operator)."""
    return Status(201, services.create_rule_set(principal=Principal.of(request), **payload.dict()))


def _answers(payload: AnswersIn) -> services.Answers:
    return services.clean_answers(
        remote_income_cny_12m=payload.remote_income_cny_12m,
        contract_value_cny_12m=payload.contract_value_cny_12m,
        clients_outside_city=payload.clients_outside_city,
        planned_stay_days=payload.planned_stay_days,
        permit_months=payload.permit_months,
    )


@router.get("/eligibility", response=_errors({200: EvaluationOut}), tags=["certification"])
def check_eligibility(request: HttpRequest, payload: Query[AnswersIn]) -> Any:
    """Check whether you qualify: each criterion, met or not, explained. Saves nothing."""
    principal, _user = _me(request)
    rule_set, evaluation = services.check_eligibility(
        principal=principal, track=payload.track, answers=_answers(payload)
    )
    return {"rule_version": rule_set.label, **evaluation.as_dict()}


# --- applications ------------------------------------------------------------------------------


def _upload(item: EvidenceFileIn, index: int) -> services.Upload:
    try:
        content = base64.b64decode(item.content_base64, validate=True)
    except (binascii.Error, ValueError):
        raise invalid_field(
            f"evidence.{index}.content_base64", _("This is not valid base64.")
        ) from None
    return services.Upload(kind=item.kind, file=SimpleUploadedFile(item.file_name, content))


@router.get("/applications", response=_errors({200: list[ApplicationOut]}), tags=["certification"])
@paginate(CursorPagination)
def list_my_applications(request: HttpRequest, **kwargs: Any) -> Any:
    return queries.applications_of(_me(request)[1])


@router.post("/applications", response=_errors({201: ApplicationOut}), tags=["certification"])
def apply(request: HttpRequest, payload: ApplicationIn) -> Status[Any]:
    """Apply for certification under the rules in force. Evidence files (PDF, JPEG, PNG)
    come base64-encoded; any refused file refuses the whole application."""
    principal, _user = _me(request)
    uploads = [_upload(item, i) for i, item in enumerate(payload.evidence)]
    renews = access.own_certificate(principal, payload.renews) if payload.renews else None
    application = services.apply_for_certification(
        principal=principal,
        track=payload.track,
        answers=_answers(payload),
        uploads=uploads,
        renews=renews,
    )
    return Status(201, application)


@router.post(
    "/applications/{application_id}/evidence",
    response=_errors({201: EvidenceFileOut}),
    tags=["certification"],
)
def add_evidence(
    request: HttpRequest, application_id: UUID, payload: EvidenceFileIn
) -> Status[Any]:
    principal, _user = _me(request)
    application = access.own_application(principal, application_id)
    evidence = services.add_evidence(
        principal=principal, application=application, upload=_upload(payload, 0)
    )
    return Status(201, evidence)


@router.post(
    "/applications/{application_id}/withdraw",
    response=_errors({200: ApplicationOut}),
    tags=["certification"],
)
def withdraw(request: HttpRequest, application_id: UUID) -> Any:
    principal, _user = _me(request)
    application = access.own_application(principal, application_id)
    return services.withdraw_application(principal=principal, application=application)


# --- reviews and certificates ------------------------------------------------------------------


@router.get(
    "/reviews/applications",
    response=_errors({200: list[ApplicationOut]}),
    tags=["certification"],
)
@paginate(CursorPagination)
def review_queue(request: HttpRequest, **kwargs: Any) -> Any:
    """Applications awaiting a decision by a department where you decide."""
    return queries.certification_queue_for(_me(request)[1])


@router.post(
    "/reviews/applications/{application_id}/decision",
    response=_errors({200: CertificationDecisionOut}),
    tags=["certification"],
)
def decide(request: HttpRequest, application_id: UUID, payload: CertificationDecisionIn) -> Any:
    principal = Principal.of(request)
    application, department = access.review_target_for(principal, application_id)
    decision = services.decide_certification(
        principal=principal,
        application=application,
        department=department,
        approve=payload.approve,
        reason=payload.reason,
        checks={"checked_evidence": payload.checked_evidence},
    )
    certificate = Certificate.objects.filter(application=application).first()
    return CertificationDecisionOut(
        application_id=application.public_id,
        approved=decision.approved,
        reason=decision.reason,
        rule_version=decision.rule_version,
        decided_at=decision.decided_at,
        certificate_code=certificate.verification_code if certificate else None,
    )


@router.get(
    "/me/certificates", response=_errors({200: list[CertificateOut]}), tags=["certification"]
)
@paginate(CursorPagination)
def my_certificates(request: HttpRequest, **kwargs: Any) -> Any:
    return queries.certificates_of(_me(request)[1])


@router.get(
    "/certificates/{code}",
    auth=None,
    response=_errors({200: CertificateOut}),
    tags=["certification"],
)
def verify_certificate(request: HttpRequest, code: str) -> Any:
    """Verify a certificate by its code: valid, expired or revoked, and the holder's name."""
    return access.certificate_by_code(code)


@router.post(
    "/certificates/{code}/revoke", response=_errors({200: CertificateOut}), tags=["certification"]
)
def revoke(request: HttpRequest, code: str, payload: RevokeIn) -> Any:
    """Revoke a certificate (the issuing department or the zone operator), with the reason."""
    principal = Principal.of(request)
    certificate = access.certificate_to_revoke(principal, code)
    return services.revoke_certificate(
        principal=principal, certificate=certificate, reason=payload.reason
    )
