from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Expire issued data innovation vouchers whose validity has ended and release their "
        "budget. Schedule daily with cron or a systemd timer; safe to repeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand the work to the job workers instead of doing it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.vouchers import services, tasks

        if options["enqueue"]:
            tasks.expire_vouchers.enqueue()
            self.stdout.write("enqueued")
            return
        expired = services.expire_vouchers()
        for voucher in expired:
            self.stdout.write(f"voucher {voucher.code}: expired")
        self.stdout.write(f"{len(expired)} vouchers expired.")
