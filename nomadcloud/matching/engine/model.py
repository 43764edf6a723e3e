"""What the engine knows about a nomad and a demand, the weights, and the hard filters.

Skill levels are national grades (5 entry … 1 expert); see ``nomadcloud.taxonomy.levels``.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
import numpy.typing as npt

EVIDENCE_FACTOR = {"verified": 1.0, "certified": 0.9, "self": 0.75}
FRESH_DAYS = 365
STALE_DAYS = 5 * 365  # evidence this old counts half
LEVEL_SHORTFALL = 0.6  # each grade below the minimum keeps 60 % of the credit
CEFR_RANK = {"A1": 1, "A2": 2, "B1": 3, "B2": 4, "C1": 5, "C2": 6, "native": 7}
AVAILABLE, PARTLY, UNAVAILABLE = 0, 1, 2
# Sentence vectors of profiles and demands are held as int8 (a unit vector × 127): a quarter
# of float32's memory; the dot product of two such vectors (≤ dim × 127² < 2²⁴ for up to
# 1,040 dimensions: USE's 512, e5-small's 384, both joined 896, bge-m3's 1,024) is an exact
# integer in float32, so the index and the explained score agree exactly (issue 19).
VECTOR_SCALE = 127
Vector = npt.NDArray[np.int8]


def quantize(vector: npt.ArrayLike) -> Vector | None:
    """A sentence vector as int8 (normalised first); None for an empty or all-zero one."""
    values = np.asarray(vector, dtype=np.float32).ravel()
    norm = float(np.linalg.norm(values)) if values.size else 0.0
    if not norm or not np.isfinite(norm):
        return None
    scaled = np.clip(np.rint(values / norm * VECTOR_SCALE), -VECTOR_SCALE, VECTOR_SCALE)
    return np.asarray(scaled, dtype=np.int8)


def vector_cosine(a: Vector, b: Vector) -> float:
    """The cosine of two quantised vectors, as the index computes it (rounding can pass 1 by
    a hair: kept within ±1; the credit is capped at 1 either way)."""
    dot = np.dot(a.astype(np.float32), b.astype(np.float32))
    return max(-1.0, min(1.0, float(dot) / float(VECTOR_SCALE * VECTOR_SCALE)))


def meaning_credit(cosine: float, floor: float) -> float:
    """The semantic component: 0 up to ``floor`` (unrelated texts still share some meaning),
    rising linearly to 1 for identical meaning."""
    if cosine <= floor:
        return 0.0
    return min(1.0, (cosine - floor) / (1.0 - floor))


def freshness(age_days: int) -> float:
    """1 for evidence of the last year, falling linearly to 0.5 at five years."""
    if age_days <= FRESH_DAYS:
        return 1.0
    return max(0.5, 1.0 - 0.5 * (age_days - FRESH_DAYS) / (STALE_DAYS - FRESH_DAYS))


def quality(evidence: str, age_days: int) -> float:
    return EVIDENCE_FACTOR[evidence] * freshness(age_days)


def level_factor(level: int, minimum: int) -> float:
    return 1.0 if level <= minimum else LEVEL_SHORTFALL ** (level - minimum)


@dataclass(frozen=True)
class Holding:
    """A skill (or a tool, with level = 6 − proficiency) a nomad has."""

    concept: int
    level: int
    evidence: str = "self"  # verified, certified or self
    age_days: int = 0

    @property
    def quality(self) -> float:
        return quality(self.evidence, self.age_days)


@dataclass(frozen=True)
class ProfileFeatures:
    key: int
    skills: tuple[Holding, ...] = ()
    tools: tuple[Holding, ...] = ()
    projects: frozenset[int] = frozenset()
    languages: Mapping[str, int] = field(default_factory=dict)  # ISO 639-1 → CEFR rank
    availability: int = AVAILABLE
    location: str = ""
    utc_offset_minutes: int = 480
    rate_per_day: float | None = None  # CNY
    certified: bool = False
    text: str = ""
    # The sentence vector of the profile's headline, bio, skills and projects (``quantize``).
    vector: Vector | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Requirement:
    concept: int
    min_level: int = 5
    group: str = "required"  # required, optional, tag (job profile), suggested (occupations)
    weight: float = 2.0


@dataclass(frozen=True)
class Filters:
    """Hard filters: a nomad who fails one is not ranked at all."""

    available_only: bool = True
    locations: tuple[str, ...] = ()  # on-site work: the nomad must be in one of these
    languages: tuple[tuple[str, int], ...] = ()  # (language, minimum CEFR rank)
    certified_only: bool = False
    max_rate_per_day: float | None = None
    utc_offset_minutes: int = 480  # the demand's working day …
    min_overlap_hours: float = 0.0  # … and how many hours of it a nomad must share


@dataclass(frozen=True)
class DemandFeatures:
    key: int
    requirements: tuple[Requirement, ...] = ()
    tools: tuple[int, ...] = ()
    text: str = ""
    filters: Filters = Filters()
    # The sentence vector of the demand's title and description (``quantize``).
    vector: Vector | None = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Weights:
    """How much each component counts; components a demand does not have are left out and
    the rest scaled up to 100."""

    skills: float = 0.5
    tools: float = 0.15
    projects: float = 0.1
    text: float = 0.25
    text_saturation: float = 10.0  # BM25 s counts s / (s + this)
    required: float = 2.0
    optional: float = 1.0
    tag: float = 0.8
    suggested: float = 0.5
    narrower: float = 0.85  # holding a more specific skill than asked
    related: float = 0.5
    broader: float = 0.4  # holding a more general skill than asked
    semantic: float = 0.5  # holding a skill close in meaning: this × the cosine (issue 19)
    semantic_min: float = 0.6  # cosine below which two skills are not close
    # The component "close in meaning" (the profile's text vs the demand's, sentence vectors),
    # present when the demand has a vector (a model is active); credit = (cosine − floor) /
    # (1 − floor). docs/decisions/0053.
    meaning: float = 0.2
    meaning_floor: float = 0.3

    @classmethod
    def from_mapping(cls, values: Mapping[str, object]) -> Weights:
        known = set(cls.__dataclass_fields__)
        unknown = set(values) - known
        if unknown:
            raise ValueError(f"unknown matching weights: {', '.join(sorted(unknown))}")
        cleaned = {}
        for name, value in values.items():
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"matching weight {name} must be a number")
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"matching weight {name} must be zero or more")
            cleaned[name] = float(value)
        weights = cls(**cleaned)
        if weights.skills + weights.tools + weights.projects + weights.text <= 0:
            raise ValueError("at least one component weight must be above zero")
        if weights.meaning_floor >= 1:
            raise ValueError("matching weight meaning_floor must be below 1")
        return weights

    @property
    def version(self) -> str:
        """A short fingerprint recorded with every match (the rule version)."""
        canonical = json.dumps(asdict(self), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def group_weight(self, group: str) -> float:
        return float(getattr(self, group))


def overlap_hours(a_minutes: int, b_minutes: int) -> float:
    """Hours two 9-to-18 working days share, the two places' UTC offsets given."""
    return max(0.0, 9.0 - abs(a_minutes - b_minutes) / 60.0)


