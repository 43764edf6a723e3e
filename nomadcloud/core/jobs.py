"""Background work: jobs are database rows (django-tasks with the django-tasks-db backend),
claimed by ``nomadcloud db_worker`` processes with SELECT … FOR UPDATE SKIP LOCKED.

Jobs are enqueued only after the surrounding transaction commits, so a worker never sees a
job for data that was rolled back. In development and tests the immediate backend runs them
in-process, still after commit.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import DEFAULT_DB_ALIAS, transaction
from django.db.backends.base.base import BaseDatabaseWrapper


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
