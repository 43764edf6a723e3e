"""Background jobs on several hosts (issue 21 item 4): a job whose worker died goes back on
its queue (none left RUNNING), idempotency keys, named queues, and periodic jobs started once
however many hosts run the scheduler (a PostgreSQL advisory lock, tested with a second
connection)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.db import connection, connections, transaction
from django.test import TestCase
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from nomadcloud.core import jobs, schedule
from nomadcloud.core.models import JobKey, ScheduledRun, WorkerHeartbeat

CALLS: list[str] = []


@task(queue_name="notifications")
def remember(text: str) -> None:
    CALLS.append(text)


def _running(worker: str, claims: int, minutes_ago: int) -> DBTaskResult:
    started = timezone.now() - timedelta(minutes=minutes_ago)
    return DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=TaskResultStatus.RUNNING,
        args_kwargs={"args": ["x"], "kwargs": {}},
        task_path=remember.module_path,
        queue_name="notifications",
        backend_name="default",
        run_after=started,
        started_at=started,
        worker_ids=[f"{worker}-{n}" for n in range(claims - 1)] + [worker],
    )


def test_jobs_of_a_dead_worker_go_back_on_the_queue(db: None, settings: Any) -> None:
    settings.JOB_LEASE_SECONDS = 60
    settings.JOB_MAX_ATTEMPTS = 3
    now = timezone.now()
    WorkerHeartbeat.objects.create(worker_id="alive", host="a", pid=1, queues="*", seen_at=now)
    WorkerHeartbeat.objects.create(
        worker_id="dead", host="b", pid=2, queues="*", seen_at=now - timedelta(minutes=5)
    )
    busy = _running("alive", 1, minutes_ago=30)  # a long job of a live worker
    orphan = _running("dead", 1, minutes_ago=5)
    unknown = _running("vanished", 2, minutes_ago=5)  # its worker row is gone too
    cursed = _running("dead", 3, minutes_ago=5)  # killed its worker three times
    just_claimed = _running("dead", 1, minutes_ago=0)  # within the lease

    reaped = jobs.reap(now)

    assert set(reaped.requeued) == {str(orphan.pk), str(unknown.pk)}
    assert reaped.failed == [str(cursed.pk)]
    statuses = dict(DBTaskResult.objects.values_list("id", "status"))
    assert statuses[busy.pk] == statuses[just_claimed.pk] == TaskResultStatus.RUNNING
    assert statuses[orphan.pk] == statuses[unknown.pk] == TaskResultStatus.READY
    assert statuses[cursed.pk] == TaskResultStatus.FAILED
    assert DBTaskResult.objects.ready().filter(pk=orphan.pk).exists()  # a worker will claim it
    assert jobs.reap(now) == jobs.Reaped([], [])  # nothing twice


def test_a_worker_keeps_its_heartbeat_fresh_and_removes_it_when_it_stops(
    db: None, settings: Any
) -> None:
    with jobs.Heartbeat("w-1", ["compute"]) as heart:
        row = WorkerHeartbeat.objects.get(worker_id="w-1")
        WorkerHeartbeat.objects.filter(pk="w-1").update(seen_at=row.seen_at - timedelta(hours=1))
        heart.beat()
        assert WorkerHeartbeat.objects.get(worker_id="w-1").seen_at >= row.seen_at
        assert row.queues == "compute"
    assert not WorkerHeartbeat.objects.filter(worker_id="w-1").exists()


def test_a_live_worker_reaps_the_jobs_of_a_dead_one_without_a_scheduler(
    transactional_db: None, settings: Any
) -> None:
    # No cron: the heartbeat thread of any live worker reaps once per lease (here 2 s).
    settings.JOB_LEASE_SECONDS = 2
    orphan = _running("dead", 1, minutes_ago=5)
    with jobs.Heartbeat("w-live", ["notifications"]):
        deadline = time.monotonic() + 20
        while DBTaskResult.objects.get(pk=orphan.pk).status == TaskResultStatus.RUNNING:
            assert time.monotonic() < deadline, "the orphan was never reaped"
            time.sleep(0.2)
    assert DBTaskResult.objects.get(pk=orphan.pk).status == TaskResultStatus.READY


def test_a_job_claimed_again_since_the_reaper_read_it_is_left_alone(db: None) -> None:
    orphan = _running("dead", 1, minutes_ago=5)
    real_filter = DBTaskResult.objects.filter

    def reclaimed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if "started_at" in kwargs:  # the guarded update: a live worker claimed it just now
            DBTaskResult.objects.filter(pk=orphan.pk).update(
                started_at=timezone.now(), worker_ids=["dead", "alive"]
            )
        return real_filter(*args, **kwargs)

    with mock.patch.object(DBTaskResult.objects, "filter", side_effect=reclaimed_meanwhile):
        assert jobs.reap_orphans() == jobs.Reaped([], [])
    assert DBTaskResult.objects.get(pk=orphan.pk).status == TaskResultStatus.RUNNING


def test_an_idempotency_key_enqueues_one_job(db: None) -> None:
    CALLS.clear()
    with transaction.atomic():
        assert jobs.enqueue_once(remember, "welcome:42", "hello") is True
        assert jobs.enqueue_once(remember, "welcome:42", "hello again") is False
        assert CALLS == []  # after commit
    # The test's transaction never commits: run the on-commit callbacks as a commit would.
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert jobs.enqueue_once(remember, "welcome:43", "hi") is True
    assert CALLS == ["hi"]
    key = JobKey.objects.get(key__endswith="welcome:43")
    assert key.result_id and key.task_path == remember.module_path
    assert jobs.enqueue_once(remember, "welcome:43", "hi") is False


def test_tasks_name_their_queues() -> None:
    from nomadcloud.accounts.tasks import send_invitation_email
    from nomadcloud.matching.tasks import refresh_profile
    from nomadcloud.onecard.tasks import deliver_submission

    assert send_invitation_email.queue_name == jobs.NOTIFICATIONS
    assert refresh_profile.queue_name == jobs.COMPUTE
    assert deliver_submission.queue_name == jobs.ADAPTERS


def test_the_schedule_names_real_tasks_and_commands() -> None:
    from django.core.management import get_commands
    from django.utils.module_loading import import_string

    commands = get_commands()
    for job in schedule.SCHEDULE:
        if job.task:
            assert hasattr(import_string(job.task), "enqueue"), job.name
        else:
            assert job.command[0] in commands, job.name
    assert len({job.name for job in schedule.SCHEDULE}) == len(schedule.SCHEDULE)


EVERY_HOUR = (schedule.Periodic("probe", timedelta(hours=1), task="x"),)


def test_a_periodic_job_starts_once_per_period(db: None) -> None:
    started: list[str] = []
    now = timezone.now()

    def run(when: Any) -> list[str]:
        return schedule.run_due(when, schedule=EVERY_HOUR, starter=lambda j: started.append(j.name))

    assert run(now) == ["probe"]
    assert run(now + timedelta(minutes=59)) == []  # another host, a minute later
    assert run(now + timedelta(minutes=61)) == ["probe"]
    assert started == ["probe", "probe"]
    assert ScheduledRun.objects.get(name="probe").runs == 2


@pytest.mark.skipif(connection.vendor != "postgresql", reason="advisory locks are PostgreSQL's")
def test_a_host_holding_the_lock_keeps_the_others_off(db: None) -> None:
    other = connections.create_connection("default")  # a second session: another host
    try:
        other.connect()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [schedule.lock_key("probe")])
        now = timezone.now()
        started: list[str] = []
        starter = lambda j: started.append(j.name)  # noqa: E731
        assert schedule.run_due(now, schedule=EVERY_HOUR, starter=starter) == []
        assert not ScheduledRun.objects.filter(name="probe").exists()
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [schedule.lock_key("probe")])
        assert schedule.run_due(now, schedule=EVERY_HOUR, starter=starter) == ["probe"]
        # and while this session holds it (until its transaction ends), the other cannot
        with other.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s)", [schedule.lock_key("probe")])
            assert cursor.fetchone() == (False,)
    finally:
        other.close()
