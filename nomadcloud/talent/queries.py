"""Reads, always scoped to who is asking."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from nomadcloud.accounts.access import DECIDING_ROLES
from nomadcloud.accounts.models import User
from nomadcloud.talent.models import (
    Application,
    Certificate,
    Profile,
    ProfileSkill,
    ProfileTool,
    Project,
    RuleSet,
    SkillEvidence,
)


def skills_of(profile: Profile) -> QuerySet[ProfileSkill]:
    return (
        ProfileSkill.objects.filter(profile=profile)
        .select_related("concept")
        .prefetch_related(Prefetch("evidence", queryset=SkillEvidence.objects.order_by("-id")))
        .order_by("level", "id")
    )


def projects_of(profile: Profile) -> QuerySet[Project]:
    return Project.objects.filter(profile=profile).prefetch_related("skills")


def tools_of(profile: Profile) -> QuerySet[ProfileTool]:
    return ProfileTool.objects.filter(profile=profile).select_related("concept")


def rule_sets() -> QuerySet[RuleSet]:
    """Every version of every track: the rules are public."""
    return RuleSet.objects.order_by("track", "-version")


def applications_of(user: User) -> QuerySet[Application]:
    return (
        Application.objects.filter(applicant=user)
        .select_related("rule_set", "reviewing_department")
        .prefetch_related("evidence_files")
        .order_by("-id")
    )


def certificates_of(user: User) -> QuerySet[Certificate]:
    return Certificate.objects.filter(holder=user).select_related("issued_by").order_by("-id")


def certification_queue_for(user: User) -> QuerySet[Application]:
    """Applications awaiting a decision by a department where the user decides."""
    return (
        Application.objects.filter(
            status=Application.Status.SUBMITTED,
            reviewing_department__memberships__user=user,
            reviewing_department__memberships__role__in=DECIDING_ROLES,
        )
        .select_related("applicant", "rule_set", "reviewing_department")
        .distinct()
        .order_by("id")
    )
