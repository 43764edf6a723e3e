"""Reading stored matches for pages and the API, with their filters."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import InvalidInput
from nomadcloud.demands.models import Demand
from nomadcloud.matching.models import Invitation, Match
from nomadcloud.talent.models import Profile, Visibility

KINDS = frozenset(Demand.Kind.values)
USED = (Visibility.PUBLIC, Visibility.MEMBERS)


@dataclass(frozen=True)
class CandidateFilters:
    min_score: float = 0
    certified_only: bool = False
    all_required_met: bool = False
    available_only: bool = False
    skill: str = ""  # a concept code: nomads holding it as a skill or tool they let be used


@dataclass(frozen=True)
class RecommendationFilters:
    min_score: float = 0
    kind: str = ""
    remote_only: bool = False
    skill: str = ""  # a concept code: demands asking for it as a skill, tool or tag


def _check_score(value: float) -> None:
    if not 0 <= value <= 100:
        raise InvalidInput(
            _("The minimum score must be between 0 and 100."),
            code="invalid_filter",
            fields={"min_score": [_("The minimum score must be between 0 and 100.")]},
        )


def candidates(demand: Demand, filters: CandidateFilters) -> QuerySet[Match]:
    _check_score(filters.min_score)
    rows = Match.objects.filter(demand=demand, in_candidates=True, score__gte=filters.min_score)
    if filters.certified_only:
        rows = rows.filter(certified=True)
    if filters.all_required_met:
        rows = rows.filter(required_met=F("required_total"))
    if filters.available_only:
        rows = rows.filter(available=True)
    if filters.skill:
        # Only sections matching may use: a private section is neither shown nor searched.
        holding = Q(
            profile__skills__concept__code=filters.skill,
            profile__skills_visibility__in=USED,
        ) | Q(profile__tools__concept__code=filters.skill, profile__tools_visibility__in=USED)
        rows = rows.filter(pk__in=Match.objects.filter(holding).values("pk"))
    return rows.select_related("profile").order_by("-score", "id")


def recommendations(profile: Profile | None, filters: RecommendationFilters) -> QuerySet[Match]:
    _check_score(filters.min_score)
    if filters.kind and filters.kind not in KINDS:
        message = _("Choose one of: %(choices)s.") % {"choices": ", ".join(sorted(KINDS))}
        raise InvalidInput(message, code="invalid_filter", fields={"kind": [message]})
    if profile is None:
        return Match.objects.none()
    rows = Match.objects.filter(
        profile=profile,
        in_recommendations=True,
        demand__status=Demand.Status.PUBLISHED,
        score__gte=filters.min_score,
    )
    if filters.kind:
        rows = rows.filter(demand__kind=filters.kind)
    if filters.remote_only:
        rows = rows.filter(demand__work_mode=Demand.WorkMode.REMOTE)
    if filters.skill:
        asking = (
            Q(demand__skills__concept__code=filters.skill)
            | Q(demand__tools__code=filters.skill)
            | Q(
                demand__profile_tags__concept__code=filters.skill,
                demand__profile_tags__removed=False,
            )
        )
        rows = rows.filter(pk__in=Match.objects.filter(asking).values("pk"))
    return rows.select_related("demand__organisation").order_by("-score", "id")


def invitations_for(profile: Profile | None) -> QuerySet[Invitation]:
    if profile is None:
        return Invitation.objects.none()
    return Invitation.objects.filter(profile=profile).select_related("demand__organisation")


# ---- workspace figures (matching/workspace.py) --------------------------------------------


def nomad_summary(user: User, *, top: int = 3) -> tuple[list[Match], int]:
    """The person's best ``top`` recommendations and how many invitations wait for their
    answer (three queries: the profile, the recommendations, the count)."""
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        return [], 0
    best = list(recommendations(profile, RecommendationFilters())[:top])
    waiting = Invitation.objects.filter(profile=profile, status=Invitation.Status.SENT).count()
    return best, waiting


def near_candidates(demand: Demand) -> QuerySet[Match]:
    """The nomads a hard filter of the demand hides although they fit, best first."""
    return (
        Match.objects.filter(demand=demand, near_miss=True)
        .select_related("profile", "demand")
        .order_by("-score", "id")
    )


def near_recommendations(profile: Profile | None) -> QuerySet[Match]:
    """The published demands a hard filter hides from the nomad although they fit."""
    if profile is None:
        return Match.objects.none()
    return (
        Match.objects.filter(
            profile=profile, near_miss=True, demand__status=Demand.Status.PUBLISHED
        )
        .select_related("demand__organisation", "profile")
        .order_by("-score", "id")
    )


def compared(demand: Demand, profile_ids: list[UUID]) -> list[Match]:
    """The demand's candidates or near misses among these profiles (by public id), in the
    order asked."""
    rows = {
        str(m.profile.public_id): m
        for m in Match.objects.filter(demand=demand, profile__public_id__in=profile_ids)
        .filter(Q(in_candidates=True) | Q(near_miss=True))
        .select_related("profile", "demand")
    }
    return [rows[str(p)] for p in profile_ids if str(p) in rows]
