"""``nomadcloud dashboard snapshot [--day YYYY-MM-DD | --year YYYY]``: the daily snapshot of
every platform indicator (run from cron once a day), or a year's backfill;
``nomadcloud dashboard targets``: the six targets of plan 004 (idempotent)."""

from __future__ import annotations

import datetime as dt
import json
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from nomadcloud.dashboard import official, services


class Command(BaseCommand):
    help = "Dashboard: snapshot [--day D | --year Y], targets"

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        snap = sub.add_parser("snapshot")
        snap.add_argument("--day", default="")
        snap.add_argument("--year", type=int, default=0)
        sub.add_parser("targets")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "targets":
            self.stdout.write(json.dumps({"targets_created": official.seed_targets()}))
            return
        started = time.monotonic()
        if options["year"]:
            written = services.snapshot_year(options["year"])
        else:
            try:
                day = dt.date.fromisoformat(options["day"]) if options["day"] else None
            except ValueError as exc:
                raise CommandError("--day: write YYYY-MM-DD") from exc
            written = services.take_snapshots(day)
        seconds = round(time.monotonic() - started, 3)
        self.stdout.write(json.dumps({"snapshots": written, "seconds": seconds}))
