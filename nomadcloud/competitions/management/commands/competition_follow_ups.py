from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Create the 30-, 90- and 180-day follow-ups of accepted introductions of awarded "
        "competition projects that fell due. Schedule daily with cron or a systemd timer; "
        "safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.competitions import matchmaking, tasks

        if options["enqueue"]:
            tasks.create_follow_ups.enqueue()
            self.stdout.write("enqueued")
            return
        created = matchmaking.create_follow_ups()
        for item in created:
            self.stdout.write(
                f"introduction {item.introduction_id}: follow-up at {item.after_days} days"
            )
        self.stdout.write(f"{len(created)} follow-ups created.")
