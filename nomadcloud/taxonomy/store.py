"""Writes parsed records to the database: the one place where concepts are matched, created
and updated, aliases added and relations linked. Used by the importers and the vocabulary.

Matching order for a record: its ESCO URI, then its code, then (O*NET examples and the
vocabulary) the same O*NET commodity code with the same English label. A concept found is
updated, never duplicated. Imports only fill what the vocabulary left blank on its concepts
(labels, kind and category stay the vocabulary's) but do set the O*NET flags; the vocabulary
owns its fields completely. Aliases and relations are only ever added.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from nomadcloud.taxonomy.importers.common import ConceptRow, Parsed, Ref
from nomadcloud.taxonomy.models import Alias, Concept, OccupationSkill
from nomadcloud.taxonomy.text import normalize

SAMPLE = 50
NOMADCLOUD = Concept.Source.NOMADCLOUD
VOCABULARY_FIELDS = ("code", "source", "kind", "category", "label_zh", "label_en",
                     "esco_uri", "onet_code")  # fmt: skip
UPDATE_FIELDS = (*VOCABULARY_FIELDS, "description_en", "hot_technology", "in_demand",
                 "updated_at")  # fmt: skip


@dataclass
class FileReport:
    file: str
    status: str = "ok"  # "ok" or "refused"
    error: str = ""
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases_added: int = 0
    relations_added: int = 0
    relations_updated: int = 0
    skipped: int = 0
    skipped_rows: list[dict[str, Any]] = field(default_factory=list)
    unresolved: int = 0
    unresolved_sample: list[str] = field(default_factory=list)

    def skip(self, row: int, reason: str) -> None:
        self.skipped += 1
        if len(self.skipped_rows) < SAMPLE:
            self.skipped_rows.append({"row": row, "reason": reason})

    def not_found(self, ref: str) -> None:
        self.unresolved += 1
        if len(self.unresolved_sample) < SAMPLE:
            self.unresolved_sample.append(ref)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class _Index:
    """Every concept in memory, looked up the ways records refer to them."""

    def __init__(self) -> None:
        self.by_code: dict[str, Concept] = {}
        self.by_uri: dict[str, Concept] = {}
        self.by_onet_label: dict[tuple[str, str], list[Concept]] = defaultdict(list)
        self.by_label: dict[str, Concept] = {}
        self.by_occupation_label: dict[str, Concept] = {}
        # Labels files use that are another concept's alias (preferred labels win).
        self.by_alias: dict[tuple[bool, str], Concept] = {}
        # What each record of the file being written turned out to be, by its reference.
        self.by_ref: dict[Ref, Concept] = {}
        concepts = list(Concept.objects.order_by("id"))
        for concept in concepts:
            self.add(concept)
        by_id = {c.pk: c for c in concepts}
        self.aliases: set[tuple[int, str, str]] = set()
        for concept_id, language, label in Alias.objects.values_list(
            "concept_id", "language", "normalized"
        ):
            self.add_alias(by_id[concept_id], language, label)

    def add_alias(self, concept: Concept, language: str, label: str) -> None:
        self.aliases.add((concept.pk, language, label))
        if language != "en":
            return
        if concept.onet_code:
            self.by_onet_label[(concept.onet_code, label)].append(concept)
        if concept.source != Concept.Source.ONET:
            occupation = concept.kind == Concept.Kind.OCCUPATION
            self.by_alias.setdefault((occupation, label), concept)

    def add(self, concept: Concept) -> None:
        self.by_code[concept.code] = concept
        if concept.esco_uri:
            self.by_uri[concept.esco_uri] = concept
        label = normalize(concept.label_en)
        if concept.onet_code and label:
            self.by_onet_label[(concept.onet_code, label)].append(concept)
        if label and concept.source != Concept.Source.ONET:
            if concept.kind == Concept.Kind.OCCUPATION:
                self.by_occupation_label.setdefault(label, concept)
            else:
                self.by_label.setdefault(label, concept)

    def find(self, row: ConceptRow) -> Concept | None:
        if row.esco_uri and row.esco_uri in self.by_uri:
            return self.by_uri[row.esco_uri]
        if row.code in self.by_code:
            return self.by_code[row.code]
        if row.match_onet_label and row.onet_code:
            # An O*NET example meets a vocabulary concept, or the vocabulary an O*NET example.
            wanted_vocabulary = row.source != NOMADCLOUD
            names = [row.label_en, *row.aliases_en]
            for name in names:
                for concept in self.by_onet_label.get((row.onet_code, normalize(name)), []):
                    if (concept.source == NOMADCLOUD) == wanted_vocabulary:
                        return concept
        return None

    def resolve(self, ref: Ref) -> Concept | None:
        if ref in self.by_ref:
            return self.by_ref[ref]
        if ref.startswith("label:"):
            label = normalize(ref[6:])
            return self.by_label.get(label) or self.by_alias.get((False, label))
        if ref.startswith("occupation-label:"):
            label = normalize(ref[17:])
            return self.by_occupation_label.get(label) or self.by_alias.get((True, label))
        if ref.startswith("http"):
            return self.by_uri.get(ref)
        return self.by_code.get(ref)


def _changes(concept: Concept, row: ConceptRow) -> dict[str, Any]:
    values: dict[str, Any] = {}
    if row.source == NOMADCLOUD:
        values = {name: getattr(row, name) for name in VOCABULARY_FIELDS}
        values["kind"] = row.kind or concept.kind
    elif not row.fill_only:
        protected = concept.source == NOMADCLOUD  # imports only fill its blanks
        for name in ("label_en", "description_en", "esco_uri", "onet_code"):
            new = getattr(row, name)
            if new and (not protected or not getattr(concept, name)):
                values[name] = new
        if row.kind and not protected and concept.kind != Concept.Kind.LANGUAGE:
            values["kind"] = row.kind
        if row.hot_technology is not None:
            values["hot_technology"] = row.hot_technology
        if row.in_demand is not None:
            values["in_demand"] = row.in_demand
    return {name: v for name, v in values.items() if getattr(concept, name) != v}


def write(parsed: Parsed, report: FileReport) -> None:
    """Store one parsed file in one transaction (all of it or, on an error, none)."""
    write_all([(parsed, report)])


def write_all(files: list[tuple[Parsed, FileReport]]) -> None:
    """Store several parsed files in one transaction: first every file's concepts, then
    every file's relations, so that a relation may name a concept from a later file."""
    with transaction.atomic():
        index = _Index()
        for parsed, report in files:
            _write_concepts(index, parsed, report)
        for parsed, report in files:
            _add_pairs(index, parsed.broader, Concept.broader.through, report)
            _add_pairs(index, parsed.related, Concept.related.through, report, symmetric=True)
            _add_links(index, parsed, report)


