from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nomadcloud.accounts import demo


class Command(BaseCommand):
    help = "Create the Danzhou–Yangpu demo zone (departments, enterprises, merchants, nomads)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--nomads", type=int, default=60)

    def handle(self, *args: Any, **options: Any) -> None:
        if demo.already_seeded():
            self.stdout.write("Demo data is already present; nothing to do.")
            return
        counts = demo.seed(nomads=options["nomads"])
        self.stdout.write(self.style.SUCCESS(f"Demo zone created: {counts}"))
        self.stdout.write(f"Sign in as any persona with the password {demo.DEMO_PASSWORD}:")
        for persona in demo.PERSONAS:
            self.stdout.write(f"  {persona.email:38} {persona.name} — {persona.description}")
