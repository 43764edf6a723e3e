"""The ESCO and O*NET importers on the real public files in ../shared/data/matching/, whose
README gives the counts asserted here, and on small broken files for the error paths."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db.models import Count
from django.utils import translation

from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.models import AuditEvent
from nomadcloud.taxonomy import services, vocabulary
from nomadcloud.taxonomy.importers import onet
from nomadcloud.taxonomy.models import Alias, Concept, ImportRun, OccupationSkill
from tests.conftest import database_fingerprint
from tests.helpers import SHARED_DATA, needs_shared_data

DATA = SHARED_DATA / "matching"
needs_data = needs_shared_data("matching")
PYTHON_URI = "http://data.europa.eu/esco/skill/ccd0a1d9-afda-43d9-b901-96344886e14d"


def files(run: ImportRun) -> dict[str, dict[str, object]]:
    return {f["file"]: f for f in run.report["files"]}


def read_tsv(name: str) -> list[dict[str, str]]:
    with (DATA / "onet" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))


@needs_data
def test_esco_loads_the_real_files_with_the_readme_counts_and_again_changes_nothing(
    db: None,
) -> None:
    run = services.import_taxonomy(source="esco", directory=DATA / "esco")
    report = files(run)
    rows = {name: f["rows_read"] for name, f in report.items()}
    assert rows == {
        "skillGroups_en.csv": 640,
        "skillsHierarchy_en.csv": 640,
        "digCompSkillsCollection_en.csv": 25,
        "digitalSkillsCollection_en.csv": 1284,
        "greenSkillsCollection_en.csv": 591,
        "languageSkillsCollection_en.csv": 359,
        "researchSkillsCollection_en.csv": 40,
        "transversalSkillsCollection_en.csv": 95,
        "occupations_en.csv": 3039,
        "esco_occupation_profiles.csv": 3039,
    }
    assert all(f["status"] == "ok" and f["skipped"] == 0 for f in report.values())
    esco = Concept.objects.filter(source="esco")
    assert esco.filter(kind="occupation").count() == 3039
    assert esco.filter(esco_uri__contains="/isco/").count() == 0  # ISCO groups not imported

    digital = list(
        csv.DictReader((DATA / "esco" / "digitalSkillsCollection_en.csv").open(encoding="utf-8"))
    )
    kinds = dict(
        Concept.objects.filter(esco_uri__in=[r["conceptUri"] for r in digital])
        .values_list("kind")
        .annotate(n=Count("id"))
    )
    assert kinds == {"skill": 745, "knowledge": 539}  # README: skill/competence and knowledge

    engineer = Concept.objects.get(label_en="artificial intelligence engineer")  # stripped
    assert engineer.kind == "occupation"
    assert engineer.skill_links.filter(relation="essential").exists()
    # Hierarchy: "languages" (level 1) is narrower than "language skills and knowledge".
    languages = Concept.objects.get(code="esco.43f425aa-f45d-4bb4-a200-6f82fa211b66")
    assert languages.label_en == "languages"
    assert Concept.objects.get(code="esco.isced-f.023").kind == "skill"
    assert languages.broader.filter(label_en="language skills and knowledge").exists()
    # Alternative labels, one per line in occupations_en.csv, become English aliases.
    assert Alias.objects.filter(concept__kind="occupation", language="en").count() > 20_000

    before = database_fingerprint()
    links = OccupationSkill.objects.count()
    again = services.import_taxonomy(source="esco", directory=DATA / "esco")
    totals = again.report["totals"]
    assert totals["created"] == totals["updated"] == totals["aliases_added"] == 0
    assert totals["relations_added"] == totals["relations_updated"] == 0
    assert totals["unchanged"] == totals["rows_read"]
    assert OccupationSkill.objects.count() == links
    after = database_fingerprint()
    changed = {t for t in after if after[t] != before[t]}
    assert changed == {"taxonomy.ImportRun", "core.AuditEvent"}


@needs_data
def test_onet_loads_the_real_files_with_the_readme_counts_and_merges_with_the_vocabulary(
    db: None,
) -> None:
    services.load_vocabulary()
    python = Concept.objects.get(code="nc.python")
    assert not python.hot_technology

    run = services.import_taxonomy(source="onet", directory=DATA / "onet")
    report = files(run)
    assert {name: f["rows_read"] for name, f in report.items()} == {
        "Occupation_Data.txt": 1016,
        "Technology_Skills.txt": 32627,
        "Tools_Used.txt": 41662,
    }
    assert Concept.objects.filter(source="onet", kind="occupation").count() == 1016
    technology = read_tsv("Technology_Skills.txt")
    tools = read_tsv("Tools_Used.txt")
    examples = {r["Example"] for r in technology} | {r["Example"] for r in tools}
    assert len({r["Example"] for r in technology}) == 8768  # README
    assert len({r["Example"] for r in tools}) == 18105  # README
    # Each example is one concept, whether O*NET's or the vocabulary's (never both).
    codes = {onet.example_code(e) for e in examples}
    imported = Concept.objects.filter(code__in=codes).count()
    merged = len(codes) - imported
    assert merged > 0
    assert Concept.objects.filter(source="nomadcloud").count() == 831 + 0  # none added
    assert Concept.objects.filter(kind="tool", label_en__iexact="Python").count() == 1

    python.refresh_from_db()
    assert python.hot_technology and python.in_demand
    assert python.occupation_links.filter(occupation__source="onet").exists()
    hot = {r["Example"].casefold() for r in technology if r["Hot Technology"] == "Y"}
    flagged = Concept.objects.filter(hot_technology=True).exclude(kind="occupation")
    assert flagged.count() == len(hot)

    relations = sum(f["relations_added"] for f in report.values())
    # One link per (occupation, example) row and one broader link per example.
    assert relations == len(technology) + len(tools) + len(examples)
    again = services.import_taxonomy(source="onet", directory=DATA / "onet")
    assert again.report["totals"]["created"] == again.report["totals"]["updated"] == 0
    assert again.report["totals"]["relations_added"] == 0


@needs_data
def test_the_xlsx_release_reads_the_same_as_the_text_release() -> None:
    for name, parser in (
        ("Occupation_Data", onet.parse_occupations),
        ("Technology_Skills", onet.parse_technology_skills),
    ):
        from_xlsx = parser(DATA / "onet" / f"{name}.xlsx")
        from_text = parser(DATA / "onet" / f"{name}.txt")
        assert from_xlsx.rows_read == from_text.rows_read > 1000
        assert from_xlsx.concepts == from_text.concepts
        assert from_xlsx.links == from_text.links


@needs_data
def test_the_vocabulary_after_an_esco_import_takes_over_the_same_concept(db: None) -> None:
    services.import_taxonomy(source="esco", directory=DATA / "esco")
    imported = Concept.objects.get(esco_uri=PYTHON_URI)
    assert imported.source == "esco"
    services.load_vocabulary()
    python = Concept.objects.get(esco_uri=PYTHON_URI)
    assert python.pk == imported.pk
    assert (python.code, python.source, python.label_zh) == ("nc.python", "nomadcloud", "Python")
    assert not Concept.objects.filter(code=imported.code).exists()


def test_vocabulary_covers_every_category_with_both_labels_and_loads_idempotently(
    db: None,
) -> None:
    parsed, problems = vocabulary.read()
    assert problems == []
    by_category: dict[str, int] = {}
    for concept in parsed.concepts:
        by_category[concept.category] = by_category.get(concept.category, 0) + 1
        assert concept.label_zh and concept.label_en
    assert sum(by_category.values()) >= 800
    wanted = {"software", "data", "design", "content", "ecommerce", "games", "ai"}
    wanted |= {"languages", "finance"}
    assert wanted <= set(by_category)
    assert all(n >= 40 for n in by_category.values())

    first = services.load_vocabulary()
    assert first["created"] == len(parsed.concepts)
    assert Concept.objects.get(code="nc.cpp").broader.exists()
    assert Alias.objects.filter(concept__code="nc.python", language="zh-hans").exists()
    before = database_fingerprint()
    second = services.load_vocabulary()
    assert second["created"] == second["updated"] == second["aliases_added"] == 0
    assert second["unchanged"] == len(parsed.concepts)
    assert database_fingerprint() == before


def test_the_load_vocabulary_command_reports_what_changed(
    db: None, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("load_vocabulary")
    assert "created 8" in capsys.readouterr().out
    call_command("load_vocabulary")
    assert "created 0, updated 0" in capsys.readouterr().out


# --- bad input --------------------------------------------------------------------------------


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_without_a_needed_column_is_refused_whole_and_the_others_are_applied(
    db: None, tmp_path: Path
) -> None:
    uri = "http://data.europa.eu/esco/occupation/00000000-0000-0000-0000-000000000001"
    write(
        tmp_path / "occupations_en.csv",
        f'conceptType,conceptUri,preferredLabel,altLabels\nOccupation,{uri},nomad,"a\nb"\n',
    )
    write(
        tmp_path / "digitalSkillsCollection_en.csv",
        "conceptType,conceptUri,preferredLabel\nKnowledgeSkillCompetence,http://x,y\n",
    )
    run = services.import_taxonomy(source="esco", directory=tmp_path)
    report = files(run)
    refused = report["digitalSkillsCollection_en.csv"]
    assert refused["status"] == "refused"
    assert "skillType" in str(refused["error"])
    assert report["occupations_en.csv"]["created"] == 1
    assert Concept.objects.count() == 1
    assert set(Alias.objects.values_list("label", flat=True)) == {"a", "b"}
    assert AuditEvent.objects.filter(action="taxonomy.imported").count() == 1


def test_malformed_rows_are_skipped_with_their_row_numbers(db: None, tmp_path: Path) -> None:
    write(
        tmp_path / "Occupation_Data.txt",
        "O*NET-SOC Code\tTitle\tDescription\n"
        "15-1252.00\tSoftware Developers\tWrite software.\n"
        "15-1252\tBroken\tBad code\n"
        "15-1253.00\t\tNo title\n",
    )
    write(
        tmp_path / "Technology_Skills.txt",
        "O*NET-SOC Code\tTitle\tExample\tCommodity Code\tCommodity Title\tHot Technology\t"
        "In Demand\n"
        "15-1252.00\tSoftware Developers\tGit\t43232402\tDevelopment software\tY\tY\n"
        "15-1252.00\tSoftware Developers\tSVN\t4323\tDevelopment software\tN\tN\n"
        "15-1252.00\tSoftware Developers\tHg\t43232402\tDevelopment software\tmaybe\tN\n",
    )
    run = services.import_taxonomy(source="onet", directory=tmp_path)
    report = files(run)
    assert report["Occupation_Data.txt"]["skipped_rows"] == [
        {"row": 3, "reason": "malformed O*NET-SOC code"},
        {"row": 4, "reason": "missing title"},
    ]
    assert [r["row"] for r in report["Technology_Skills.txt"]["skipped_rows"]] == [3, 4]
    git = Concept.objects.get(label_en="Git")
    assert git.hot_technology and git.in_demand
    assert git.occupation_links.get().occupation.label_en == "Software Developers"
    assert not Concept.objects.filter(label_en__in=["SVN", "Hg", "Broken"]).exists()


@translation.override("en")
def test_an_unknown_source_or_an_empty_folder_is_refused_and_writes_nothing(
    db: None, tmp_path: Path
) -> None:
    before = database_fingerprint()
    with pytest.raises(InvalidInput) as unknown:
        services.import_taxonomy(source="wikidata", directory=tmp_path)
    assert unknown.value.fields == {"source": ["Unknown taxonomy source wikidata."]}
    with pytest.raises(InvalidInput) as empty:
        services.import_taxonomy(source="onet", directory=tmp_path)
    assert "directory" in empty.value.fields
    with pytest.raises(InvalidInput):
        services.import_taxonomy(source="esco", directory=tmp_path / "missing")
    assert database_fingerprint() == before


@translation.override("en")
def test_the_import_command_prints_each_file_and_fails_clearly(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from django.core.management.base import CommandError

    write(tmp_path / "Occupation_Data.txt", "O*NET-SOC Code\tTitle\n11-1011.00\tChief Executives\n")
    call_command("import_taxonomy", "onet", str(tmp_path))
    out = capsys.readouterr().out
    assert "Occupation_Data.txt: rows_read 1, created 1" in out
    (tmp_path / "empty").mkdir()
    with pytest.raises(CommandError, match="No O\\*NET files"):
        call_command("import_taxonomy", "onet", str(tmp_path / "empty"))
