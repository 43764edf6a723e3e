"""The engine as this process holds it: the index of all nomads, the taxonomy links and the
skill suggester, built on first use and kept current.

Every change to a nomad's matching data stamps the profile (``ProfileStamp``, written in the
same transaction by the ``profile_changed`` handler); before each use the index reloads the
nomads stamped since its last look, so web and worker processes see an edit within one job
run.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone

from nomadcloud.matching import features
from nomadcloud.matching.engine import fusion
from nomadcloud.matching.engine.index import ProfileIndex
from nomadcloud.matching.engine.model import Weights
from nomadcloud.matching.engine.suggest import Occupation, OccupationModel, SkillSuggester
from nomadcloud.matching.models import ProfileStamp
from nomadcloud.taxonomy import semantic
from nomadcloud.taxonomy.models import Concept, OccupationSkill

# Stamps are compared with a little overlap: a transaction that committed late still counts.
CLOCK_OVERLAP = timedelta(seconds=5)


def weights() -> Weights:
    return Weights.from_mapping(getattr(settings, "MATCHING_WEIGHTS", {}))


@dataclass
class _State:
    index: ProfileIndex
    suggester: SkillSuggester | None
    synced_at: datetime
    taxonomy_version: tuple[object, ...]


_lock = threading.Lock()
_state: _State | None = None


def _taxonomy_version() -> tuple[object, ...]:
    from django.db.models import Count, Max

    concepts = Concept.objects.aggregate(n=Count("id"), changed=Max("updated_at"))
    return (concepts["n"], concepts["changed"], OccupationSkill.objects.count())


def current() -> _State:
    """The index, up to date with the database."""
    global _state
    with _lock:
        version = _taxonomy_version()
        if _state is None or _state.taxonomy_version != version:
            _state = _build(version)
        else:
            _sync(_state)
        return _state


def reset() -> None:
    """Forget the index (tests, and after a full rebuild)."""
    global _state
    with _lock:
        _state = None


def _build(version: tuple[object, ...]) -> _State:
    started = timezone.now()
    w = weights()
    index = ProfileIndex(features.taxonomy_links(w), w)
    index.add_many(features.profile_features_many(features.profiles_query(), started))
    return _State(index, _suggester(), started, version)


def _sync(state: _State) -> None:
    started = timezone.now()
    changed = ProfileStamp.objects.filter(changed_at__gte=state.synced_at - CLOCK_OVERLAP)
    ids = list(changed.values_list("profile_id", flat=True))
    if ids:
        found = {p.pk: p for p in features.profiles_query().filter(pk__in=ids)}  # type: ignore[attr-defined]
        for profile_id in ids:
            profile = found.get(profile_id)
            if profile is None:
                state.index.remove(profile_id)
            else:
                state.index.upsert(features.profile_features(profile, started))
    state.synced_at = started


def _suggester() -> SkillSuggester | None:
    """Suggested skills need occupations with skills (an ESCO or O*NET import)."""
    links: dict[int, list[tuple[int, float]]] = {}
    for occupation_id, skill_id, relation in OccupationSkill.objects.values_list(
        "occupation_id", "skill_id", "relation"
    ):
        links.setdefault(occupation_id, []).append(
            (skill_id, 2.0 if relation == OccupationSkill.Relation.ESSENTIAL else 1.0)
        )
    if not links:
        return None
    occupations = list(
        Concept.objects.filter(pk__in=links, is_active=True).prefetch_related("aliases")
    )
    # With an embedding model, occupations are also found by meaning (a purely Chinese demand
    # finds English-only ESCO occupations): the closest of their names' stored vectors, and
    # one vector of each description (fusion.pool_semantic; benchmarks/matching task E).
    names = semantic.concept_name_vectors([o.pk for o in occupations])
    matrix = owners = described = None
    if names and len(names) == len(occupations):
        matrix = np.concatenate([names[o.pk] for o in occupations])
        owners = np.cumsum([0] + [len(names[o.pk]) for o in occupations[:-1]], dtype=np.intp)
        described = semantic.text_vectors(
            [
                fusion.description_text(o.label_en or o.label_zh, o.description_en)
                for o in occupations
            ]
        )
    return SkillSuggester(
        OccupationModel(
            (
                Occupation(
                    key=o.pk,
                    title=" ".join(t for t in (o.label_en, o.label_zh) if t),
                    alternative_titles=[a.label for a in o.aliases.all()],
                    description=o.description_en,
                    skills=links[o.pk],
                )
                for o in occupations
            ),
            vectors=matrix,
            vector_owners=owners,
            description_vectors=described,
            encode=semantic.encode_text if matrix is not None else None,
        )
    )
