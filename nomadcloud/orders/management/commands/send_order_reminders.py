from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Notify nomads of milestones due within two days, and both parties of overdue "
        "milestones, once each. Schedule daily with cron or a systemd timer; safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.orders import services, tasks

        if options["enqueue"]:
            tasks.send_order_reminders.enqueue()
            self.stdout.write("enqueued")
            return
        counts = services.send_reminders()
        self.stdout.write(f"due soon: {counts['due_soon']}, overdue: {counts['overdue']}")
