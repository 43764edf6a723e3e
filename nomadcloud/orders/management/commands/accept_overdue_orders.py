from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Accept delivered orders whose review window (ORDER_REVIEW_WINDOW_DAYS, default 7) "
        "has passed. Schedule hourly or daily with cron or a systemd timer; safe to repeat."
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
            tasks.accept_overdue_orders.enqueue()
            self.stdout.write("enqueued")
            return
        accepted = services.auto_accept_due()
        for order in accepted:
            self.stdout.write(f"order {order.public_id}: accepted automatically")
        self.stdout.write(f"{len(accepted)} orders accepted.")
