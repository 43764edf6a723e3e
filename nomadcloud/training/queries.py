"""Reads, always scoped to who is asking."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.training.models import Enrolment, Scenario

VISIBLE = (Scenario.Status.PUBLISHED, Scenario.Status.CLOSED)


def _with_relations(rows: QuerySet[Scenario]) -> QuerySet[Scenario]:
    return rows.select_related("organisation").prefetch_related("skills__concept")


def published_scenarios() -> QuerySet[Scenario]:
    return _with_relations(Scenario.objects.filter(status=Scenario.Status.PUBLISHED))


def scenarios_visible_to(principal: Principal) -> QuerySet[Scenario]:
    """Published and closed scenarios, plus all of the principal's own organisations' (all
    of them for the zone operator)."""
    public = Q(status__in=VISIBLE)
    key_org = principal.key_organisation
    if key_org is not None:
        scope = public | Q(organisation=key_org)
    elif principal.user is None:
        scope = public
    elif is_zone_operator(principal):
        scope = Q()
    else:
        scope = public | Q(organisation__memberships__user=principal.user)
    return _with_relations(Scenario.objects.filter(scope).distinct())


def scenarios_of(organisation: Organisation) -> QuerySet[Scenario]:
    return _with_relations(Scenario.objects.filter(organisation=organisation)).order_by("-id")


def enrolments_of(user: User) -> QuerySet[Enrolment]:
    return (
        Enrolment.objects.filter(nomad=user)
        .select_related("scenario__organisation", "nomad")
        .order_by("-id")
    )


def enrolments_in(scenario: Scenario) -> QuerySet[Enrolment]:
    return Enrolment.objects.filter(scenario=scenario).select_related("nomad").order_by("-id")


def enrolment_visible(principal: Principal, scenario: Scenario) -> Enrolment | None:
    """The principal's own enrolment in the scenario, if any."""
    user = principal.user
    if user is None or principal.key_organisation is not None:
        return None
    return Enrolment.objects.filter(scenario=scenario, nomad=user).first()


# ---- workspace figures (training/workspace.py) --------------------------------------------


def nomad_training_counts(user: User) -> dict[str, int]:
    """The person's trainings in progress and passed (one query)."""
    row = Enrolment.objects.filter(nomad=user).aggregate(
        enrolled=Count("pk", filter=Q(status=Enrolment.Status.ENROLLED)),
        passed=Count("pk", filter=Q(status=Enrolment.Status.PASSED)),
    )
    return {key: int(value or 0) for key, value in row.items()}


def submissions_to_assess(organisation: Organisation) -> int:
    """Submissions to the organisation's scenarios awaiting assessment."""
    return Enrolment.objects.filter(
        scenario__organisation=organisation, status=Enrolment.Status.SUBMITTED
    ).count()
