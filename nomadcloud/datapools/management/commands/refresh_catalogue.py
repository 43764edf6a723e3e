from typing import Any

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = (
        "Rewrite every data pool's catalogue record (what the CKAN search sorts and filters "
        "on, and its stored packages; decision 0050). The use cases keep them current; run "
        "after a bulk load or an upgrade. Safe to repeat."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        from django.db import transaction

        from nomadcloud.datapools import records

        with transaction.atomic():
            count = records.refresh_all()
        self.stdout.write(f"{count} catalogue records written.")
