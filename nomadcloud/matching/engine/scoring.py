"""The score of one nomad for one demand, with its explanation.

score = 100 × Σ W_c · c / Σ W_c over the components the demand has:
- skills: Σ_r w_r · credit_r / Σ_r w_r. A requirement's credit is the best holding's
  relation factor (same skill 1, narrower 0.85, related 0.5, broader 0.4) × level factor
  (1 when the level meets the minimum, × 0.6 per grade short) × evidence (verified 1,
  certified 0.9, self-declared 0.75) × freshness (1 for the last year, down to 0.5 at five
  years). Tools held count for skill requirements too, at level 6 − proficiency.
- tools: the mean, over the demand's tools, of relation factor × quality × proficiency / 5.
- projects: Σ_r w_r · (best relation factor among the nomad's project skills) / Σ_r w_r.
- text: BM25 of the demand's words in the nomad's profile text, s / (s + 10).
- meaning (when the demand has a sentence vector): (cosine − floor) / (1 − floor) of the
  profile's and the demand's vectors, 0 below the floor (issue 19).

``ProfileIndex`` computes the same numbers for a million nomads at once with numpy; the
tests check that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from nomadcloud.matching.engine.bm25 import BM25
from nomadcloud.matching.engine.model import (
    DemandFeatures,
    Holding,
    ProfileFeatures,
    Requirement,
    Weights,
    level_factor,
    meaning_credit,
    passes,
    vector_cosine,
)
from nomadcloud.matching.engine.tokens import tokenize

SELF, NARROWER, RELATED, BROADER = "self", "narrower", "related", "broader"
SEMANTIC = "semantic"  # close in meaning (sentence embeddings of the concepts' names)


class Links:
    """Taxonomy links used for partial credit: which concepts satisfy a requirement."""

    def __init__(
        self,
        broader: Iterable[tuple[int, int]] = (),
        related: Iterable[tuple[int, int]] = (),
        weights: Weights | None = None,
        semantic: Iterable[tuple[int, int, float]] = (),
    ) -> None:
        self.weights = weights or Weights()
        self.parents: dict[int, set[int]] = {}
        self.children: dict[int, set[int]] = {}
        self.related: dict[int, set[int]] = {}
        for narrow, broad in broader:
            self.parents.setdefault(narrow, set()).add(broad)
            self.children.setdefault(broad, set()).add(narrow)
        for left, right in related:
            self.related.setdefault(left, set()).add(right)
            self.related.setdefault(right, set()).add(left)
        self.semantic: dict[int, dict[int, float]] = {}
        for left, right, cosine in semantic:
            if cosine >= self.weights.semantic_min:
                self.semantic.setdefault(left, {})[right] = cosine
                self.semantic.setdefault(right, {})[left] = cosine
        self.expand = lru_cache(maxsize=200_000)(self._expand)

    def _expand(self, concept: int) -> tuple[tuple[int, str, float], ...]:
        """(concept, relation, factor) for every concept that satisfies ``concept``, best
        relation first; each concept once."""
        found: dict[int, tuple[str, float]] = {concept: (SELF, 1.0)}
        w = self.weights
        for relation, factor, others in (
            (NARROWER, w.narrower, self.children.get(concept, ())),
            (RELATED, w.related, self.related.get(concept, ())),
            (BROADER, w.broader, self.parents.get(concept, ())),
        ):
            for other in sorted(others):
                if other not in found and factor > 0:
                    found[other] = (relation, factor)
        # Close in meaning, for what the links do not reach: credit in proportion to it.
        for other, cosine in sorted(self.semantic.get(concept, {}).items()):
            if other not in found and w.semantic > 0:
                found[other] = (SEMANTIC, w.semantic * cosine)
        return tuple((c, rel, f) for c, (rel, f) in found.items())


@dataclass
class Item:
    """One requirement or tool of the demand, and how the nomad meets it."""

    kind: str  # "skill" or "tool"
    concept: int
    group: str
    min_level: int
    status: str  # met, partial or missing
    credit: float
    points: float
    via: Holding | None = None
    via_kind: str = ""  # "skill" or "tool"
    relation: str = ""
    project_points: float = 0.0


@dataclass
class Result:
    key: int
    score: float
    components: dict[str, float] = field(default_factory=dict)  # 0–1 each
    points: dict[str, float] = field(default_factory=dict)  # contributions to the score
    items: list[Item] = field(default_factory=list)
    text_terms: list[str] = field(default_factory=list)
    failed_filters: list[str] = field(default_factory=list)
    meaning_cosine: float | None = None  # profile text vs demand text, when both have vectors


def component_shares(
    weights: Weights, *, requirements: bool, tools: bool, text: bool, meaning: bool = False
) -> dict[str, float]:
    """Each present component's share of the 100 points."""
    present = {
        "skills": weights.skills if requirements else 0.0,
        "projects": weights.projects if requirements else 0.0,
        "tools": weights.tools if tools else 0.0,
        "text": weights.text if text else 0.0,
        "meaning": weights.meaning if meaning else 0.0,
    }
    total = sum(present.values())
    return {name: (100.0 * w / total if total else 0.0) for name, w in present.items()}


