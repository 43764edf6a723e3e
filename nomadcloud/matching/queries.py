"""Reading stored matches for pages and the API, with their filters."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import F, QuerySet
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import InvalidInput
from nomadcloud.demands.models import Demand
from nomadcloud.matching.models import Invitation, Match
from nomadcloud.talent.models import Profile

KINDS = frozenset(Demand.Kind.values)


@dataclass(frozen=True)
class CandidateFilters:
    min_score: float = 0
    certified_only: bool = False
    all_required_met: bool = False
    available_only: bool = False


@dataclass(frozen=True)
class RecommendationFilters:
    min_score: float = 0
    kind: str = ""
    remote_only: bool = False


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
