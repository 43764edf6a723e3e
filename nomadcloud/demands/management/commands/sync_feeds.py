from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nomadcloud.demands import services


class Command(BaseCommand):
    help = (
        "Hand each due enterprise demand feed to the job workers, one job per feed, so that a "
        "slow or broken feed cannot delay the others (schedule every few minutes with cron or "
        "a systemd timer; feeds that fail back off exponentially)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--inline",
            action="store_true",
            help="Pull the due feeds here, one after another, instead of enqueuing a job per "
            "feed (for debugging: one slow feed then delays the next).",
        )
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Kept for old schedules: enqueuing one job per feed is now the default.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.demands import tasks

        handled = 0
        for feed_id in services.due_feeds():
            if not services.claim_feed(feed_id):
                continue  # another scheduler took it
            if options["inline"]:
                sync = services.sync_feed(feed_id)
                self.stdout.write(
                    f"feed {feed_id}: {sync.status} created={sync.created} "
                    f"updated={sync.updated} unchanged={sync.unchanged} closed={sync.closed} "
                    f"skipped={sync.skipped}{' ' + sync.error if sync.error else ''}"
                )
            else:
                tasks.sync_feed.enqueue(feed_id)
                self.stdout.write(f"feed {feed_id}: enqueued")
            handled += 1
        self.stdout.write(f"{handled} feeds handled.")
