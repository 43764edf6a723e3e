"""Background work: jobs are database rows (django-tasks with the django-tasks-db backend),
claimed by ``nomadcloud jobs worker`` processes with SELECT … FOR UPDATE SKIP LOCKED.

Jobs are enqueued only after the surrounding transaction commits, so a worker never sees a
job for data that was rolled back. In development and tests the immediate backend runs them
in-process, still after commit.

For several hosts (docs/operations.md, "Background workers"):

- **named queues** (settings_scale.QUEUES: ``adapters``, ``notifications``, ``compute``,
  ``exports``, ``pools`` and ``default``), each task declaring its own, so each queue can
  have dedicated workers (``nomadcloud jobs worker --queue-name notifications``);
- a **lease and heartbeat**: a worker refreshes its ``WorkerHeartbeat`` row every third of
  JOB_LEASE_SECONDS; ``reap()`` puts a RUNNING job whose worker has not been seen for a lease
  back on its queue (or, after JOB_MAX_ATTEMPTS claims, marks it failed), so a killed worker
  leaves nothing RUNNING. Every live worker also reaps, from its heartbeat thread, when it
  starts and once per lease (``reap_orphans``): a job of a dead worker comes back within two
  leases even where no scheduler runs (cron missing, or every host restarted at once);
- **idempotency keys**: ``enqueue_once(task, key, …)`` enqueues at most one job per key.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from nomadcloud.settings_scale import QUEUES

logger = logging.getLogger(__name__)

ADAPTERS, NOTIFICATIONS, COMPUTE, EXPORTS, POOLS = (
    "adapters",
    "notifications",
    "compute",
    "exports",
    "pools",
)
if not {ADAPTERS, NOTIFICATIONS, COMPUTE, EXPORTS, POOLS} <= set(QUEUES):  # pragma: no cover
    raise RuntimeError("settings_scale.QUEUES lacks a queue named in core/jobs.py")


def enqueue_after_commit(task: Any, /, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(partial(task.enqueue, *args, **kwargs))


@dataclass(eq=False)
class _Batch:
    """The arguments one task is to be enqueued with when the current transaction commits."""

    task: Any
    pending: dict[Hashable, None] = field(default_factory=dict)  # ordered, each once
    flushed: bool = False

    def __call__(self) -> None:
        self.flushed = True
        for argument in self.pending:
            self.task.enqueue(argument)


# The open batches of a connection, by task: kept on the connection object, so each thread
# (each connection) has its own.
_BATCHES = "_nomadcloud_job_batches"


def enqueue_once_per_transaction(
    task: Any, /, *arguments: Hashable, using: str = DEFAULT_DB_ALIAS
) -> None:
    """Enqueue ``task(argument)`` after the current transaction commits, once per argument
    however often the transaction asks (e.g. one refresh per changed profile, though several
    use cases in one transaction each report the change).

    Outside a transaction (autocommit) the jobs are enqueued at once. Inside one, the
    arguments join a batch whose single ``on_commit`` callback enqueues them. A batch is
    current while its callback is still waiting in ``connection.run_on_commit``: a rollback
    drops the callback (and so the batch's arguments) and the next call starts a new batch,
    so nothing leaks from a rolled-back transaction into the next. A savepoint rolled back
    after the batch began leaves its arguments in the batch: one needless job, never a
    missing one.
    """
    connection = transaction.get_connection(using)
    if not connection.in_atomic_block:
        for argument in dict.fromkeys(arguments):
            task.enqueue(argument)
        return
    batch = _current_batch(connection, task)
    if batch is None:
        batch = _Batch(task)
        getattr(connection, _BATCHES)[id(task)] = batch
        transaction.on_commit(batch, using=using)
    for argument in arguments:
        batch.pending[argument] = None


def _current_batch(connection: BaseDatabaseWrapper, task: Any) -> _Batch | None:
    batches: dict[int, _Batch] | None = getattr(connection, _BATCHES, None)
    if batches is None:
        batches = {}
        setattr(connection, _BATCHES, batches)
    batch = batches.get(id(task))
    if batch is None or batch.flushed:
        return None
    if not any(entry[1] is batch for entry in connection.run_on_commit):
        return None  # rolled back: its callback was discarded
    return batch


# --- Idempotency keys ---------------------------------------------------------------------------


def enqueue_once(task: Any, key: str, /, *args: Any, **kwargs: Any) -> bool:
    """Enqueue ``task(*args, **kwargs)`` after the current transaction commits, unless a job
    of this task with this idempotency ``key`` was enqueued before (by any process: the key
    is a unique row, claimed in the caller's transaction, so a rollback frees it). True when
    this call enqueued the job. Keys are kept as long as finished job rows (``reap``)."""
    from nomadcloud.core.models import JobKey

    full_key = f"{task.module_path}:{key}"[:200]
    with transaction.atomic():
        claim, created = JobKey.objects.get_or_create(
            key=full_key, defaults={"task_path": task.module_path, "result_id": ""}
        )
    if created:

        def enqueue() -> None:
            result = task.enqueue(*args, **kwargs)
            JobKey.objects.filter(pk=claim.pk).update(result_id=str(result.id))

        transaction.on_commit(enqueue)
    return created


# --- Leases, heartbeats and the reaper -------------------------------------------------------


class WorkerLost(RuntimeError):
    """The worker holding the job stopped sending heartbeats JOB_MAX_ATTEMPTS times."""


def heartbeat_interval() -> float:
    return max(1.0, settings.JOB_LEASE_SECONDS / 3)


def new_worker_id() -> str:
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{os.urandom(3).hex()}"


class Heartbeat:
    """Keeps a worker's ``WorkerHeartbeat`` row fresh from a thread of its own (its own
    database connection) while the worker runs jobs in the main thread."""

    def __init__(self, worker_id: str, queues: list[str], *, reaps: bool = True) -> None:
        self.worker_id = worker_id
        self.queues = queues
        self.reaps = reaps
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)

    def __enter__(self) -> Heartbeat:
        from nomadcloud.core.models import WorkerHeartbeat

        WorkerHeartbeat.objects.update_or_create(
            worker_id=self.worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "queues": ",".join(self.queues)[:255],
                "seen_at": timezone.now(),
            },
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        from nomadcloud.core.models import WorkerHeartbeat

        self._stop.set()
        self._thread.join()
        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()

    def beat(self) -> None:
        from nomadcloud.core.models import WorkerHeartbeat

        WorkerHeartbeat.objects.filter(worker_id=self.worker_id).update(seen_at=timezone.now())

    def _run(self) -> None:
        # The worker reaps once before it starts (``nomadcloud jobs worker``), then here.
        next_reap = time.monotonic() + settings.JOB_LEASE_SECONDS
        try:
            while True:
                if self.reaps and time.monotonic() >= next_reap:
                    next_reap = time.monotonic() + settings.JOB_LEASE_SECONDS
                    try:
                        reap_orphans()
                    except Exception:  # as for a beat: the next round tries again
                        logger.exception("worker %s could not reap", self.worker_id)
                if self._stop.wait(heartbeat_interval()):
                    break
                try:
                    self.beat()
                except Exception:  # a database hiccup: the next beat tries again
                    logger.exception("heartbeat of worker %s failed", self.worker_id)
        finally:
            connection.close()


@dataclass(frozen=True)
class Reaped:
    requeued: list[str]
    failed: list[str]


def reap(now: datetime | None = None) -> Reaped:
    """Put RUNNING jobs whose worker has not been seen for a lease back on their queue (or
    fail them after JOB_MAX_ATTEMPTS claims); forget long-dead workers and old job keys.
    Safe to run anywhere, any number of times: each job is changed by a guarded UPDATE."""
    from nomadcloud.core.models import JobKey, WorkerHeartbeat

    now = now or timezone.now()
    reaped = reap_orphans(now)
    WorkerHeartbeat.objects.filter(seen_at__lt=now - timedelta(days=1)).delete()
    JobKey.objects.filter(created_at__lt=now - timedelta(days=14)).delete()
    return reaped


def reap_orphans(now: datetime | None = None) -> Reaped:
    """``reap`` without the housekeeping: only the RUNNING jobs of dead workers (what every
    worker runs once per lease)."""
    from django_tasks.base import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    from nomadcloud.core.models import WorkerHeartbeat

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=settings.JOB_LEASE_SECONDS)
    alive = set(
        WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True)
    )
    requeued: list[str] = []
    failed: list[str] = []
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=cutoff
    ).only("id", "worker_ids", "started_at")
    for row in running:
        holder = row.worker_ids[-1] if row.worker_ids else None
        if holder in alive:
            continue
        # Guarded by the claim read: a job another reaper requeued and a live worker claimed
        # again since (a new started_at) is left alone.
        same = DBTaskResult.objects.filter(
            pk=row.pk, status=TaskResultStatus.RUNNING, started_at=row.started_at
        )
        if len(row.worker_ids) < settings.JOB_MAX_ATTEMPTS:
            if same.update(status=TaskResultStatus.READY, started_at=None):
                requeued.append(str(row.pk))
        elif same.update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=f"{WorkerLost.__module__}.{WorkerLost.__qualname__}",
            traceback=f"worker {holder} stopped answering; {len(row.worker_ids)} claims",
        ):
            failed.append(str(row.pk))
    if requeued or failed:
        logger.warning("jobs reaped: %d requeued, %d failed", len(requeued), len(failed))
    return Reaped(requeued, failed)
