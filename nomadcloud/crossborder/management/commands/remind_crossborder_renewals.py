from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Remind exporters of cross-border whitelist entries ending within 60 working days "
        "(once per entry) and mark ended entries expired. Schedule daily; safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.crossborder import services, tasks

        if options["enqueue"]:
            tasks.remind_renewals.enqueue()
            self.stdout.write("enqueued")
            return
        self.stdout.write(f"{services.remind_renewals()} whitelist entries reminded.")
