from typing import Any

from django.core.management.base import BaseCommand

from nomadcloud.matching import services


class Command(BaseCommand):
    help = "Recompute every published demand's candidates and every nomad's recommended work."

    def handle(self, *args: Any, **options: Any) -> None:
        counts = services.rebuild_all()
        self.stdout.write(self.style.SUCCESS(f"Matches rebuilt: {counts}"))