def requirement_weights(requirements: tuple[Requirement, ...]) -> float:
    return sum(r.weight for r in requirements)


def best_holding(
    requirement: Requirement, profile: ProfileFeatures, links: Links
) -> tuple[float, Holding | None, str, str]:
    """The best credit for a requirement: (credit, holding, "skill"/"tool", relation)."""
    satisfying = {c: (rel, f) for c, rel, f in links.expand(requirement.concept)}
    best: tuple[float, Holding | None, str, str] = (0.0, None, "", "")
    for kind, holdings in (("skill", profile.skills), ("tool", profile.tools)):
        for holding in holdings:
            hit = satisfying.get(holding.concept)
            if hit is None:
                continue
            relation, factor = hit
            credit = factor * level_factor(holding.level, requirement.min_level) * holding.quality
            if credit > best[0]:
                best = (credit, holding, kind, relation)
    return best


def best_tool(
    concept: int, profile: ProfileFeatures, links: Links
) -> tuple[float, Holding | None, str, str]:
    satisfying = {c: (rel, f) for c, rel, f in links.expand(concept)}
    best: tuple[float, Holding | None, str, str] = (0.0, None, "", "")
    for kind, holdings in (("tool", profile.tools), ("skill", profile.skills)):
        for holding in holdings:
            hit = satisfying.get(holding.concept)
            if hit is None:
                continue
            relation, factor = hit
            credit = factor * holding.quality * (6 - holding.level) / 5
            if credit > best[0]:
                best = (credit, holding, kind, relation)
    return best


def project_credit(requirement: Requirement, profile: ProfileFeatures, links: Links) -> float:
    return max(
        (f for c, _rel, f in links.expand(requirement.concept) if c in profile.projects),
        default=0.0,
    )


def text_query(demand: DemandFeatures, text: BM25 | None) -> dict[int, int]:
    return text.query(tokenize(demand.text)) if text is not None and demand.text else {}


def score_pair(
    profile: ProfileFeatures,
    demand: DemandFeatures,
    *,
    links: Links,
    weights: Weights,
    text: BM25 | None = None,
    query: dict[int, int] | None = None,
) -> Result:
    """The score of ``profile`` for ``demand`` and why (hard filters are reported, not
    applied: callers decide)."""
    if query is None:
        query = text_query(demand, text)
    shares = component_shares(
        weights,
        requirements=bool(demand.requirements),
        tools=bool(demand.tools),
        text=bool(query),
        meaning=demand.vector is not None,
    )
    result = Result(key=profile.key, score=0.0, failed_filters=passes(profile, demand.filters))
    total_weight = requirement_weights(demand.requirements)
    skills_value = projects_value = 0.0
    for requirement in demand.requirements:
        credit, holding, via_kind, relation = best_holding(requirement, profile, links)
        project = project_credit(requirement, profile, links)
        share = requirement.weight / total_weight
        skills_value += share * credit
        projects_value += share * project
        # A tool held (Label Studio) earns credit toward a skill (data labelling) through the
        # taxonomy's links, but never counts as having the skill itself.
        met = (
            relation in {SELF, NARROWER}
            and holding is not None
            and via_kind == "skill"
            and (holding.level <= requirement.min_level)
        )
        result.items.append(
            Item(
                kind="skill",
                concept=requirement.concept,
                group=requirement.group,
                min_level=requirement.min_level,
                status="met" if met else ("partial" if credit > 0 else "missing"),
                credit=credit,
                points=shares["skills"] * share * credit,
                via=holding,
                via_kind=via_kind,
                relation=relation,
                project_points=shares["projects"] * share * project,
            )
        )
    tools_value = 0.0
    for concept in demand.tools:
        credit, holding, via_kind, relation = best_tool(concept, profile, links)
        tools_value += credit / len(demand.tools)
        result.items.append(
            Item(
                kind="tool",
                concept=concept,
                group="tool",
                min_level=5,
                status="met" if relation == SELF else ("partial" if credit > 0 else "missing"),
                credit=credit,
                points=shares["tools"] * credit / len(demand.tools),
                via=holding,
                via_kind=via_kind,
                relation=relation,
            )
        )
    text_value = 0.0
    if query and text is not None:
        bm25, result.text_terms = text.score_tokens(query, tokenize(profile.text))
        text_value = bm25 / (bm25 + weights.text_saturation)
    meaning_value = 0.0
    if (
        demand.vector is not None
        and profile.vector is not None
        and len(profile.vector) == len(demand.vector)
    ):
        result.meaning_cosine = vector_cosine(profile.vector, demand.vector)
        meaning_value = meaning_credit(result.meaning_cosine, weights.meaning_floor)
    result.components = {
        "skills": skills_value,
        "projects": projects_value,
        "tools": tools_value,
        "text": text_value,
        "meaning": meaning_value,
    }
    result.points = {name: shares[name] * value for name, value in result.components.items()}
    result.score = sum(result.points.values())
    return result
