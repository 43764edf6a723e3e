from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nomadcloud import demo
from nomadcloud.accounts import demo as accounts_demo


class Command(BaseCommand):
    help = (
        "Create the Danzhou–Yangpu demo zone (departments, enterprises, merchants, nomads, "
        "the skill vocabulary, profiles, certification rules and demands). Idempotent."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nomads", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = demo.seed(nomads=options["nomads"])
        self.stdout.write(self.style.SUCCESS(f"Demo zone ready: {counts}"))
        self.stdout.write(
            f"Sign in as any persona with the password {accounts_demo.DEMO_PASSWORD}:"
        )
        for persona in accounts_demo.PERSONAS:
            self.stdout.write(f"  {persona.email:38} {persona.name} — {persona.description}")
