from typing import Any

from django.core.management.base import BaseCommand

from nomadcloud.core.idempotency import prune_expired


class Command(BaseCommand):
    help = "Delete stored Idempotency-Key responses older than their 24-hour lifetime."

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"Deleted {prune_expired()} expired idempotency records.")
