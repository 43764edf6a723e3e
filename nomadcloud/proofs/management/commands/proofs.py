"""``nomadcloud proofs verify CREDENTIAL [--checkpoint FILE]``: verify a downloaded credential
(or bundle) offline, with no network and no database; ``checkpoint`` publishes a signed
checkpoint; ``rotate-key`` starts a new issuer key (the old ones keep verifying)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _


class Command(BaseCommand):
    help = "Proofs of work: verify a credential offline, publish a checkpoint, rotate the key."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify a credential file offline")
        verify.add_argument("credential", help="credential or bundle JSON file")
        verify.add_argument("--checkpoint", help="a signed checkpoint note file")
        verify.add_argument("--json", action="store_true", help="print the result as JSON")
        sub.add_parser("checkpoint", help="publish a signed checkpoint now")
        sub.add_parser("rotate-key", help="create a new issuer key")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify(options)
            return
        from nomadcloud.proofs import services

        if action == "checkpoint":
            cp = services.publish_checkpoint()
            self.stdout.write(cp.note)
        else:
            key = services.rotate_key()
            self.stdout.write(key.key_id)

    def _verify(self, options: dict[str, Any]) -> None:
        from nomadcloud.proofs.services import check_names, parse, verify_offline

        try:
            raw = Path(options["credential"]).read_bytes()
            checkpoint = (
                Path(options["checkpoint"]).read_text(encoding="utf-8")
                if options.get("checkpoint")
                else None
            )
        except OSError as exc:
            raise CommandError(_("Cannot read the file: %(error)s") % {"error": exc}) from exc
        result = verify_offline(parse(raw), checkpoint)
        if options.get("json"):
            self.stdout.write(
                json.dumps({"valid": result.valid, "checks": [c.__dict__ for c in result.checks]})
            )
        else:
            names = check_names()
            for c in result.checks:
                mark = "ok" if c.ok else "FAIL"
                self.stdout.write(f"{mark:4} {names[c.name]}: {c.message} [{c.code}]")
            self.stdout.write(_("valid") if result.valid else _("NOT valid"))
        if not result.valid:
            raise SystemExit(1)
