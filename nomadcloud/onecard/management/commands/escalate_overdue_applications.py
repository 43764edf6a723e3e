from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Escalate applications past their promised time limit to their departments' "
        "supervisors (one escalation per due date). Schedule daily with cron or a systemd "
        "timer; safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.onecard import tasks
        from nomadcloud.onecard.services import escalation

        if options["enqueue"]:
            tasks.escalate_overdue.enqueue()
            self.stdout.write("enqueued")
            return
        made = escalation.escalate_overdue()
        for row in made:
            self.stdout.write(f"application {row.application.reference}: escalated")
        self.stdout.write(f"{len(made)} applications escalated.")
