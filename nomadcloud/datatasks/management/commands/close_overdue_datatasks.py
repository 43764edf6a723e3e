from typing import Any

from django.core.management.base import BaseCommand

from nomadcloud.datatasks.services import close_overdue_batches


class Command(BaseCommand):
    help = (
        "Close the open data batches whose deadline has passed (their results are aggregated). "
        "Run it daily, e.g. from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        closed = close_overdue_batches()
        self.stdout.write(f"Closed {closed} data batches past their deadline.")
