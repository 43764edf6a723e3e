from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "End data pool access negotiations that waited past their deadline, each with the "
        "reason (no answer from the steward or the enterprise). Schedule hourly; safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.datapools import negotiation, tasks

        if options["enqueue"]:
            tasks.expire_negotiations.enqueue()
            self.stdout.write("enqueued")
            return
        self.stdout.write(f"{negotiation.expire_overdue()} negotiations ended (timeout).")
