"""获奖项目—企业/产业园对接: a winning project matched by the matching engine to enterprises'
published demands and to industrial parks (decision 0040).

The project's profile is the union of what its people hold in their nomad profiles (the
person who entered, or the team's accepted members: skills, tools, project skills, and the
profile text as far as each person lets matching use it) plus the project's own words (its
name, track and competition). A demand is scored with the engine's ``score_pair`` exactly as
for a nomad (hard filters reported, not applied: a project is not a person looking for work);
a park is scored as a demand whose optional requirements are its sectors. The explanation is
the matching service's (``matching.services.explanation``), concept by concept."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nomadcloud.accounts.models import Organisation
from nomadcloud.competitions.models import Award, Park
from nomadcloud.demands.models import Demand
from nomadcloud.matching import features, matcher
from nomadcloud.matching.engine.model import (
    DemandFeatures,
    Filters,
    Holding,
    ProfileFeatures,
    Requirement,
)
from nomadcloud.matching.engine.scoring import score_pair
from nomadcloud.matching.services import explanation
from nomadcloud.teams.models import TeamMember

LIMIT = 5
MINIMUM = 1.0  # a score below this (out of 100) is no match at all


@dataclass(frozen=True)
class Landing:
    """One suggested landing place: a demand or a park, its score and why."""

    kind: str  # "demand" or "park"
    target: Any  # Demand or Park
    score: float
    why: dict[str, Any]


def _people(award: Award) -> list[int]:
    entry = award.entry
    if entry.team_id is not None:
        return list(
            TeamMember.objects.filter(
                team_id=entry.team_id, status=TeamMember.Status.ACCEPTED
            ).values_list("user_id", flat=True)
        )
    return [entry.person_id] if entry.person_id else []


def project_features(award: Award) -> ProfileFeatures:
    """The winning project as the engine sees a nomad: the best holding of each concept among
    its people, their project skills, and the project's words."""
    entry = award.entry
    best: dict[int, Holding] = {}
    tools: dict[int, Holding] = {}
    projects: set[int] = set()
    texts = [
        entry.name,
        str(entry.track.title.get("zh-Hans", "")),
        str(entry.track.title.get("en", "")),
        str(award.competition.title.get("zh-Hans", "")),
        str(award.competition.title.get("en", "")),
    ]
    profiles = features.profiles_query()
    for profile in profiles.filter(user_id__in=_people(award)):  # type: ignore[attr-defined]
        one = features.profile_features(profile)
        for h in one.skills:
            if h.concept not in best or best[h.concept].level > h.level:
                best[h.concept] = h
        for h in one.tools:
            if h.concept not in tools or tools[h.concept].level > h.level:
                tools[h.concept] = h
        projects |= set(one.projects)
        texts.append(one.text)
    return ProfileFeatures(
        key=award.pk,
        skills=tuple(best.values()),
        tools=tuple(tools.values()),
        projects=frozenset(projects),
        text="\n".join(t for t in texts if t),
    )


def _park_features(park: Park) -> DemandFeatures:
    return DemandFeatures(
        key=park.pk,
        requirements=tuple(
            Requirement(concept.pk, 5, "optional", 1.0) for concept in park.sectors.all()
        ),
        text=park.note,
        filters=Filters(available_only=False),
    )


def landings(award: Award, *, limit: int = LIMIT) -> tuple[list[Landing], list[Landing]]:
    """The published demands of verified enterprises and the verified parks with free places that
    match the winning project best, each with the engine's explanation."""
    state = matcher.current()
    weights = matcher.weights()
    links = state.index.links
    project = project_features(award)
    demands = []
    published = features.demands_query().filter(  # type: ignore[attr-defined]
        status=Demand.Status.PUBLISHED
    )
    for demand in published[:500]:
        result = score_pair(
            project, features.demand_features(demand, weights), links=links, weights=weights
        )
        if result.score >= MINIMUM:
            demands.append(Landing("demand", demand, round(result.score, 2), explanation(result)))
    parks = []
    for park in (
        Park.objects.filter(
            capacity__gt=0, organisation__verification_status=Organisation.Verification.VERIFIED
        )
        .select_related("organisation")
        .prefetch_related("sectors")
    ):
        result = score_pair(project, _park_features(park), links=links, weights=weights)
        if result.score >= MINIMUM:
            parks.append(Landing("park", park, round(result.score, 2), explanation(result)))
    demands.sort(key=lambda x: -x.score)
    parks.sort(key=lambda x: -x.score)
    return demands[:limit], parks[:limit]


def landings_out(award: Award) -> dict[str, Any]:
    """The API's (and the page's) view: demands and parks, each with its public id."""
    demands, parks = landings(award)

    def row(item: Landing) -> dict[str, Any]:
        if item.kind == "demand":
            return {
                "id": item.target.public_id,
                "name": str(item.target),
                "score": item.score,
                "explanation": item.why,
            }
        return {
            "id": item.target.organisation.public_id,
            "name": str(item.target),
            "score": item.score,
            "explanation": item.why,
        }

    return {
        "award": award.public_id,
        "project": award.entry.name,
        "demands": [row(d) for d in demands],
        "parks": [row(p) for p in parks],
    }
