from typing import Any

from django.core.management.base import BaseCommand

from nomadcloud.taxonomy import services


class Command(BaseCommand):
    help = "Load or update the bilingual skill vocabulary NomadCloud ships (idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        report = services.load_vocabulary()
        keys = ("created", "updated", "unchanged", "aliases_added", "relations_added")
        self.stdout.write(self.style.SUCCESS(", ".join(f"{k} {report[k]}" for k in keys)))
