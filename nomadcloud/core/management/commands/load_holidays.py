"""``nomadcloud load_holidays [YEAR …]``: load public holidays and 调休 working days from the
``chinese-calendar`` package (every year it knows when no year is named). Days the zone
operator edited are kept unless ``--replace-edits``."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nomadcloud.core.workdays import CalendarNotLoaded, load_year, package_years


class Command(BaseCommand):
    help = "Load public holidays and 调休 working days from the chinese-calendar package."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("years", nargs="*", type=int)
        parser.add_argument("--replace-edits", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        years = options["years"] or package_years()
        for year in years:
            try:
                written = load_year(year, replace_operator_edits=options["replace_edits"])
            except CalendarNotLoaded as exc:
                raise CommandError(
                    f"chinese-calendar has no data for {year}; upgrade it "
                    f"(pip install -U chinese-calendar) or enter the year on the holidays page."
                ) from exc
            self.stdout.write(f"{year}: {written} days")
