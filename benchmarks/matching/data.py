"""Reading the public evaluation data in ../shared/data/matching (never shipped, never read
by the product). Formats: that folder's README."""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from pathlib import Path

DATA = (
    Path(
        os.environ.get(
            "NOMADCLOUD_EVAL_DATA", Path(__file__).resolve().parents[3] / "shared" / "data"
        )
    )
    / "matching"
)
csv.field_size_limit(10_000_000)


@dataclass(frozen=True)
class EscoOccupation:
    uri: str
    title: str
    alternative_titles: tuple[str, ...]
    description: str
    essential: tuple[str, ...]
    optional: tuple[str, ...]


def _list(value: str) -> tuple[str, ...]:
    return tuple(s.strip() for s in json.loads(value)) if value.strip() else ()


def occupations() -> list[EscoOccupation]:
    path = DATA / "esco" / "esco_occupation_profiles.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            EscoOccupation(
                uri=row["occupation_uri"],
                title=row["occupation_name"].strip(),
                alternative_titles=_list(row["alternative_names"]),
                description=row["occupation_description"] or "",
                essential=_list(row["essential_skills"]),
                optional=_list(row["optional_skills"]),
            )
            for row in csv.DictReader(handle)
        ]


def skill_alt_labels() -> dict[str, tuple[str, ...]]:
    """preferredLabel → alternative labels, from the ESCO skill collections."""
    found: dict[str, set[str]] = {}
    for path in sorted((DATA / "esco").glob("*SkillsCollection_en.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                labels = {a.strip() for a in row.get("altLabels", "").split("|") if a.strip()}
                found.setdefault(row["preferredLabel"].strip(), set()).update(labels)
    return {label: tuple(sorted(alts)) for label, alts in found.items()}


def jobbert_titles() -> list[tuple[str, str]]:
    """(vacancy title, ESCO occupation URI) from the JobBERT tuning split."""
    path = DATA / "jobbert" / "titles.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["vacancyTitle"], row["conceptUri"]) for row in csv.DictReader(handle)]
