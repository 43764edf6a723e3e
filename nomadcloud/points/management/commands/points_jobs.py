from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "The scheduled points jobs: time out holds whose time limit passed, release locked "
        "points whose lock period ended (into spendable lots), expire lots past their expiry. "
        "Schedule every few minutes with cron or a systemd timer; safe to repeat and to run "
        "on several hosts."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.points import tasks
        from nomadcloud.points.wallet import services as exchange

        if options["enqueue"]:
            tasks.run_points_jobs.enqueue()
            self.stdout.write("enqueued")
            return
        counts = exchange.run_jobs()
        self.stdout.write(
            f"holds timed out: {counts['holds_timed_out']}, "
            f"exchanges released: {counts['exchanges_released']}, "
            f"lots expired: {counts['lots_expired']}"
        )
