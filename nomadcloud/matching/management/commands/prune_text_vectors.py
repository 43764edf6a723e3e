from typing import Any

from django.core.management.base import BaseCommand

from nomadcloud.matching import services


class Command(BaseCommand):
    help = (
        "Delete stored sentence vectors that no current profile or demand needs (other "
        "embedding backends', edited or erased texts')."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = services.prune_text_vectors()
        self.stdout.write(self.style.SUCCESS(f"Text vectors deleted: {deleted}"))
