"""From the database to the engine: what a nomad profile and a demand mean for matching.

Privacy: a profile section the nomad made private ("only me") is not used for matching, so
that nothing an enterprise can see in an explanation comes from it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.db.models import F, Prefetch
from django.utils import timezone

from nomadcloud.demands.models import Demand, DemandSkill, JobProfileTag
from nomadcloud.matching import vectors
from nomadcloud.matching.engine.model import (
    AVAILABLE,
    CEFR_RANK,
    PARTLY,
    UNAVAILABLE,
    DemandFeatures,
    Filters,
    Holding,
    ProfileFeatures,
    Requirement,
    Weights,
)
from nomadcloud.matching.engine.scoring import Links
from nomadcloud.matching.engine.suggest import SkillSuggester
from nomadcloud.talent.models import (
    Certificate,
    Profile,
    ProfileSkill,
    SkillEvidence,
    Visibility,
)
from nomadcloud.taxonomy import semantic
from nomadcloud.taxonomy.models import Concept

DEMAND_LANGUAGE_RANK = CEFR_RANK["B1"]
SUGGESTED_SKILLS = 10
WORKING_DAYS_PER_MONTH = Decimal("21.75")
HOURS_PER_DAY = 8
EVIDENCE = {
    SkillEvidence.Kind.VERIFIED_WORK: "verified",
    SkillEvidence.Kind.CERTIFIED: "certified",
}
AVAILABILITY: dict[str, int] = {
    Profile.Availability.AVAILABLE: AVAILABLE,
    Profile.Availability.PARTLY: PARTLY,
    Profile.Availability.UNAVAILABLE: UNAVAILABLE,
}


def profiles_query() -> Iterable[Profile]:
    return Profile.objects.select_related("user").prefetch_related(
        Prefetch(
            "skills", ProfileSkill.objects.select_related("concept").prefetch_related("evidence")
        ),
        "tools",
        "projects__skills",
        "languages",
    )


def _used(profile: Profile, section: str) -> bool:
    return profile.visibility_of(section) != Visibility.PRIVATE


def profile_features(profile: Profile, now: datetime | None = None) -> ProfileFeatures:
    features, meaning = _profile_features(profile, now or timezone.now())
    return replace(features, vector=vectors.text_vector(meaning) if meaning else None)


def profile_features_many(
    profiles: Iterable[Profile], now: datetime, batch: int = 4_096
) -> Iterator[ProfileFeatures]:
    """``profile_features`` of each profile, their texts encoded ``batch`` profiles at a time
    (the index build: one encoder call per batch of texts, not one per nomad)."""
    chunk: list[tuple[ProfileFeatures, str]] = []
    for profile in profiles:
        chunk.append(_profile_features(profile, now))
        if len(chunk) == batch:
            yield from _with_vectors(chunk)
            chunk = []
    yield from _with_vectors(chunk)


def _with_vectors(chunk: list[tuple[ProfileFeatures, str]]) -> Iterator[ProfileFeatures]:
    found = vectors.text_vectors([meaning for _features, meaning in chunk])
    for (features, meaning), vector in zip(chunk, found, strict=True):
        yield replace(features, vector=vector if meaning else None)


def _profile_features(profile: Profile, now: datetime) -> tuple[ProfileFeatures, str]:
    """The profile's features without their vector, and the text the vector is made of."""
    today = now.date()
    skills = []
    if _used(profile, "skills"):
        for skill in profile.skills.all():
            kinds = {e.kind for e in skill.evidence.all()}
            evidence = next((EVIDENCE[k] for k in EVIDENCE if k in kinds), "self")
            age = max(0, (now - skill.last_evidence_at).days)
            skills.append(Holding(skill.concept_id, skill.level, evidence, age))
    tools = []
    if _used(profile, "tools"):
        for tool in profile.tools.all():
            age = (today - tool.last_used).days if tool.last_used else 0
            tools.append(Holding(tool.concept_id, 6 - tool.proficiency, "self", max(0, age)))
    projects: set[int] = set()
    project_text: list[str] = []
    if _used(profile, "projects"):
        for project in profile.projects.all():
            projects.update(s.pk for s in project.skills.all())
            project_text += [project.title_zh, project.title_en, project.outcome_zh,
                             project.outcome_en]  # fmt: skip
    languages = {}
    if _used(profile, "languages"):
        languages = {
            lang.language: CEFR_RANK.get(lang.level, 0) for lang in profile.languages.all()
        }
    about = _used(profile, "about")
    text = (
        [profile.headline_zh, profile.headline_en, profile.bio_zh, profile.bio_en] if about else []
    )
    meaning = profile_meaning(profile)
    features = ProfileFeatures(
        key=profile.pk,
        skills=tuple(skills),
        tools=tuple(tools),
        projects=frozenset(projects),
        languages=languages,
        availability=AVAILABILITY.get(profile.availability, AVAILABLE),
        location=profile.location if about else "",
        utc_offset_minutes=_offset(profile.time_zone, now),
        rate_per_day=_rate_per_day(profile) if _used(profile, "rate") else None,
        certified=is_certified(profile, today),
        text="\n".join(t for t in (*text, *project_text) if t),
    )
    return features, meaning


def profile_meaning(profile: Profile) -> str:
    """The text a profile's sentence vector is made of: what the profile says and what it
    holds (headline, bio, skills, projects), only from the sections matching may use
    (``profiles_query``'s prefetches make it free of queries)."""
    skill_names = (
        [s.concept.label_zh or s.concept.label_en for s in profile.skills.all()]
        if _used(profile, "skills")
        else []
    )
    project_text: list[str] = []
    if _used(profile, "projects"):
        for project in profile.projects.all():
            project_text += [project.title_zh, project.title_en, project.outcome_zh,
                             project.outcome_en]  # fmt: skip
    text = (
        [profile.headline_zh, profile.headline_en, profile.bio_zh, profile.bio_en]
        if _used(profile, "about")
        else []
    )
    return "\n".join(t for t in (*text, "、".join(skill_names), *project_text) if t)


