from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from nomadcloud.demands import services


class Command(BaseCommand):
    help = (
        "Pull the enterprise demand feeds that are due (schedule every few minutes with cron "
        "or a systemd timer; feeds that fail back off exponentially)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--enqueue",
            action="store_true",
            help="Hand each due feed to the job workers instead of pulling it here.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from nomadcloud.demands import tasks

        pulled = 0
        for feed_id in services.due_feeds():
            if not services.claim_feed(feed_id):
                continue  # another scheduler took it
            if options["enqueue"]:
                tasks.sync_feed.enqueue(feed_id)
                self.stdout.write(f"feed {feed_id}: enqueued")
            else:
                sync = services.sync_feed(feed_id)
                self.stdout.write(
                    f"feed {feed_id}: {sync.status} created={sync.created} "
                    f"updated={sync.updated} unchanged={sync.unchanged} closed={sync.closed} "
                    f"skipped={sync.skipped}{' ' + sync.error if sync.error else ''}"
                )
            pulled += 1
        self.stdout.write(f"{pulled} feeds handled.")