def _write_concepts(index: _Index, parsed: Parsed, report: FileReport) -> None:
    now = timezone.now()
    report.rows_read = parsed.rows_read
    for skip in parsed.skipped:
        report.skip(skip.row, skip.reason)
    new: list[Concept] = []
    changed: dict[int, Concept] = {}
    counted: set[int] = set()
    wanted_aliases: list[tuple[Concept, str, str]] = []
    for row in parsed.concepts:
        concept = index.find(row)
        if row.esco_uri and concept is not None and concept.esco_uri not in {"", row.esco_uri}:
            report.skip(0, f"{row.code}: the ESCO URI belongs to {concept.code}")
            continue
        if concept is None:
            concept = Concept(
                code=row.code,
                kind=row.kind or Concept.Kind.SKILL,
                category=row.category,
                source=row.source,
                label_en=row.label_en,
                label_zh=row.label_zh,
                description_en=row.description_en,
                esco_uri=row.esco_uri,
                onet_code=row.onet_code,
                hot_technology=bool(row.hot_technology),
                in_demand=bool(row.in_demand),
            )
            new.append(concept)
            counted.add(id(concept))
            index.add(concept)
            report.created += 1
        else:
            values = _changes(concept, row)
            if values:
                for name, value in values.items():
                    setattr(concept, name, value)
                concept.updated_at = now
                if concept.pk is not None:
                    changed[concept.pk] = concept
                index.add(concept)
            if id(concept) not in counted:
                counted.add(id(concept))
                if values:
                    report.updated += 1
                else:
                    report.unchanged += 1
        index.by_ref[row.ref] = concept
        # A vocabulary concept keeps its own label; the file's label becomes an alias.
        extra = (row.label_en,) if row.label_en and row.source != concept.source else ()
        wanted_aliases += [(concept, "en", a) for a in (*row.aliases_en, *extra)]
        wanted_aliases += [(concept, "zh-hans", a) for a in row.aliases_zh]
    Concept.objects.bulk_create(new, batch_size=500)
    if any(c.pk is None for c in new):  # backends that do not return primary keys
        ids = dict(Concept.objects.filter(code__in=[c.code for c in new]).values_list("code", "id"))
        for concept in new:
            concept.pk = ids[concept.code]
    Concept.objects.bulk_update(list(changed.values()), UPDATE_FIELDS, batch_size=500)
    _add_aliases(index, wanted_aliases, report)