def _offset(time_zone: str, now: datetime) -> int:
    try:
        offset = now.astimezone(ZoneInfo(time_zone)).utcoffset()
    except (ValueError, KeyError):  # an unknown zone name: assume the zone's own
        return 480
    return int(offset.total_seconds() // 60) if offset is not None else 480


def _rate_per_day(profile: Profile) -> float | None:
    amount = profile.rate_amount
    if amount is None:
        return None
    per_day: Decimal | None = (
        {
            Profile.RateUnit.HOUR: amount * HOURS_PER_DAY,
            Profile.RateUnit.DAY: amount,
            Profile.RateUnit.MONTH: amount / WORKING_DAYS_PER_MONTH,
        }.get(Profile.RateUnit(profile.rate_unit))
        if profile.rate_unit
        else None
    )
    return float(per_day) if per_day is not None else None


def is_certified(profile: Profile, today: object) -> bool:
    return Certificate.objects.filter(
        holder_id=profile.user_id,
        revoked_at__isnull=True,
        valid_from__lte=today,
        valid_until__gte=today,
    ).exists()


def demands_query() -> Iterable[Demand]:
    return Demand.objects.select_related("organisation").prefetch_related(
        "skills",
        "tools",
        "languages",
        Prefetch("profile_tags", JobProfileTag.objects.filter(removed=False)),
    )


def demand_features(
    demand: Demand, weights: Weights, suggester: SkillSuggester | None = None
) -> DemandFeatures:
    requirements = [
        Requirement(
            skill.concept_id,
            skill.min_level,
            "required" if skill.required else "optional",
            weights.required if skill.required else weights.optional,
        )
        for skill in demand.skills.all()
    ]
    named = {r.concept for r in requirements} | {t.pk for t in demand.tools.all()}
    for tag in demand.profile_tags.all():
        if tag.concept_id not in named:
            requirements.append(Requirement(tag.concept_id, 5, "tag", weights.tag))
            named.add(tag.concept_id)
    text = demand_text(demand)
    if suggester is not None and text:
        for suggestion in suggester.suggest(text, SUGGESTED_SKILLS):
            if suggestion.skill not in named:
                requirements.append(
                    Requirement(
                        suggestion.skill, 5, "suggested", weights.suggested * suggestion.score
                    )
                )
                named.add(suggestion.skill)
    onsite = demand.work_mode != Demand.WorkMode.REMOTE and bool(demand.location.strip())
    return DemandFeatures(
        key=demand.pk,
        requirements=tuple(requirements),
        tools=tuple(t.pk for t in demand.tools.all()),
        text=text,
        vector=vectors.text_vector(text) if text else None,
        filters=Filters(
            locations=(demand.location,) if onsite else (),
            languages=tuple((lang.code, DEMAND_LANGUAGE_RANK) for lang in demand.languages.all()),
            max_rate_per_day=_budget_per_day(demand),
        ),
    )


def demand_text(demand: Demand) -> str:
    """A demand's text: what its sentence vector and suggested skills are made of."""
    return "\n".join(
        t
        for t in (demand.title_zh, demand.title_en, demand.description_zh, demand.description_en)
        if t
    )


def _budget_per_day(demand: Demand) -> float | None:
    budget = demand.budget_max
    if budget is None:
        return None
    period = demand.pay_period
    if period == Demand.PayPeriod.TOTAL:
        return float(budget / demand.duration_days) if demand.duration_days else None
    per_day = {
        Demand.PayPeriod.HOUR: budget * HOURS_PER_DAY,
        Demand.PayPeriod.DAY: budget,
        Demand.PayPeriod.MONTH: budget / WORKING_DAYS_PER_MONTH,
        Demand.PayPeriod.YEAR: budget / (WORKING_DAYS_PER_MONTH * 12),
    }.get(Demand.PayPeriod(period))
    return float(per_day) if per_day is not None else None


def taxonomy_links(weights: Weights) -> Links:
    through_broader = Concept.broader.through.objects.values_list(
        "from_concept_id", "to_concept_id"
    )
    through_related = Concept.related.through.objects.filter(
        from_concept_id__lt=F("to_concept_id")  # each symmetric pair once
    ).values_list("from_concept_id", "to_concept_id")
    return Links(
        broader=through_broader,
        related=through_related,
        weights=weights,
        semantic=_semantic_pairs(weights),
    )


def _semantic_pairs(weights: Weights) -> list[tuple[int, int, float]]:
    if weights.semantic <= 0 or semantic.encoder() is None:
        return []  # no model: no query either
    return semantic.close_pairs(_matched_concepts(), min_similarity=weights.semantic_min)


def _matched_concepts() -> set[int]:
    """The skills and tools that demands ask for and nomads hold: the ones semantic links
    are computed between (docs/matching.md, Semantic layer)."""
    ids = set(ProfileSkill.objects.values_list("concept_id", flat=True))
    ids.update(DemandSkill.objects.values_list("concept_id", flat=True))
    ids.update(JobProfileTag.objects.filter(removed=False).values_list("concept_id", flat=True))
    return ids


def rate_per_day(profile: Profile) -> float | None:
    """The nomad's expected rate per working day in CNY, as the rate filter compares it."""
    return _rate_per_day(profile)


def budget_per_day(demand: Demand) -> float | None:
    """The demand's budget per working day in CNY, as the rate filter compares it."""
    return _budget_per_day(demand)
