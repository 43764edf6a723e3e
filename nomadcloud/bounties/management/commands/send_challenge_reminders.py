from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "揭榜挂帅 daily job: escalate milestone reports whose review window passed, and remind "
        "the team of due milestones, the reviewer of waiting reports and the department of an "
        "ending public notice, once each. Schedule daily; safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.bounties import tasks
        from nomadcloud.bounties.services import reminders

        if options["enqueue"]:
            tasks.send_challenge_reminders.enqueue()
            self.stdout.write("enqueued")
            return
        counts = reminders.send_reminders()
        self.stdout.write(", ".join(f"{k}: {v}" for k, v in counts.items()))
