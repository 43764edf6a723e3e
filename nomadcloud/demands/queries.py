"""Reads, always scoped to who is asking."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.demands.models import Demand, DemandApplication, Feed, FeedSync


@dataclass(frozen=True)
class DemandFilters:
    skill: str = ""  # a concept code, required or optional skill, tool or profile tag
    kind: str = ""
    remote: bool | None = None
    budget_min: Decimal | None = None  # the demand's range reaches at least this
    budget_max: Decimal | None = None  # the demand's range starts at most at this
    language: str = ""
    organisation: str = ""  # public id
    q: str = ""


def _with_relations(demands: QuerySet[Demand]) -> QuerySet[Demand]:
    return demands.select_related("organisation").prefetch_related(
        "skills__concept", "tools", "languages"
    )


def published_demands() -> QuerySet[Demand]:
    return _with_relations(Demand.objects.filter(status=Demand.Status.PUBLISHED))


def demands_visible_to(principal: Principal) -> QuerySet[Demand]:
    """Published demands, plus every demand of the principal's own organisations (all of
    them for the zone operator)."""
    public = Q(status=Demand.Status.PUBLISHED)
    key_org = principal.key_organisation
    if key_org is not None:
        scope = public | Q(organisation=key_org)
    elif principal.user is None:
        scope = public
    elif is_zone_operator(principal.user):
        scope = Q()
    else:
        scope = public | Q(organisation__memberships__user=principal.user)
    return _with_relations(Demand.objects.filter(scope).distinct())


def filter_demands(demands: QuerySet[Demand], filters: DemandFilters) -> QuerySet[Demand]:
    if filters.skill:
        demands = demands.filter(
            Q(skills__concept__code=filters.skill)
            | Q(tools__code=filters.skill)
            | Q(profile_tags__concept__code=filters.skill, profile_tags__removed=False)
        ).distinct()
    if filters.kind:
        demands = demands.filter(kind=filters.kind)
    if filters.remote is True:
        demands = demands.filter(work_mode=Demand.WorkMode.REMOTE)
    elif filters.remote is False:
        demands = demands.exclude(work_mode=Demand.WorkMode.REMOTE)
    if filters.budget_min is not None:
        demands = demands.filter(
            Q(budget_max__gte=filters.budget_min)
            | Q(budget_max__isnull=True, budget_min__gte=filters.budget_min)
        )
    if filters.budget_max is not None:
        demands = demands.filter(budget_min__lte=filters.budget_max)
    if filters.language:
        demands = demands.filter(languages__code=filters.language.lower()).distinct()
    if filters.organisation:
        demands = demands.filter(organisation__public_id=filters.organisation)
    if filters.q:
        demands = demands.filter(
            Q(title_zh__icontains=filters.q)
            | Q(title_en__icontains=filters.q)
            | Q(description_zh__icontains=filters.q)
            | Q(description_en__icontains=filters.q)
        )
    return demands


def demands_of(organisation: Organisation) -> QuerySet[Demand]:
    return _with_relations(Demand.objects.filter(organisation=organisation)).order_by("-id")


def feeds_of(organisation: Organisation) -> QuerySet[Feed]:
    return Feed.objects.filter(organisation=organisation).order_by("id")


def syncs_of(feed: Feed) -> QuerySet[FeedSync]:
    return FeedSync.objects.filter(feed=feed).order_by("-id")


# ---- workspace and home figures ----------------------------------------------------------


def demand_counts_of(organisation: Organisation) -> dict[str, int]:
    """The organisation's demands by state (published, drafts, all), in one query."""
    row = Demand.objects.filter(organisation=organisation).aggregate(
        published=Count("pk", filter=Q(status=Demand.Status.PUBLISHED)),
        drafts=Count("pk", filter=Q(status=Demand.Status.DRAFT)),
        total=Count("pk"),
    )
    return {key: int(value or 0) for key, value in row.items()}


def open_demand_count() -> int:
    """Published demands, for the home page and the nomad's workspace."""
    return Demand.objects.filter(status=Demand.Status.PUBLISHED).count()


def applications_of(user: User) -> QuerySet[DemandApplication]:
    """A nomad's own applications, newest first."""
    return (
        DemandApplication.objects.filter(applicant=user)
        .select_related("demand__organisation", "applicant")
        .order_by("-id")
    )


def applications_to(demand: Demand) -> QuerySet[DemandApplication]:
    """The applications to a demand (for its enterprise), newest first."""
    return (
        DemandApplication.objects.filter(demand=demand)
        .select_related("demand__organisation", "applicant")
        .order_by("-id")
    )