def _add_aliases(index: _Index, wanted: list[tuple[Concept, str, str]], report: FileReport) -> None:
    rows = []
    for concept, language, label in wanted:
        key = normalize(label)
        own = concept.label_zh if language == "zh-hans" else concept.label_en
        if not key or key == normalize(own) or len(label) > 255:
            continue
        if (concept.pk, language, key) in index.aliases:
            continue
        index.add_alias(concept, language, key)
        rows.append(Alias(concept=concept, language=language, label=label, normalized=key))
    Alias.objects.bulk_create(rows, batch_size=1000)
    report.aliases_added += len(rows)


def _add_pairs(
    index: _Index,
    pairs: list[tuple[Ref, Ref]],
    through: Any,
    report: FileReport,
    *,
    symmetric: bool = False,
) -> None:
    if not pairs:
        return
    existing = set(through.objects.values_list("from_concept_id", "to_concept_id"))
    rows = []
    for left_ref, right_ref in pairs:
        left, right = index.resolve(left_ref), index.resolve(right_ref)
        if left is None or right is None:
            report.not_found(right_ref if left is not None else left_ref)
            continue
        if left.pk == right.pk:
            continue
        wanted = [(left.pk, right.pk)] + ([(right.pk, left.pk)] if symmetric else [])
        fresh = [pair for pair in wanted if pair not in existing]
        if fresh:
            report.relations_added += 1
        for pair in fresh:
            existing.add(pair)
            rows.append(through(from_concept_id=pair[0], to_concept_id=pair[1]))
    through.objects.bulk_create(rows, batch_size=1000)


def _add_links(index: _Index, parsed: Parsed, report: FileReport) -> None:
    if not parsed.links:
        return
    wanted: dict[tuple[int, int], str] = {}
    for occupation_ref, skill_ref, relation in parsed.links:
        occupation, skill = index.resolve(occupation_ref), index.resolve(skill_ref)
        if occupation is None or skill is None:
            report.not_found(skill_ref if occupation is not None else occupation_ref)
            continue
        key = (occupation.pk, skill.pk)
        if wanted.get(key) != OccupationSkill.Relation.ESSENTIAL:
            wanted[key] = relation
    source = parsed.concepts[0].source if parsed.concepts else _source_of(parsed)
    existing = {
        (o, s): (pk, rel)
        for pk, o, s, rel in OccupationSkill.objects.values_list(
            "pk", "occupation_id", "skill_id", "relation"
        )
    }
    new, changed = [], []
    for (occupation_id, skill_id), relation in wanted.items():
        found = existing.get((occupation_id, skill_id))
        if found is None:
            new.append(
                OccupationSkill(
                    occupation_id=occupation_id,
                    skill_id=skill_id,
                    relation=relation,
                    source=source,
                )
            )
        elif found[1] != relation:
            changed.append(OccupationSkill(pk=found[0], relation=relation))
    OccupationSkill.objects.bulk_create(new, batch_size=1000)
    OccupationSkill.objects.bulk_update(changed, ["relation"], batch_size=1000)
    report.relations_added += len(new)
    report.relations_updated += len(changed)


def _source_of(parsed: Parsed) -> str:
    return Concept.Source.ONET if parsed.file[:1].isupper() else Concept.Source.ESCO
