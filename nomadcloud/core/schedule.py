"""Periodic jobs, run by ``nomadcloud jobs schedule`` from cron on every host, once a
minute: each job starts at most once per period however many hosts run the scheduler.

A due job is claimed inside one short transaction guarded by a PostgreSQL
``pg_try_advisory_xact_lock`` on the job's name (a transaction-level lock, so it also holds
behind PgBouncer in transaction mode and is released by COMMIT or a lost connection): the
host that gets the lock re-reads when the job last started, and if it is due records the new
start before committing; a host that does not get the lock skips the job. On SQLite (one
host) the IMMEDIATE transaction serialises the claim the same way. The job itself runs after
the claim commits: a task is enqueued (to its queue's workers), a command runs in this
process.
"""

from __future__ import annotations

import hashlib
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from nomadcloud.core import replicas


@dataclass(frozen=True)
class Periodic:
    name: str
    every: timedelta
    # A task's dotted path (enqueued) or a management command and its arguments (run here).
    task: str = ""
    command: tuple[str, ...] = ()
    # Reads may come from the replica (settled data; its writes go to the primary).
    read_only: bool = False


MINUTE, HOUR, DAY = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)

# Everything docs/operations.md used to list for cron, in one place.
SCHEDULE: tuple[Periodic, ...] = (
    Periodic("reap_jobs", MINUTE, command=("jobs", "reap")),
    Periodic("points_jobs", 5 * MINUTE, task="nomadcloud.points.tasks.run_points_jobs"),
    Periodic("proofs_checkpoint", 10 * MINUTE, task="nomadcloud.proofs.tasks.publish_checkpoint"),
    Periodic("sync_feeds", 15 * MINUTE, command=("sync_feeds",)),
    Periodic("calendar_feeds", HOUR, task="nomadcloud.communities.tasks.sync_calendar_feeds"),
    Periodic("escalate_applications", HOUR, task="nomadcloud.onecard.tasks.escalate_overdue"),
    Periodic("expire_negotiations", HOUR, task="nomadcloud.datapools.tasks.expire_negotiations"),
    Periodic("dsp_callbacks", MINUTE, task="nomadcloud.datapools.tasks.retry_dsp_callbacks"),
    Periodic("accept_overdue_orders", HOUR, task="nomadcloud.orders.tasks.accept_overdue_orders"),
    Periodic("order_reminders", DAY, task="nomadcloud.orders.tasks.send_order_reminders"),
    Periodic("expire_vouchers", HOUR, task="nomadcloud.vouchers.tasks.expire_vouchers"),
    Periodic("competition_follow_ups", DAY, task="nomadcloud.competitions.tasks.create_follow_ups"),
    Periodic("challenge_reminders", DAY, task="nomadcloud.bounties.tasks.send_challenge_reminders"),
    Periodic("close_overdue_datatasks", HOUR, command=("close_overdue_datatasks",)),
    Periodic("supervision_sweep", DAY, command=("supervision", "sweep")),
    Periodic("crossborder_renewals", DAY, task="nomadcloud.crossborder.tasks.remind_renewals"),
    Periodic("bubble_watch", DAY, task="nomadcloud.valuation.tasks.run_bubble_watch"),
    Periodic("dashboard_snapshot", DAY, command=("dashboard", "snapshot"), read_only=True),
    Periodic("rebuild_matches", DAY, command=("rebuild_matches",)),
    Periodic("prune_text_vectors", DAY, command=("prune_text_vectors",)),
    Periodic("compute_entitlements", DAY, command=("compute_entitlements",)),
    Periodic("prune_job_results", DAY, command=("prune_db_task_results",)),
    Periodic("prune_idempotency", DAY, command=("prune_idempotency",)),
    Periodic("clear_sessions", DAY, command=("clearsessions",)),
    Periodic("partitions", DAY, command=("partition_tables",)),
)


def lock_key(name: str) -> int:
    """The advisory-lock key of a periodic job: a signed 64-bit number from its name."""
    digest = hashlib.sha256(b"nomadcloud-schedule:" + name.encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def try_lock(name: str) -> bool:
    """Take the job's transaction-level advisory lock if free (PostgreSQL; elsewhere the
    transaction itself serialises). Must be called inside a transaction."""
    if connection.vendor != "postgresql":
        return True
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [lock_key(name)])
        row = cursor.fetchone()
    return bool(row and row[0])


def claim(job: Periodic, now: datetime) -> bool:
    """Record that ``job`` starts now if it is due and no other host holds it."""
    from nomadcloud.core.models import ScheduledRun

    with transaction.atomic():
        if not try_lock(job.name):
            return False
        last = ScheduledRun.objects.filter(name=job.name).first()
        if last is not None and last.last_started_at > now - job.every:
            return False
        ScheduledRun.objects.update_or_create(
            name=job.name,
            defaults={
                "last_started_at": now,
                "last_host": socket.gethostname()[:255],
                "runs": (last.runs if last else 0) + 1,
            },
        )
    return True


def start(job: Periodic) -> None:
    if job.task:
        import_string(job.task).enqueue()
    elif job.read_only:
        with replicas.read_only(pin_on_write=False):
            call_command(*job.command)
    else:
        call_command(*job.command)


def run_due(
    now: datetime | None = None,
    *,
    schedule: tuple[Periodic, ...] = SCHEDULE,
    starter: Callable[[Periodic], Any] = start,
) -> list[str]:
    """Start every due job this host could claim; the names started."""
    now = now or timezone.now()
    started = []
    for job in schedule:
        if claim(job, now):
            starter(job)
            started.append(job.name)
    return started
