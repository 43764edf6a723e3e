"""Reading the official taxonomies (ESCO CSV, O*NET text or xlsx) from a folder an operator
downloaded: which files each source has, and one file read into rows or refused with the
reason. The import itself (writing and the run record) is ``services.import_taxonomy``.
"""

from __future__ import annotations

import csv
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from nomadcloud.taxonomy import store
from nomadcloud.taxonomy.importers import esco, onet
from nomadcloud.taxonomy.importers.common import HeaderError, Parsed
from nomadcloud.taxonomy.importers.esco import Parser
from nomadcloud.taxonomy.models import Concept

if TYPE_CHECKING:
    pass

SOURCES: dict[str, Callable[[Path], list[tuple[Path, Parser]]]] = {
    Concept.Source.ESCO: esco.files_in,
    Concept.Source.ONET: onet.files_in,
}
COUNTERS = ("rows_read", "created", "updated", "unchanged", "aliases_added", "relations_added",
            "relations_updated", "skipped", "unresolved")  # fmt: skip


def read(path: Path, parser: Parser) -> tuple[store.FileReport, Parsed | None]:
    report = store.FileReport(path.name)
    try:
        return report, parser(path)
    except HeaderError as error:
        report.error = _("The column %(column)s is missing.") % {"column": error.column}
    except (UnicodeDecodeError, csv.Error, zipfile.BadZipFile, OSError, KeyError) as error:
        report.error = _("The file cannot be read: %(error)s") % {"error": error}
    report.status = "refused"
    return report, None
