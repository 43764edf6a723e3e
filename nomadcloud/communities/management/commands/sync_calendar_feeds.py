from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Import the external channels' (OTAs') iCalendar feeds of every community as holds; "
        "a feed that fails keeps its error for the operator. Schedule daily (or hourly) with "
        "cron or a systemd timer; safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.communities import ota, tasks

        if options["enqueue"]:
            tasks.sync_calendar_feeds.enqueue()
            self.stdout.write("enqueued")
            return
        result = ota.sync_all()
        self.stdout.write(f"{result['synced']} feeds synced, {result['failed']} failed.")