def passes(profile: ProfileFeatures, filters: Filters) -> list[str]:
    """The names of the hard filters ``profile`` fails (empty: it passes)."""
    failed = []
    if filters.available_only and profile.availability == UNAVAILABLE:
        failed.append("availability")
    if filters.locations and not location_matches(profile.location, filters.locations):
        failed.append("location")
    for language, rank in filters.languages:
        if profile.languages.get(language, 0) < rank:
            failed.append(f"language:{language}")
    if filters.certified_only and not profile.certified:
        failed.append("certified")
    if (
        filters.max_rate_per_day is not None
        and profile.rate_per_day is not None
        and profile.rate_per_day > filters.max_rate_per_day
    ):
        failed.append("rate")
    if (
        filters.min_overlap_hours > 0
        and overlap_hours(profile.utc_offset_minutes, filters.utc_offset_minutes)
        < filters.min_overlap_hours
    ):
        failed.append("time_zone")
    return failed


def normalize_place(place: str) -> str:
    return "".join(place.casefold().split())


def location_matches(location: str, wanted: tuple[str, ...]) -> bool:
    """Same place when either name contains the other (儋州 ⊂ 海南省儋州市)."""
    mine = normalize_place(location)
    if not mine:
        return False
    return any((w := normalize_place(place)) and (w in mine or mine in w) for place in wanted)
