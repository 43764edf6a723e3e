"""ESCO v1.x CSV files (the "classification" download, language ``en``) → records.

Supported, whichever are present: ``skillGroups_en.csv``, ``skillsHierarchy_en.csv``,
``skills_en.csv``, the ``*SkillsCollection_en.csv`` files, ``occupations_en.csv``,
``broaderRelationsSkillPillar_en.csv``, ``broaderRelationsOccPillar_en.csv``,
``occupationSkillRelations_en.csv`` and ``esco_occupation_profiles.csv`` (occupations with
their skills by label, a derived export). Files are read in that order, so that concepts
exist before the relations that name them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from nomadcloud.taxonomy.importers.common import (
    ConceptRow,
    Parsed,
    Skip,
    read_table,
    split_labels,
)

SOURCE = "esco"
URI_PREFIX = "http://data.europa.eu/esco/"
COLLECTION_SUFFIX = "SkillsCollection_en.csv"


def code_for(uri: str) -> str:
    """``esco.<uuid>`` for skills and occupations; ``esco.<scheme>.<code>`` for concepts of
    other schemes such as ISCED-F fields (``…/esco/isced-f/023``)."""
    scheme, _slash, identifier = uri.rstrip("/").removeprefix(URI_PREFIX).rpartition("/")
    if scheme in {"skill", "occupation"}:
        return f"esco.{identifier}"
    return f"esco.{scheme.replace('/', '.')}.{identifier}"


def _uri(value: str) -> str:
    uri = value.strip()
    return uri if uri.startswith(URI_PREFIX) and len(uri) <= 255 else ""


def _kind(skill_type: str) -> str:
    skill_type = skill_type.strip()
    if skill_type == "knowledge":
        return "knowledge"
    return "skill" if skill_type else ""


def _label(row: dict[str, str], column: str = "preferredLabel") -> str:
    return row.get(column, "").strip()[:255]


def _parse_labelled(path: Path, kind: str) -> Parsed:
    """Files of concepts with a URI, a preferred label, a description and newline-separated
    alternative labels (skill groups, occupations)."""
    parsed = Parsed(path.name)
    for number, row in read_table(path, ("conceptUri", "preferredLabel")):
        parsed.rows_read += 1
        uri, label = _uri(row["conceptUri"]), _label(row)
        if "__width__" in row or not uri or not label:
            parsed.skipped.append(Skip(number, _why(row, uri, label)))
            continue
        parsed.concepts.append(
            ConceptRow(
                ref=uri,
                code=code_for(uri),
                kind=kind,
                source=SOURCE,
                label_en=label,
                description_en=row.get("description", "").strip(),
                esco_uri=uri,
                aliases_en=split_labels(row.get("altLabels", ""), "\n"),
            )
        )
    return parsed


def parse_skill_groups(path: Path) -> Parsed:
    return _parse_labelled(path, "skill")


def parse_hierarchy(path: Path) -> Parsed:
    levels = [(f"Level {n} URI", f"Level {n} preferred term") for n in range(4)]
    parsed = Parsed(path.name)
    required = tuple(c for pair in levels for c in pair)
    for number, row in read_table(path, required):
        parsed.rows_read += 1
        chain = [(_uri(row[u]), row[t].strip()[:255]) for u, t in levels if row[u].strip()]
        if "__width__" in row or not chain or any(not u or not t for u, t in chain):
            parsed.skipped.append(Skip(number, "malformed row" if chain else "no URI"))
            continue
        for depth, (uri, term) in enumerate(chain):
            parsed.concepts.append(
                ConceptRow(
                    ref=uri,
                    code=code_for(uri),
                    kind="skill",
                    source=SOURCE,
                    label_en=term,
                    esco_uri=uri,
                    fill_only=True,
                )
            )
            if depth:
                parsed.broader.append((uri, chain[depth - 1][0]))
    return parsed


def parse_skills(path: Path, *, separator: str = "\n", kind: str | None = None) -> Parsed:
    """``skills_en.csv`` (alt labels one per line) or a skill collection (`` | ``)."""
    parsed = Parsed(path.name)
    for number, row in read_table(path, ("conceptUri", "preferredLabel", "skillType")):
        parsed.rows_read += 1
        uri, label = _uri(row["conceptUri"]), _label(row)
        if "__width__" in row or not uri or not label:
            parsed.skipped.append(Skip(number, _why(row, uri, label)))
            continue
        parsed.concepts.append(
            ConceptRow(
                ref=uri,
                code=code_for(uri),
                kind=kind or _kind(row["skillType"]),
                source=SOURCE,
                label_en=label,
                description_en=row.get("description", "").strip(),
                esco_uri=uri,
                aliases_en=split_labels(row.get("altLabels", ""), separator),
            )
        )
        for broader in row.get("broaderConceptUri", "").split("|"):
            if _uri(broader):
                parsed.broader.append((uri, _uri(broader)))
    return parsed


def parse_collection(path: Path) -> Parsed:
    kind = "language" if path.name.startswith("language") else None
    return parse_skills(path, separator="|", kind=kind)


def parse_occupations(path: Path) -> Parsed:
    return _parse_labelled(path, "occupation")


def parse_broader_relations(path: Path) -> Parsed:
    parsed = Parsed(path.name)
    for number, row in read_table(path, ("conceptUri", "broaderUri")):
        parsed.rows_read += 1
        narrower, broader = _uri(row["conceptUri"]), _uri(row["broaderUri"])
        if "__width__" in row or not narrower or not broader:
            parsed.skipped.append(Skip(number, "malformed row"))
            continue
        parsed.broader.append((narrower, broader))
    return parsed


def parse_occupation_skill_relations(path: Path) -> Parsed:
    parsed = Parsed(path.name)
    for number, row in read_table(path, ("occupationUri", "relationType", "skillUri")):
        parsed.rows_read += 1
        occupation, skill = _uri(row["occupationUri"]), _uri(row["skillUri"])
        relation = row["relationType"].strip()
        if "__width__" in row or not occupation or not skill:
            parsed.skipped.append(Skip(number, "malformed row"))
        elif relation not in {"essential", "optional"}:
            parsed.skipped.append(Skip(number, f"unknown relationType {relation!r}"))
        else:
            parsed.links.append((occupation, skill, relation))
    return parsed


def parse_occupation_profiles(path: Path) -> Parsed:
    """Occupations with skills given by label (JSON arrays); relations resolve by label."""
    parsed = Parsed(path.name)
    required = ("occupation_uri", "occupation_name", "essential_skills", "optional_skills")
    for number, row in read_table(path, required):
        parsed.rows_read += 1
        uri, label = _uri(row["occupation_uri"]), _label(row, "occupation_name")
        try:
            essential = _json_list(row["essential_skills"])
            optional = _json_list(row["optional_skills"])
            alternatives = _json_list(row.get("alternative_names", ""))
            parents = _json_list(row.get("parent_occupations", ""))
        except ValueError:
            parsed.skipped.append(Skip(number, "a skill list is not a JSON array of strings"))
            continue
        if "__width__" in row or not uri or not label:
            parsed.skipped.append(Skip(number, _why(row, uri, label)))
            continue
        parsed.concepts.append(
            ConceptRow(
                ref=uri,
                code=code_for(uri),
                kind="occupation",
                source=SOURCE,
                label_en=label,
                description_en=row.get("occupation_description", "").strip(),
                esco_uri=uri,
                aliases_en=tuple(a.strip() for a in alternatives if a.strip()),
                fill_only=True,
            )
        )
        parsed.links.extend((uri, f"label:{s.strip()}", "essential") for s in essential)
        parsed.links.extend((uri, f"label:{s.strip()}", "optional") for s in optional)
        parsed.broader.extend((uri, f"occupation-label:{p.strip()}") for p in parents)
    return parsed


def _json_list(value: str) -> list[str]:
    if not value.strip():
        return []
    data = json.loads(value)
    if not isinstance(data, list) or not all(isinstance(item, str) for item in data):
        raise ValueError("not a list of strings")
    return data


def _why(row: dict[str, str], uri: str, label: str) -> str:
    if "__width__" in row:
        return f"wrong number of columns ({row['__width__']})"
    return "missing or malformed URI" if not uri else "missing preferred label"


Parser = Callable[[Path], Parsed]


def files_in(directory: Path) -> list[tuple[Path, Parser]]:
    """The ESCO files present in ``directory``, in the order they must be read."""
    named: list[tuple[str, Parser]] = [
        ("skillGroups_en.csv", parse_skill_groups),
        ("skillsHierarchy_en.csv", parse_hierarchy),
        ("skills_en.csv", parse_skills),
    ]
    collections = sorted(p.name for p in directory.glob(f"*{COLLECTION_SUFFIX}"))
    named += [(name, parse_collection) for name in collections]
    named += [
        ("occupations_en.csv", parse_occupations),
        ("broaderRelationsSkillPillar_en.csv", parse_broader_relations),
        ("broaderRelationsOccPillar_en.csv", parse_broader_relations),
        ("occupationSkillRelations_en.csv", parse_occupation_skill_relations),
        ("esco_occupation_profiles.csv", parse_occupation_profiles),
    ]
    return [(directory / name, parser) for name, parser in named if (directory / name).is_file()]
