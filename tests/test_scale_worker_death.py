"""A worker killed in the middle of a job (issue 21 item 4): the reaper puts the job back on
its queue once the worker's lease has run out, another worker finishes it, and nothing is
left RUNNING. Real ``nomadcloud jobs worker`` processes on the PostgreSQL test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from nomadcloud.core import jobs
from tests.scale_tasks import nap_once

pytestmark = [
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="worker processes share a PostgreSQL server"
    ),
    pytest.mark.django_db(transaction=True),
]


def _worker(*extra: str) -> subprocess.Popen[bytes]:
    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or 'localhost'}"
        f":{db['PORT'] or 5432}/{db['NAME']}"
    )
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "TASK_BACKEND": "database",
        "MATCHING_EMBEDDINGS": "none",
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "nomadcloud",
            "jobs",
            "worker",
            "--queue-name",
            "default",
            "--interval",
            "0.2",
            *extra,
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _status(pk: Any) -> str:
    return str(DBTaskResult.objects.get(pk=pk).status)


def test_a_job_of_a_killed_worker_is_run_again_and_none_stays_running(
    tmp_path: Path, settings: Any
) -> None:
    marker = tmp_path / "started"
    job = DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=TaskResultStatus.READY,
        args_kwargs={"args": [str(marker)], "kwargs": {}},
        task_path=nap_once.module_path,
        queue_name="default",
        backend_name="default",
        run_after=timezone.now() - timedelta(seconds=1),
    )
    first = _worker()
    try:
        deadline = time.monotonic() + 90
        while not marker.exists():
            assert first.poll() is None and time.monotonic() < deadline, "the job never started"
            time.sleep(0.2)
        assert _status(job.pk) == TaskResultStatus.RUNNING
        first.send_signal(signal.SIGKILL)  # no goodbye: the heartbeat row stays behind
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    assert _status(job.pk) == TaskResultStatus.RUNNING  # what a dead worker leaves today

    settings.JOB_LEASE_SECONDS = 10
    reaped = jobs.reap(timezone.now() + timedelta(seconds=11))  # a lease later
    assert reaped.requeued == [str(job.pk)]

    second = _worker("--batch")
    assert second.wait(timeout=120) == 0
    job.refresh_from_db()
    assert job.status == TaskResultStatus.SUCCESSFUL and job.return_value == "done"
    assert len(job.worker_ids) == 2
    assert not DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).exists()
