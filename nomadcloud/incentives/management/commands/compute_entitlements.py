"""``nomadcloud compute_entitlements [--year Y] [--quiet]``: the nightly job (政策找企业).
Computes every organisation's entitlements for the year (default: last year, whose claims
are open) and notifies the organisations whose amount is new or changed."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from nomadcloud.incentives import services


class Command(BaseCommand):
    help = "Compute every organisation's incentive entitlements for a year and notify them."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, default=None)
        parser.add_argument(
            "--no-notify", action="store_true", help="compute and store, tell nobody"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        year = options["year"] or timezone.localdate().year - 1
        stored = services.compute_entitlements(year, notify_organisations=not options["no_notify"])
        self.stdout.write(f"{stored} entitlements computed for {year}.")
