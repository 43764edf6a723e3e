"""O*NET database files (text or Excel release) → records.

Supported, whichever are present (spaces or underscores in the name, ``.txt`` tab-separated
or ``.xlsx``): ``Occupation Data``, ``Technology Skills`` (with the Hot Technology and In
Demand flags) and ``Tools Used``. Occupations get the code ``onet.soc.<O*NET-SOC code>``; each
UNSPSC commodity becomes a tool concept ``onet.<commodity code>``; each example (a product
such as "Microsoft Excel") a tool concept under its commodity, matched to a vocabulary concept
with the same commodity code and English label when there is one.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from nomadcloud.taxonomy.importers.common import ConceptRow, Parsed, Skip, read_table

SOURCE = "onet"
SOC = re.compile(r"^\d{2}-\d{4}\.\d{2}$")
COMMODITY = re.compile(r"^\d{8}$")


def occupation_code(soc: str) -> str:
    return f"onet.soc.{soc}"


def commodity_code(commodity: str) -> str:
    return f"onet.{commodity}"


def example_code(example: str) -> str:
    """Stable per example name (case-insensitive): a readable slug plus a short hash."""
    folded = example.strip().casefold()
    slug = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")[:60] or "x"
    digest = hashlib.sha256(folded.encode()).hexdigest()[:8]
    return f"onet.x.{slug}.{digest}"


def parse_occupations(path: Path) -> Parsed:
    parsed = Parsed(path.name)
    for number, row in read_table(path, ("O*NET-SOC Code", "Title")):
        parsed.rows_read += 1
        soc, title = row["O*NET-SOC Code"].strip(), row["Title"].strip()[:255]
        if "__width__" in row or not SOC.match(soc) or not title:
            reason = "malformed O*NET-SOC code" if not SOC.match(soc) else "missing title"
            parsed.skipped.append(Skip(number, reason))
            continue
        parsed.concepts.append(
            ConceptRow(
                ref=occupation_code(soc),
                code=occupation_code(soc),
                kind="occupation",
                source=SOURCE,
                label_en=title,
                description_en=row.get("Description", "").strip(),
                onet_code=soc,
            )
        )
    return parsed


def _parse_examples(path: Path, *, flags: bool) -> Parsed:
    required: tuple[str, ...] = ("O*NET-SOC Code", "Example", "Commodity Code", "Commodity Title")
    if flags:
        required += ("Hot Technology", "In Demand")
    parsed = Parsed(path.name)
    commodities: dict[str, ConceptRow] = {}
    examples: dict[str, ConceptRow] = {}
    links: dict[tuple[str, str], str] = {}
    for number, row in read_table(path, required):
        parsed.rows_read += 1
        soc, example = row["O*NET-SOC Code"].strip(), row["Example"].strip()[:255]
        commodity, title = row["Commodity Code"].strip(), row["Commodity Title"].strip()[:255]
        hot = row.get("Hot Technology", "").strip() if flags else "N"
        demand = row.get("In Demand", "").strip() if flags else "N"
        reason = ""
        if "__width__" in row:
            reason = f"wrong number of columns ({row['__width__']})"
        elif not SOC.match(soc):
            reason = "malformed O*NET-SOC code"
        elif not COMMODITY.match(commodity):
            reason = "malformed commodity code"
        elif not example or not title:
            reason = "missing example or commodity title"
        elif hot not in {"Y", "N"} or demand not in {"Y", "N"}:
            reason = "Hot Technology and In Demand must be Y or N"
        if reason:
            parsed.skipped.append(Skip(number, reason))
            continue
        parent = commodities.setdefault(
            commodity,
            ConceptRow(
                ref=commodity_code(commodity),
                code=commodity_code(commodity),
                kind="tool",
                source=SOURCE,
                label_en=title,
                onet_code=commodity,
            ),
        )
        code = example_code(example)
        concept = examples.get(code)
        if concept is None:
            concept = examples[code] = ConceptRow(
                ref=code,
                code=code,
                kind="tool",
                source=SOURCE,
                label_en=example,
                onet_code=commodity,
                hot_technology=False if flags else None,
                in_demand=False if flags else None,
                match_onet_label=True,
            )
            parsed.broader.append((code, parent.ref))
        if flags:
            concept.hot_technology = concept.hot_technology or hot == "Y"
            concept.in_demand = concept.in_demand or demand == "Y"
        relation = "essential" if demand == "Y" else "optional"
        key = (occupation_code(soc), code)
        if links.get(key) != "essential":
            links[key] = relation
    parsed.concepts = [*commodities.values(), *examples.values()]
    parsed.links = [(occ, skill, rel) for (occ, skill), rel in links.items()]
    return parsed


def parse_technology_skills(path: Path) -> Parsed:
    return _parse_examples(path, flags=True)


def parse_tools_used(path: Path) -> Parsed:
    return _parse_examples(path, flags=False)


Parser = Callable[[Path], Parsed]
FILES: list[tuple[str, Parser]] = [
    ("Occupation Data", parse_occupations),
    ("Technology Skills", parse_technology_skills),
    ("Tools Used", parse_tools_used),
]


def files_in(directory: Path) -> list[tuple[Path, Parser]]:
    """The O*NET files present in ``directory`` (text preferred over xlsx), in order."""
    found = []
    for stem, parser in FILES:
        for name in (stem, stem.replace(" ", "_")):
            candidates = [directory / f"{name}.txt", directory / f"{name}.xlsx"]
            path = next((p for p in candidates if p.is_file()), None)
            if path is not None:
                found.append((path, parser))
                break
    return found
