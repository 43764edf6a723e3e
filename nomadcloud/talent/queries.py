"""Reads, always scoped to who is asking."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, Min, Prefetch, QuerySet

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


# ---- workspace figures (talent/workspace.py) ----------------------------------------------


def profile_summary(user: User) -> dict[str, Any]:
    """Whether the person has a profile with a headline, and how many skills, tools and
    languages it lists; the latest certification application's status and whether a
    certificate is held. Two queries."""
    row = (
        Profile.objects.filter(user=user)
        .annotate(
            n_skills=Count("skills", distinct=True),
            n_tools=Count("tools", distinct=True),
            n_languages=Count("languages", distinct=True),
        )
        .values("headline_zh", "headline_en", "n_skills", "n_tools", "n_languages")
        .first()
    )
    latest = (
        Application.objects.filter(applicant=user)
        .order_by("-id")
        .annotate(certified=Exists(Certificate.objects.filter(holder=user)))
        .values("status", "certified")
        .first()
    )
    return {
        "headline": bool(row and (row["headline_zh"] or row["headline_en"])),
        "skills": row["n_skills"] if row else 0,
        "tools": row["n_tools"] if row else 0,
        "languages": row["n_languages"] if row else 0,
        "application": latest["status"] if latest else None,
        "certified": bool(latest and latest["certified"]),
    }


def certification_queue_summary(user: User) -> tuple[int, datetime | None]:
    """How many certification applications wait for the user's decision and when the oldest
    was submitted."""
    row = Application.objects.filter(pk__in=certification_queue_for(user).values("pk")).aggregate(
        n=Count("pk"), oldest=Min("submitted_at")
    )
    return int(row["n"] or 0), row["oldest"]
