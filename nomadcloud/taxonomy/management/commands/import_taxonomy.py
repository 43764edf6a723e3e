from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nomadcloud.core.errors import DomainError
from nomadcloud.taxonomy import importing, services


class Command(BaseCommand):
    help = (
        "Import an official taxonomy from the files in a folder: ESCO v1.x CSV (language en) "
        "or the O*NET database (text or xlsx). Safe to run again: nothing is duplicated."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=sorted(importing.SOURCES))
        parser.add_argument("directory", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            run = services.import_taxonomy(source=options["source"], directory=options["directory"])
        except DomainError as error:
            raise CommandError(error.message) from error
        for file in run.report["files"]:
            if file["status"] == "refused":
                self.stderr.write(f"{file['file']}: refused — {file['error']}")
                continue
            counts = ", ".join(f"{k} {file[k]}" for k in importing.COUNTERS)
            self.stdout.write(f"{file['file']}: {counts}")
        totals = ", ".join(f"{k} {v}" for k, v in run.report["totals"].items())
        self.stdout.write(self.style.SUCCESS(f"Import run {run.pk}: {totals}"))
