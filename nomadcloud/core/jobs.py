"""Background work: jobs are database rows (django-tasks with the django-tasks-db backend),
claimed by ``nomadcloud db_worker`` processes with SELECT … FOR UPDATE SKIP LOCKED.

Jobs are enqueued only after the surrounding transaction commits, so a worker never sees a
job for data that was rolled back. In development and tests the immediate backend runs them
in-process, still after commit.
"""

from __future__ import annotations

from functools import partial
from typing import Any

from django.db import transaction


def enqueue_after_commit(task: Any, /, *args: Any, **kwargs: Any) -> None:
    transaction.on_commit(partial(task.enqueue, *args, **kwargs))
