"""Import the official taxonomies (ESCO CSV, O*NET text or xlsx) from a folder an operator
downloaded, and keep a record of each run.

A file whose header is wrong, or that cannot be read, is refused whole and the run report says
why; rows that are malformed are skipped and listed; the rest is written in one transaction,
relations after all concepts so that they may name a concept from a later file. Running an
import again changes nothing (the report counts everything as ``unchanged``).
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core import audit
from nomadcloud.core.errors import invalid_field
from nomadcloud.taxonomy import store
from nomadcloud.taxonomy.importers import esco, onet
from nomadcloud.taxonomy.importers.common import HeaderError, Parsed
from nomadcloud.taxonomy.importers.esco import Parser
from nomadcloud.taxonomy.models import Concept, ImportRun

if TYPE_CHECKING:
    from nomadcloud.accounts.models import User

SOURCES: dict[str, Callable[[Path], list[tuple[Path, Parser]]]] = {
    Concept.Source.ESCO: esco.files_in,
    Concept.Source.ONET: onet.files_in,
}
COUNTERS = ("rows_read", "created", "updated", "unchanged", "aliases_added", "relations_added",
            "relations_updated", "skipped", "unresolved")  # fmt: skip


def run_import(source: str, directory: Path, *, actor: User | None = None) -> ImportRun:
    """Import every file of ``source`` found in ``directory``; returns the finished run."""
    if source not in SOURCES:
        raise invalid_field("source", _("Unknown taxonomy source %(source)s.") % {"source": source})
    if not directory.is_dir():
        raise invalid_field(
            "directory", _("%(directory)s is not a folder.") % {"directory": directory}
        )
    found = SOURCES[source](directory)
    if not found:
        raise invalid_field(
            "directory",
            _("No %(source)s files were found in %(directory)s.")
            % {"source": Concept.Source(source).label, "directory": directory},
        )
    run = ImportRun.objects.create(source=source, actor=actor)
    reports, readable = [], []
    for path, parser in found:
        report, parsed = _read(path, parser)
        reports.append(report)
        if parsed is not None:
            readable.append((parsed, report))
    store.write_all(readable)
    totals = {name: sum(getattr(r, name) for r in reports) for name in COUNTERS}
    run.report = {
        "source": source,
        "directory": str(directory),
        "files": [r.as_dict() for r in reports],
        "totals": totals,
    }
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "finished_at"])
    audit.record(actor=actor, action="taxonomy.imported", obj=run, after=totals)
    return run


def _read(path: Path, parser: Parser) -> tuple[store.FileReport, Parsed | None]:
    report = store.FileReport(path.name)
    try:
        return report, parser(path)
    except HeaderError as error:
        report.error = _("The column %(column)s is missing.") % {"column": error.column}
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, OSError, KeyError) as error:
        report.error = _("The file cannot be read: %(error)s") % {"error": error}
    report.status = "refused"
    return report, None
