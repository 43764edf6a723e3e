"""The bilingual vocabulary NomadCloud ships: one CSV per category in this folder.

Columns: ``code`` (``nc.<slug>``, stable forever), ``kind``, ``category`` (the file's name),
``label_zh``, ``label_en``, ``aliases_zh`` and ``aliases_en`` (``|``-separated), ``broader``
and ``related`` (``|``-separated codes), ``esco_uri`` and ``onet_code`` (UNSPSC commodity code)
where the concept exists in those taxonomies.

``services.load_vocabulary()`` writes it through the same store as the importers, so loading
it again changes nothing, and loading it after an ESCO or O*NET import merges with the
imported concepts.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from nomadcloud.taxonomy.importers.common import ConceptRow, Parsed, split_labels

FOLDER = Path(__file__).resolve().parent
COLUMNS = ("code", "kind", "category", "label_zh", "label_en", "aliases_zh", "aliases_en",
           "broader", "related", "esco_uri", "onet_code")  # fmt: skip
KINDS = frozenset({"skill", "knowledge", "tool", "language", "occupation"})
CODE = re.compile(r"^nc\.[a-z0-9][a-z0-9.+#-]*$")
ESCO_URI = re.compile(r"^http://data\.europa\.eu/esco/[a-z-]+/[0-9a-z./-]+$")
COMMODITY = re.compile(r"^\d{8}$")


class VocabularyError(Exception):
    """The shipped vocabulary is inconsistent: a bug in the product, caught by its tests."""


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.message}"


def files() -> list[Path]:
    return sorted(FOLDER.glob("*.csv"))


def read() -> tuple[Parsed, list[Problem]]:
    """The vocabulary as records, and every problem found in it."""
    parsed = Parsed("vocabulary")
    problems: list[Problem] = []
    seen: dict[str, tuple[str, int]] = {}
    references: list[tuple[str, int, str]] = []
    for path in files():
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.DictReader(handle)
            if tuple(reader.fieldnames or ()) != COLUMNS:
                problems.append(Problem(path.name, 1, f"columns must be {', '.join(COLUMNS)}"))
                continue
            for number, row in enumerate(reader, start=2):
                parsed.rows_read += 1
                found = _check(row, path.stem)
                problems += [Problem(path.name, number, message) for message in found]
                code = row["code"]
                if code in seen:
                    first = seen[code]
                    problems.append(Problem(path.name, number, f"{code} repeats {first}"))
                    continue
                seen[code] = (path.name, number)
                if found:
                    continue
                parsed.concepts.append(_concept(row))
                for broader in split_labels(row["broader"], "|"):
                    parsed.broader.append((code, broader))
                    references.append((path.name, number, broader))
                for related in split_labels(row["related"], "|"):
                    parsed.related.append((code, related))
                    references.append((path.name, number, related))
    problems += [
        Problem(file, number, f"unknown code {ref}")
        for file, number, ref in references
        if ref not in seen
    ]
    return parsed, problems


def _check(row: dict[str, str], category: str) -> list[str]:
    messages = []
    if not CODE.match(row["code"]):
        messages.append(f"code {row['code']!r} must look like nc.<lowercase-slug>")
    if row["kind"] not in KINDS:
        messages.append(f"kind {row['kind']!r} must be one of {', '.join(sorted(KINDS))}")
    if row["category"] != category:
        messages.append(f"category {row['category']!r} must be the file's name {category!r}")
    if not row["label_zh"].strip() or not row["label_en"].strip():
        messages.append("both labels are required")
    if row["esco_uri"] and not ESCO_URI.match(row["esco_uri"]):
        messages.append(f"esco_uri {row['esco_uri']!r} is not an ESCO URI")
    if row["onet_code"] and not COMMODITY.match(row["onet_code"]):
        messages.append(f"onet_code {row['onet_code']!r} is not an 8-digit UNSPSC code")
    return messages


def _concept(row: dict[str, str]) -> ConceptRow:
    return ConceptRow(
        ref=row["code"],
        code=row["code"],
        kind=row["kind"],
        source="nomadcloud",
        category=row["category"],
        label_zh=row["label_zh"].strip(),
        label_en=row["label_en"].strip(),
        aliases_zh=split_labels(row["aliases_zh"], "|"),
        aliases_en=split_labels(row["aliases_en"], "|"),
        esco_uri=row["esco_uri"].strip(),
        onet_code=row["onet_code"].strip(),
        match_onet_label=bool(row["onet_code"].strip()),
    )
