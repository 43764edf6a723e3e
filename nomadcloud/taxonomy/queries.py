"""Reads of the taxonomy: search and browse concepts (anyone may), one concept with its
neighbours, names by closeness. The import runs are read through ``access.py`` (the zone
operator only)."""

from __future__ import annotations

import operator
import re
from dataclasses import dataclass
from functools import reduce
from typing import Generic, TypeVar

from django.db.models import (
    Case,
    Exists,
    IntegerField,
    Model,
    OuterRef,
    Q,
    QuerySet,
    Value,
    When,
)
from django.utils.translation import gettext as _

from nomadcloud.core.errors import NotFound
from nomadcloud.taxonomy import lookup, semantic
from nomadcloud.taxonomy.lookup import Hit
from nomadcloud.taxonomy.models import Alias, Concept, OccupationSkill
from nomadcloud.taxonomy.text import CJK_RANGES, normalize

T = TypeVar("T", bound=Model)

# Search rank: a label (or alias, or the code) equal to the query, then one starting with it,
# then one containing it.
EXACT, PREFIX, CONTAINS = 0, 1, 2
_CJK, _OTHER = f"[{CJK_RANGES}]", rf"[^\s{CJK_RANGES}]"
_CJK_BESIDE_OTHER = re.compile(f"(?<={_CJK})(?={_OTHER})|(?<={_OTHER})(?={_CJK})")


@dataclass(frozen=True)
class Capped(Generic[T]):
    """The first ``limit`` rows of a list, and how many there are in all."""

    items: list[T]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


def capped(rows: QuerySet[T], limit: int = 50) -> Capped[T]:
    items = list(rows[:limit])
    total = len(items) if len(items) < limit else rows.count()
    return Capped(items=items, total=total)


def _aliases(condition: Q) -> Exists:
    return Exists(Alias.objects.filter(condition, concept=OuterRef("pk")))


def search_concepts(
    q: str = "",
    *,
    kind: str = "",
    category: str = "",
    source: str = "",
    hot_only: bool = False,
) -> QuerySet[Concept]:
    """Active concepts whose Chinese or English label, alias or code matches ``q``, best
    matches first (annotated ``rank``: 0 equal, 1 starts with, 2 contains), then by id."""
    concepts = Concept.objects.filter(is_active=True)
    if kind:
        concepts = concepts.filter(kind=kind)
    if category:
        concepts = concepts.filter(category=category)
    if source:
        concepts = concepts.filter(source=source)
    if hot_only:
        concepts = concepts.filter(hot_technology=True)
    key = normalize(q)
    if not key:
        return concepts.annotate(rank=Value(EXACT, output_field=IntegerField())).order_by(
            "rank", "pk"
        )
    # Labels are stored as written (with or without a space beside Chinese: "Python 开发",
    # "Python开发"), aliases normalized: compare labels with each form of the query.
    written = " ".join(q.split())
    forms = {written, key, _CJK_BESIDE_OTHER.sub(" ", key)}

    def label(lookup: str) -> Q:
        return reduce(
            operator.or_,
            (Q(**{f"label_{lang}__{lookup}": form}) for lang in ("zh", "en") for form in forms),
        )

    exact = label("iexact") | Q(code__iexact=written) | _aliases(Q(normalized=key))
    prefix = label("istartswith") | _aliases(Q(normalized__startswith=key))
    contains = label("icontains") | Q(code__iexact=written) | _aliases(Q(normalized__contains=key))
    return (
        concepts.filter(contains)
        .annotate(
            rank=Case(
                When(exact, then=Value(EXACT)),
                When(prefix, then=Value(PREFIX)),
                default=Value(CONTAINS),
                output_field=IntegerField(),
            )
        )
        .order_by("rank", "pk")
    )


def categories() -> list[str]:
    """The categories active concepts are filed under, for the browse filter."""
    return list(
        Concept.objects.filter(is_active=True)
        .exclude(category="")
        .order_by("category")
        .values_list("category", flat=True)
        .distinct()
    )


def concept_by_code(code: str) -> Concept:
    """The concept with this code (active or not), with its aliases."""
    concept = Concept.objects.filter(code=code).prefetch_related("aliases").first()
    if concept is None:
        raise NotFound(_("No such concept: %(code)s.") % {"code": code})
    return concept


def broader_of(concept: Concept) -> QuerySet[Concept]:
    return concept.broader.filter(is_active=True).order_by("pk")


def narrower_of(concept: Concept) -> QuerySet[Concept]:
    return concept.narrower.filter(is_active=True).order_by("pk")


def related_of(concept: Concept) -> QuerySet[Concept]:
    return concept.related.filter(is_active=True).order_by("pk")


def occupations_needing(concept: Concept) -> QuerySet[OccupationSkill]:
    """The links from active occupations to this skill or tool, essential ones first."""
    return (
        OccupationSkill.objects.filter(skill=concept, occupation__is_active=True)
        .select_related("occupation")
        .order_by("relation", "occupation_id")
    )


def skills_of(occupation: Concept, relation: str = "") -> QuerySet[OccupationSkill]:
    """The active skills and tools an occupation needs (of one relation when given),
    essential ones first."""
    links = OccupationSkill.objects.filter(occupation=occupation, skill__is_active=True)
    if relation:
        links = links.filter(relation=relation)
    return links.select_related("skill").order_by("relation", "skill_id")


@dataclass(frozen=True)
class NameSearch:
    """One page of concepts found by name; ``similar`` when nothing matched and these are
    the closest names instead."""

    hits: list[Hit]
    next_offset: int | None
    similar: bool


def find_by_name(
    q: str, *, kinds: tuple[str, ...] = (), limit: int = 20, offset: int = 0
) -> NameSearch:
    """Concepts named like ``q`` (labels, other names, codes, pinyin), best first; when none
    is, the closest names (taxonomy/lookup.py)."""
    hits = lookup.search(q, kinds, need=offset + limit + 1)
    if not hits and offset == 0:
        return NameSearch(hits=closest(q, kinds, min(limit, 10)), next_offset=None, similar=True)
    page = hits[offset : offset + limit]
    more = offset + limit < len(hits)
    return NameSearch(hits=page, next_offset=offset + limit if more else None, similar=False)


def closest(q: str, kinds: tuple[str, ...] = (), limit: int = 10) -> list[Hit]:
    """For a name that matched nothing: the concepts closest in meaning (any language, a
    misspelling; taxonomy/semantic.py), then the closest names; each concept once."""
    found = [n.hit for n in semantic.neighbours(q, kinds, limit=limit)]
    seen = {hit.code for hit in found}
    for hit in lookup.suggest(q, kinds, limit=limit):
        if hit.code not in seen:
            found.append(hit)
            seen.add(hit.code)
    return found[:limit]
