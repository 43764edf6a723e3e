"""``nomadcloud proofs …``:

- ``verify CREDENTIAL [--checkpoint FILE] [--status-list FILE] [--source FILE] [--did FILE]
  [--key FILE …]`` verifies a downloaded credential (or bundle, or Open Badges credential)
  offline, with no network and no database. The issuer's key must come from a trusted source:
  ``--did`` (the issuer's saved DID document), ``--key`` (a pinned key file) or the trust
  store shipped with the deployment (setting ``PROOFS_TRUST_STORE``); without one the key is
  reported unverified. Each check is printed with whether it was performed; exit status 1
  when the credential is not valid.
- ``checkpoint`` publishes a signed checkpoint when the log has grown (for cron, every few
  minutes); ``--quiet`` prints nothing.
- ``rotate-key`` starts a new issuer key (the old ones keep verifying).
- ``register-key NAME KEY [--purpose …]`` registers a screened external public key.
- ``backfill`` issues credentials for verified work that has none yet.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

PURPOSES = ["witness", "cosigner", "issuer", "verifier"]


class Command(BaseCommand):
    help = "Proofs of work: verify offline, publish a checkpoint, rotate the key, register keys."
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        verify = sub.add_parser("verify", help="verify a credential file offline")
        verify.add_argument("credential", help="credential, bundle or Open Badges JSON file")
        verify.add_argument("--checkpoint", help="a signed checkpoint note file")
        verify.add_argument(
            "--status-list", help="a status list credential file (/proofs/status/N)"
        )
        verify.add_argument(
            "--source", help="for an Open Badges credential: the bundle of the credential"
        )
        verify.add_argument("--did", help="a saved DID document (/.well-known/did.json)")
        verify.add_argument(
            "--key",
            action="append",
            default=[],
            help="a pinned key file: Multikey (z6Mk…) or 64 hex digits, one per line (repeatable)",
        )
        verify.add_argument("--json", action="store_true", help="print the result as JSON")
        checkpoint = sub.add_parser("checkpoint", help="publish a signed checkpoint if grown")
        checkpoint.add_argument("--quiet", action="store_true", help="print nothing")
        sub.add_parser("rotate-key", help="create a new issuer key")
        register = sub.add_parser("register-key", help="register an external public key")
        register.add_argument("name", help="the key's name (its signed-note name)")
        register.add_argument("key", help="Multikey, signed-note verifier key or 64 hex digits")
        register.add_argument("--purpose", choices=PURPOSES, default="witness")
        sub.add_parser("backfill", help="issue credentials for verified work that has none")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "verify":
            self._verify(options)
            return
        from nomadcloud.core.errors import DomainError
        from nomadcloud.proofs import services

        if action == "checkpoint":
            before = services.latest_checkpoint()
            cp = services.publish_checkpoint()
            if not options.get("quiet"):
                self.stdout.write(cp.note, ending="")
                if before is not None and before.pk == cp.pk:
                    self.stderr.write(_("The log has not grown since the last checkpoint."))
        elif action == "rotate-key":
            self.stdout.write(services.rotate_key().key_id)
        elif action == "register-key":
            try:
                registered = services.register_external_key(
                    principal=None,
                    name=options["name"],
                    purpose=options["purpose"],
                    public_key=options["key"],
                )
            except DomainError as exc:
                raise CommandError(exc.message) from exc
            self.stdout.write(registered.note_verifier)
        else:
            count = services.backfill()
            self.stdout.write(
                ngettext("%(n)d credential issued.", "%(n)d credentials issued.", count)
                % {"n": count}
            )

    def _read(self, path: str | None, *, text: bool = False) -> Any:
        if not path:
            return None
        from nomadcloud.proofs.services import parse

        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise CommandError(_("Cannot read the file: %(error)s") % {"error": exc}) from exc
        return raw.decode("utf-8", errors="replace") if text else parse(raw)

    def _trust(self, options: dict[str, Any]) -> Any:
        """Pinned key files from the command line and the deployment's trust store."""
        from django.conf import settings

        from nomadcloud.proofs.services.offline import (
            TrustSources,
            load_trust_store,
            parse_pinned_keys,
        )

        store = getattr(settings, "PROOFS_TRUST_STORE", "")
        trust = load_trust_store(store) if store else TrustSources()
        for path in options.get("key") or []:
            trust.pinned_keys |= parse_pinned_keys(self._read(path, text=True))
        if options.get("key") and not trust.pinned_keys:
            raise CommandError(_("The key file holds no readable key."))
        return trust if trust.given() else None

    def _verify(self, options: dict[str, Any]) -> None:
        from nomadcloud.proofs.services import check_names, verify_offline

        document = self._read(options["credential"])
        checkpoint = self._read(options.get("checkpoint"), text=True)
        status_list = self._read(options.get("status_list"))
        source = self._read(options.get("source"))
        did = self._read(options.get("did"))
        if options.get("status_list") and status_list is None:
            status_list = {}  # unreadable JSON: reported as a malformed status list
        if options.get("did") and did is None:
            did = {}
        trust = self._trust(options)
        result = verify_offline(
            document, checkpoint, status_list=status_list, source=source, did=did, trust=trust
        )
        if options.get("json"):
            self.stdout.write(
                json.dumps(
                    {
                        "valid": result.valid,
                        "shape": result.shape,
                        "revoked_reason": result.revoked_reason,
                        "checks": [{**c.__dict__, "performed": c.performed} for c in result.checks],
                    },
                    ensure_ascii=False,
                )
            )
        else:
            names = check_names()
            for c in result.checks:
                mark = "--" if not c.performed else "ok" if c.ok else "FAIL"
                done = _("performed") if c.performed else _("not performed")
                self.stdout.write(f"{mark:4} {names[c.name]} ({done}): {c.message} [{c.code}]")
            self.stdout.write(_("valid") if result.valid else _("NOT valid"))
        if not result.valid:
            raise SystemExit(1)
