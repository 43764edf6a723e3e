"""The taxonomy's writing use cases: importing an official taxonomy and loading the shipped
vocabulary. Reads are in queries.py; parsing is in importing.py, importers/ and vocabulary/."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core import audit
from nomadcloud.core.errors import invalid_field
from nomadcloud.taxonomy import importing, semantic, store, vocabulary
from nomadcloud.taxonomy.models import Concept, ImportRun

if TYPE_CHECKING:
    from nomadcloud.accounts.models import User


def import_taxonomy(*, source: str, directory: Path, actor: User | None = None) -> ImportRun:
    """Import every file of ``source`` found in ``directory``; returns the finished run.

    A file whose header is wrong, or that cannot be read, is refused whole and the run report
    says why; rows that are malformed are skipped and listed; the rest is written in one
    transaction, relations after all concepts so that they may name a concept from a later
    file. Running an import again changes nothing (the report counts everything as
    ``unchanged``)."""
    if source not in importing.SOURCES:
        raise invalid_field("source", _("Unknown taxonomy source %(source)s.") % {"source": source})
    if not directory.is_dir():
        raise invalid_field(
            "directory", _("%(directory)s is not a folder.") % {"directory": directory}
        )
    found = importing.SOURCES[source](directory)
    if not found:
        raise invalid_field(
            "directory",
            _("No %(source)s files were found in %(directory)s.")
            % {"source": Concept.Source(source).label, "directory": directory},
        )
    run = ImportRun.objects.create(source=source, actor=actor)
    reports, readable = [], []
    for path, parser in found:
        report, parsed = importing.read(path, parser)
        reports.append(report)
        if parsed is not None:
            readable.append((parsed, report))
    store.write_all(readable)
    totals = {name: sum(getattr(r, name) for r in reports) for name in importing.COUNTERS}
    run.report = {
        "source": source,
        "directory": str(directory),
        "files": [r.as_dict() for r in reports],
        "totals": totals,
    }
    run.finished_at = timezone.now()
    run.save(update_fields=["report", "finished_at"])
    audit.record(actor=actor, action="taxonomy.imported", obj=run, after=totals)
    # The new names' sentence vectors are computed now, once, not by the first search
    # (taxonomy/semantic.py; with no embedding model this does nothing).
    transaction.on_commit(semantic.refresh)
    return run


def load_vocabulary() -> dict[str, Any]:
    """Write the vocabulary NomadCloud ships to the database (idempotent) and return what
    changed."""
    parsed, problems = vocabulary.read()
    if problems:
        raise vocabulary.VocabularyError("\n".join(str(p) for p in problems[:20]))
    report = store.FileReport("vocabulary")
    store.write(parsed, report)
    return report.as_dict()
