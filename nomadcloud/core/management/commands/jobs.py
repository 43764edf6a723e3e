"""``nomadcloud jobs worker|reap|schedule``: background workers with heartbeats, the reaper
of jobs whose worker died, and the scheduler of periodic jobs (docs/operations.md)."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from nomadcloud.core import jobs, schedule


class Command(BaseCommand):
    help = "Run a job worker with a heartbeat, reap jobs of dead workers, or run due periodic jobs."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        worker = sub.add_parser("worker", help="run jobs of the named queues")
        worker.add_argument("--queue-name", default="*", help="comma-separated, or * for all")
        worker.add_argument("--interval", type=float, default=1.0)
        worker.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        worker.add_argument("--max-tasks", type=int, default=None)
        worker.add_argument("--worker-id", default="")
        sub.add_parser("reap", help="requeue RUNNING jobs whose worker stopped answering")
        sub.add_parser("schedule", help="start the periodic jobs that are due (cron: every minute)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "worker":
            self._worker(options)
        elif action == "reap":
            reaped = jobs.reap()
            self.stdout.write(f"requeued {len(reaped.requeued)}, failed {len(reaped.failed)}")
        else:
            for name in schedule.run_due():
                self.stdout.write(f"started {name}")

    def _worker(self, options: dict[str, Any]) -> None:
        from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, task_backends
        from django_tasks_db.backend import DatabaseBackend
        from django_tasks_db.management.commands.db_worker import Worker

        if not isinstance(task_backends[DEFAULT_TASK_BACKEND_ALIAS], DatabaseBackend):
            raise CommandError("jobs worker runs the database backend's jobs (TASK_BACKEND)")
        queues = [q for q in options["queue_name"].split(",") if q]
        worker_id = options["worker_id"] or jobs.new_worker_id()
        worker = Worker(
            queue_names=queues,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=DEFAULT_TASK_BACKEND_ALIAS,
            startup_delay=not options["batch"],
            max_tasks=options["max_tasks"],
            worker_id=worker_id[:64],
            excluded_queue_names=[],
        )
        worker.configure_signals()
        with jobs.Heartbeat(worker.worker_id, queues):
            # The jobs of a worker this one replaces (killed, host lost) come back at once
            # if their lease has run out; the heartbeat thread reaps again once per lease.
            jobs.reap_orphans()
            worker.run()
