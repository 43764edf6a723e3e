"""What talent holds about a person (core/privacy.py): the nomad profile with its languages,
links, skills and their evidence, projects and tools; certification applications with their
evidence files; certificates.

Erasure empties the profile (texts, location, rate; every section private, not available)
and deletes its languages, links, skills, projects and tools; the profile row stays, empty,
because invitations and matches refer to it. Applications keep their decision (a
department's record) with the answers and evidence files removed; certificates stay (the
zone's record, verifiable by code) and point to the pseudonymous person."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.talent.models import (
    Application,
    Certificate,
    EvidenceFile,
    PortfolioLink,
    Profile,
    ProfileLanguage,
    ProfileSkill,
    ProfileTool,
    Project,
    SkillEvidence,
    Visibility,
)


def export(user: Any) -> dict[str, Any]:
    profile = Profile.objects.filter(user=user).first()
    section: dict[str, Any] = {"profile": None}
    if profile is not None:
        section["profile"] = privacy.dump([profile], exclude=["user"])[0]
        section["languages"] = privacy.dump(
            ProfileLanguage.objects.filter(profile=profile), exclude=["profile"]
        )
        section["links"] = privacy.dump(
            PortfolioLink.objects.filter(profile=profile), exclude=["profile"]
        )
        section["skills"] = privacy.dump(
            ProfileSkill.objects.filter(profile=profile).select_related("concept"),
            exclude=["profile"],
            concept_code=lambda s: s.concept.code,
        )
        section["skill_evidence"] = privacy.dump(
            SkillEvidence.objects.filter(skill__profile=profile).select_related("skill__concept"),
            concept_code=lambda e: e.skill.concept.code,
        )
        section["projects"] = privacy.dump(
            Project.objects.filter(profile=profile), exclude=["profile"]
        )
        section["tools"] = privacy.dump(
            ProfileTool.objects.filter(profile=profile).select_related("concept"),
            exclude=["profile"],
            concept_code=lambda t: t.concept.code,
        )
    section["certification_applications"] = privacy.dump(
        Application.objects.filter(applicant=user), exclude=["applicant"]
    )
    section["evidence_files"] = privacy.dump(
        EvidenceFile.objects.filter(application__applicant=user), exclude=["file"]
    )
    section["certificates"] = privacy.dump(
        Certificate.objects.filter(holder=user), exclude=["holder"]
    )
    return section


def erase(user: Any) -> None:
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        for model in (ProfileLanguage, PortfolioLink, ProfileTool, Project):
            model.objects.filter(profile=profile).delete()
        ProfileSkill.objects.filter(profile=profile).delete()
        blank: dict[str, Any] = {
            "headline_zh": "",
            "headline_en": "",
            "bio_zh": "",
            "bio_en": "",
            "location": "",
            "rate_amount": None,
            "rate_unit": "",
            "availability": Profile.Availability.UNAVAILABLE,
        }
        blank.update({f"{s}_visibility": Visibility.PRIVATE for s in _sections()})
        Profile.objects.filter(pk=profile.pk).update(**blank)
    files = list(EvidenceFile.objects.filter(application__applicant=user))
    for stored in files:
        if stored.file:
            stored.file.delete(save=False)
    EvidenceFile.objects.filter(pk__in=[f.pk for f in files]).delete()
    Application.objects.filter(applicant=user).update(answers={})


def _sections() -> tuple[str, ...]:
    from nomadcloud.talent.models import SECTIONS

    return SECTIONS
