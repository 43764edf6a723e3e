"""Nomads for a demand, at a million profiles: the scores of ``scoring.score_pair`` for
every nomad at once, from inverted postings and numpy arrays.

Each nomad occupies a slot. Postings map a concept to the slots holding it (with level and
quality), a language to the slots speaking it, a word to the slots whose text has it. An
update kills the nomad's slot and appends a new one, so results change as soon as
``upsert`` returns; ``compact`` rebuilds when dead slots pile up.

The "close in meaning" component (sentence vectors) is computed only for the nomads that can
still reach the top ``k``; past ``Prefilter.exact_limit`` of them, only for those a coarse
quantiser (``coarse.py``: an inverted file over the vectors) puts near the demand's vector,
and for the best by the other components (docs/decisions/0066).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy as np

from nomadcloud.matching.engine.bm25 import BM25
from nomadcloud.matching.engine.coarse import CoarseQuantizer, Prefilter
from nomadcloud.matching.engine.growable import Column, Postings, Rows
from nomadcloud.matching.engine.model import (
    LEVEL_SHORTFALL,
    VECTOR_SCALE,
    DemandFeatures,
    Filters,
    ProfileFeatures,
    Weights,
    location_matches,
    passes,
)
from nomadcloud.matching.engine.scoring import (
    Links,
    Result,
    component_shares,
    requirement_weights,
    score_pair,
    text_query,
)
from nomadcloud.matching.engine.tokens import tokenize


@dataclass(frozen=True)
class Hit:
    key: int
    score: float


class ProfileIndex:
    def __init__(self, links: Links, weights: Weights, prefilter: Prefilter | None = None) -> None:
        self.links = links
        self.weights = weights
        self.prefilter = prefilter or Prefilter()
        self.coarse: CoarseQuantizer | None = None  # trained past prefilter.min_vectors
        self.with_vector = 0  # slots given a vector (live or dead)
        self.slot_of: dict[int, int] = {}
        self.keys = Column(np.int64)
        self.alive = Column(np.int8)
        self.availability = Column(np.int8)
        self.location = Column(np.int32)
        self.utc_offset = Column(np.int16)
        self.rate = Column(np.float32)
        self.certified = Column(np.int8)
        self.places: dict[str, int] = {}
        self.skills: dict[int, Postings] = {}  # concept → (slot, level, quality)
        self.tools: dict[int, Postings] = {}
        self.projects: dict[int, Postings] = {}  # concept → (slot)
        self.languages: dict[str, Postings] = {}  # language → (slot, CEFR rank)
        self.text = BM25()
        self.vectors = Rows()  # int8 sentence vector per slot (zeros: none)
        self.dead = 0

    # --- keeping it current ----------------------------------------------------------------

    @property
    def size(self) -> int:
        return len(self.keys)

    def __len__(self) -> int:
        return len(self.slot_of)

    def add_many(self, profiles: Iterable[ProfileFeatures]) -> None:
        for profile in profiles:
            self.upsert(profile)
        self.ensure_prefilter()

    def ensure_prefilter(self) -> None:
        """Train the coarse quantiser (and file every live slot with a vector) when the index
        holds ``prefilter.min_vectors`` vectors, and again when their number has grown
        ``prefilter.growth``-fold since; otherwise nothing (cheap)."""
        count, p = self.with_vector, self.prefilter
        if count < p.min_vectors or (
            self.coarse is not None and count < p.growth * self.coarse.trained_on
        ):
            return
        matrix = self.vectors.array()
        live = self.alive.array()[: self.size] == 1
        filed = np.flatnonzero(live & matrix.any(axis=1))
        if not len(filed):
            return
        coarse = CoarseQuantizer.train(matrix, filed)
        coarse.add(matrix, filed)
        coarse.trained_on = count
        self.coarse = coarse

    def upsert(self, profile: ProfileFeatures) -> None:
        self.remove(profile.key)
        slot = self.text.add(tokenize(profile.text))
        self.slot_of[profile.key] = slot
        self.keys.append(profile.key)
        self.alive.append(1)
        self.availability.append(profile.availability)
        place = self.places.setdefault(profile.location, len(self.places))
        self.location.append(place)
        self.utc_offset.append(profile.utc_offset_minutes)
        self.rate.append(np.nan if profile.rate_per_day is None else profile.rate_per_day)
        self.certified.append(1 if profile.certified else 0)
        self.vectors.append(profile.vector)
        if profile.vector is not None and len(profile.vector) == self.vectors.width:
            self.with_vector += 1
            if self.coarse is not None:  # findable by meaning at once
                self.coarse.add_one(slot, profile.vector)
        for postings, holdings in ((self.skills, profile.skills), (self.tools, profile.tools)):
            for holding in holdings:
                target = postings.get(holding.concept)
                if target is None:
                    target = postings[holding.concept] = Postings(np.int8, np.float32)
                target.append(slot, holding.level, holding.quality)
        for concept in profile.projects:
            target = self.projects.get(concept)
            if target is None:
                target = self.projects[concept] = Postings()
            target.append(slot)
        for language, rank in profile.languages.items():
            target = self.languages.get(language)
            if target is None:
                target = self.languages[language] = Postings(np.int8)
            target.append(slot, rank)

    def remove(self, key: int) -> None:
        slot = self.slot_of.pop(key, None)
        if slot is None:
            return
        self.alive.array()[slot] = 0
        self.text.remove(slot)
        self.dead += 1

    def compact(self, features: Callable[[int], ProfileFeatures]) -> ProfileIndex:
        """A fresh index of the live nomads (``features`` gives a nomad's current data)."""
        fresh = ProfileIndex(self.links, self.weights, self.prefilter)
        fresh.add_many(features(key) for key in sorted(self.slot_of))
        return fresh

    # --- searching -----------------------------------------------------------------------

    def search(self, demand: DemandFeatures, k: int = 20, *, exact: bool = False) -> list[Hit]:
        """The ``k`` best nomads passing the demand's filters, best first (none scoring 0).
        ``exact`` computes the cosine for every nomad within reach, never prefiltering
        (benchmarks and tests compare the two)."""
        size = self.size
        if not size:
            return []
        mask = self.mask(demand.filters)
        scores = self.scores(demand, passing=mask, k=k, exact=exact)
        candidates = np.flatnonzero(mask & (scores > 0))
        if not len(candidates):
            return []
        # By score, then slot: ties at the k-th place go to the lower slots (deterministic).
        values = scores[candidates]
        k = min(k, len(candidates))
        kth = np.partition(values, len(values) - k)[len(values) - k]
        above = candidates[values > kth]
        top = np.concatenate([above, candidates[values == kth][: k - len(above)]])
        top = top[np.lexsort((top, -scores[top]))]
        keys = self.keys.array()
        return [Hit(int(keys[s]), float(scores[s])) for s in top]

    def explain(self, profile: ProfileFeatures, demand: DemandFeatures) -> Result:
        return score_pair(profile, demand, links=self.links, weights=self.weights, text=self.text)

    def rank_demands(
        self,
        profile: ProfileFeatures,
        demands: Iterable[DemandFeatures],
        minimum: float,
        *,
        hidden: bool = False,
    ) -> list[tuple[int, Result]]:
        """The other way round, for one nomad: (demand key, explained result) for each
        demand whose hard filters ``profile`` passes and which it scores at least ``minimum``
        for, best first (ties by the demand's key); scored as ``explain`` scores, with this
        index's taxonomy links and text statistics.

        A demand none of whose requirements or tools the nomad's skills, tools or projects
        satisfy (through the links), and none of whose words their text has, scores exactly
        0: with a positive ``minimum`` it is skipped unscored.

        With ``hidden``, the other way: only the demands whose hard filters the nomad fails
        (the near misses; ``Result.failed_filters`` names the filters)."""
        held = {h.concept for h in (*profile.skills, *profile.tools)} | set(profile.projects)
        words = set(tokenize(profile.text)) if profile.text else set()
        results = []
        for demand in demands:
            if bool(passes(profile, demand.filters)) != hidden:
                continue
            query = text_query(demand, self.text)
            if minimum > 0 and not (
                any(self._reaches(concept, held) for concept in _concepts_of(demand))
                or any(self.text.names[term] in words for term in query)
            ):
                continue
            result = score_pair(
                profile, demand, links=self.links, weights=self.weights, text=self.text, query=query
            )
            if result.score >= minimum:
                results.append((demand.key, result))
        results.sort(key=lambda ranked: (-ranked[1].score, ranked[0]))
        return results

    def _reaches(self, concept: int, held: set[int]) -> bool:
        return any(c in held for c, _relation, _factor in self.links.expand(concept))

    def scores(
        self,
        demand: DemandFeatures,
        *,
        passing: np.ndarray | None = None,
        k: int = 0,
        minimum: float | None = None,
        exact: bool = False,
    ) -> np.ndarray:
        """Every slot's score. With a demand vector, the semantic component is computed only
        where it can matter (it adds at most its share): for the slots that could still reach
        the ``k`` best of ``passing`` (the ``k``-th best score without it is a floor), or
        ``minimum``; elsewhere the score lacks it and is below what counts."""
        size = self.size
        query = text_query(demand, self.text)
        meaning = (
            demand.vector is not None
            and self.weights.meaning > 0
            and self.vectors.width == len(demand.vector)
        )
        shares = component_shares(
            self.weights,
            requirements=bool(demand.requirements),
            tools=bool(demand.tools),
            text=bool(query),
            meaning=demand.vector is not None,
        )
        # Only the slots a posting names get credit: each component is gathered in a scratch
        # column at those slots, added to the total there and cleared (the same float32 sums
        # as adding whole columns, at a fraction of the work: docs/decisions/0066).
        total = np.zeros(size, dtype=np.float32)
        credit = np.zeros(size, dtype=np.float32)
        project = np.zeros(size, dtype=np.float32)
        weight_sum = requirement_weights(demand.requirements)
        for requirement in demand.requirements:
            share = requirement.weight / weight_sum
            credited: list[np.ndarray] = []
            projected: list[np.ndarray] = []
            for concept, _relation, factor in self.links.expand(requirement.concept):
                for postings in (self.skills.get(concept), self.tools.get(concept)):
                    if postings is not None:
                        slots, levels, quality = postings.arrays()
                        shortfall = np.maximum(levels - requirement.min_level, 0)
                        values = (factor * quality * LEVEL_SHORTFALL**shortfall).astype(np.float32)
                        _raise(credit, slots, values)
                        credited.append(slots)
                held = self.projects.get(concept)
                if held is not None:
                    (slots,) = held.arrays()
                    _raise(project, slots, np.float32(factor))
                    projected.append(slots)
            _flush(total, credit, credited, np.float32(shares["skills"] * share))
            _flush(total, project, projected, np.float32(shares["projects"] * share))
        for concept in demand.tools:
            credited = []
            for concept_, _relation, factor in self.links.expand(concept):
                for postings in (self.tools.get(concept_), self.skills.get(concept_)):
                    if postings is not None:
                        slots, levels, quality = postings.arrays()
                        values = (factor * quality * (6 - levels) / 5).astype(np.float32)
                        _raise(credit, slots, values)
                        credited.append(slots)
            _flush(total, credit, credited, np.float32(shares["tools"] / len(demand.tools)))
        if query:
            slots, bm25 = self.text.sparse_scores(query, size)
            saturation = np.float32(self.weights.text_saturation)
            total[slots] += np.float32(shares["text"]) * bm25 / (bm25 + saturation)
        if meaning and demand.vector is not None:
            self._add_meaning(
                total, demand.vector, shares["meaning"], passing, k, minimum, exact=exact
            )
        return total

    def _add_meaning(
        self,
        total: np.ndarray,
        vector: np.ndarray,
        share: float,
        passing: np.ndarray | None,
        k: int,
        minimum: float | None,
        *,
        exact: bool = False,
    ) -> None:
        floor = -np.inf
        positive = None
        if passing is not None and k > 0 and np.count_nonzero(passing) > k:
            # The k-th best of the passing slots (scores are ≥ 0: 0 if fewer are positive).
            positive = np.flatnonzero(passing & (total > 0))
            eligible = total[positive]
            if len(eligible) >= k:
                floor = float(np.partition(eligible, len(eligible) - k)[len(eligible) - k])
            else:
                floor = 0.0
        if minimum is not None:
            floor = max(floor, minimum)
        threshold = np.float32(floor) - np.float32(1e-4)
        if positive is not None and np.float32(share) < threshold:
            # A slot scoring 0 so far cannot reach the floor: look at the positive ones only.
            slots = positive[total[positive] + np.float32(share) >= threshold]
            reach = np.zeros(len(total), dtype=bool)
            reach[slots] = True
        else:
            reach = total + np.float32(share) >= threshold
            if passing is not None:
                reach &= passing
            slots = np.flatnonzero(reach)
        if not exact and len(slots) > self.prefilter.exact_limit:
            self.ensure_prefilter()
            if self.coarse is not None:
                slots = self._prefiltered(slots, reach, total, vector, k)
        if not len(slots):
            return
        matrix = self.vectors.array()
        wanted = vector.astype(np.float32)
        scale = np.float32(1.0 / (VECTOR_SCALE * VECTOR_SCALE))
        cut = np.float32(self.weights.meaning_floor)
        span = np.float32(1.0 - self.weights.meaning_floor)
        for start in range(0, len(slots), 65_536):
            block = slots[start : start + 65_536]
            # einsum, not BLAS: a threaded BLAS on busy shared cores is 100 × slower for
            # these small products, and the sums are exact integers in float32 either way.
            cosine = np.einsum("ij,j->i", matrix[block].astype(np.float32), wanted) * scale
            credit = np.clip((cosine - cut) / span, 0.0, 1.0)
            total[block] += np.float32(share) * credit

    def _prefiltered(
        self, slots: np.ndarray, reach: np.ndarray, total: np.ndarray, vector: np.ndarray, k: int
    ) -> np.ndarray:
        """Of the slots within reach, those filed near ``vector`` and the best by the other
        components (so that every nomad returned has its exact score: one left out scores
        less than the ``lexical`` best, hence is returned only if it scores at most what
        they score: ties aside, never)."""
        assert self.coarse is not None
        p = self.prefilter
        nprobe = max(p.min_probe, round(len(self.coarse.lists) * p.probe_share))
        probed = self.coarse.probe(vector, nprobe)
        probed = probed[reach[probed]]
        best = min(len(slots), max(p.lexical, k))
        leading = slots[np.argpartition(-total[slots], best - 1)[:best]]
        return np.union1d(probed, leading)

    def mask(self, filters: Filters) -> np.ndarray:
        size = self.size
        mask = self.alive.array()[:size] == 1
        for passing in self.filter_masks(filters).values():
            mask &= passing
        return np.asarray(mask, dtype=bool)

    def filter_masks(self, filters: Filters) -> dict[str, np.ndarray]:
        """Per hard filter (named as ``passes`` names them), the slots passing it."""
        size = self.size
        masks: dict[str, np.ndarray] = {}
        if filters.available_only:
            masks["availability"] = self.availability.array()[:size] != 2
        if filters.locations:
            wanted = [i for p, i in self.places.items() if location_matches(p, filters.locations)]
            masks["location"] = np.isin(
                self.location.array()[:size], np.asarray(wanted, dtype=np.int32)
            )
        for language, rank in filters.languages:
            spoken = np.zeros(size, dtype=np.int8)
            postings = self.languages.get(language)
            if postings is not None:
                slots, ranks = postings.arrays()
                spoken[slots] = ranks
            masks[f"language:{language}"] = spoken >= rank
        if filters.certified_only:
            masks["certified"] = self.certified.array()[:size] == 1
        if filters.max_rate_per_day is not None:
            rate = self.rate.array()[:size]
            masks["rate"] = ~(rate > np.float32(filters.max_rate_per_day))  # none given passes
        if filters.min_overlap_hours > 0:
            offsets = self.utc_offset.array()[:size].astype(np.float32)
            overlap = 9.0 - np.abs(offsets - filters.utc_offset_minutes) / 60.0
            masks["time_zone"] = overlap >= filters.min_overlap_hours
        return masks

    def near_misses(
        self, demand: DemandFeatures, minimum: float, k: int = 20, *, exact: bool = False
    ) -> list[tuple[Hit, list[str]]]:
        """The ``k`` best nomads a hard filter of the demand hides although they score at
        least ``minimum`` (and above 0), best first, each with the filters it fails."""
        size = self.size
        if not size:
            return []
        scores = self.scores(demand, minimum=minimum, exact=exact)
        masks = self.filter_masks(demand.filters)
        passing = self.alive.array()[:size] == 1
        alive = passing.copy()
        for mask in masks.values():
            passing &= mask
        near = alive & ~passing & (scores >= minimum) & (scores > 0)
        slots = np.flatnonzero(near)
        if not len(slots):
            return []
        order = np.lexsort((slots, -scores[slots]))[:k]
        keys = self.keys.array()
        return [
            (
                Hit(int(keys[s]), float(scores[s])),
                [name for name, mask in masks.items() if not mask[s]],
            )
            for s in slots[order]
        ]


def _concepts_of(demand: DemandFeatures) -> Iterable[int]:
    for requirement in demand.requirements:
        yield requirement.concept
    yield from demand.tools


def _flush(
    total: np.ndarray, scratch: np.ndarray, touched: list[np.ndarray], weight: np.float32
) -> None:
    """total += weight × scratch where ``touched`` says scratch may be non-zero; then clear
    it there (elsewhere it is 0 and adding 0 changes nothing)."""
    if not touched:
        return
    slots = touched[0] if len(touched) == 1 else np.unique(np.concatenate(touched))
    total[slots] += weight * scratch[slots]
    scratch[slots] = 0


def _raise(target: np.ndarray, slots: np.ndarray, values: np.ndarray | np.float32) -> None:
    """target[slots] = max(target[slots], values); slots are distinct within one posting."""
    current = target[slots]
    np.maximum(current, values, out=current)
    target[slots] = current
