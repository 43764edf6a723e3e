from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Daily settlement of merchants' points: a statement per merchant, asset and zone day "
        "(TIME_ZONE) with activity, and one ledger transfer of the settled points each. "
        "Without --date: every ended day that still has unsettled activity (normally "
        "yesterday). Idempotent per merchant and day. Also marks timed-out holds and deletes "
        "payment codes older than a day. Schedule daily after midnight (cron or a systemd "
        "timer)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--date",
            type=date.fromisoformat,
            default=None,
            help="Settle only this zone day (YYYY-MM-DD; it must have ended).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.core.errors import DomainError
        from nomadcloud.points.merchants.services import settlement

        try:
            run = settlement.settle(options["date"])
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        for s in run.statements:
            self.stdout.write(
                f"{s.day} {s.asset_id} {s.merchant.organisation.public_id}: "
                f"accepted {s.accepted}, refunded {s.refunded}, net {s.net}, "
                f"payable CNY {s.payable_cny}, moved {s.settled_points}"
            )
        for asset, day in run.missing_rates:
            self.stdout.write(f"{day} {asset}: no settlement rate in force; not settled")
        expired = settlement.expire_payments()
        pruned = settlement.prune()
        self.stdout.write(
            f"{run.created} statements made, {len(run.statements) - run.created} already made; "
            f"{expired} holds marked timed out; {pruned} old codes deleted."
        )
