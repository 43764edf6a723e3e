"""Each feed syncs in its own job, and a failed sync ends "failed" with a localized reason
and backs off (issue 15 item 2): a real loopback HTTP server serves a slow-drip feed, a
deeply nested feed and a good one; the scheduler only enqueues (it returns at once, whatever
the feeds do), and each job ends on its own."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.demands import feeds, services, tasks
from nomadcloud.demands.models import Demand, Feed, FeedSync
from tests.builders.demands import make_concepts
from tests.conftest import World

GOOD = json.dumps(
    [
        {
            "@type": "JobPosting",
            "identifier": "J-1",
            "title": "后端工程师",
            "jobLocationType": "TELECOMMUTE",
        }
    ],
    ensure_ascii=False,
).encode()
DEEP = b"[" * 5000 + b"]" * 5000  # ~10 KB; the standard parser raised RecursionError


class Loopback:
    """A raw HTTP server on 127.0.0.1: ``/slow`` drips its headers one byte a second,
    ``/deep`` and ``/good`` answer at once."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.listener.settimeout(0.2)
        self.port = self.listener.getsockname()[1]
        self.requests: list[str] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _address = self.listener.accept()
            except OSError:
                continue
            threading.Thread(target=self._answer, args=(conn,), daemon=True).start()

    def _answer(self, conn: socket.socket) -> None:
        with conn, suppress(OSError):
            request = conn.recv(65536).decode("latin-1")
            path = request.split(" ", 2)[1] if " " in request else "/"
            self.requests.append(path)
            if path == "/slow":
                for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"x" * 120:
                    if self.stop.wait(1.0):
                        return
                    conn.sendall(bytes([byte]))
                return
            body = DEEP if path == "/deep" else GOOD
            conn.sendall(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body) + body
            )

    def close(self) -> None:
        self.stop.set()
        self.listener.close()
        self.thread.join(timeout=5)


@pytest.fixture
def loopback(settings: Any) -> Iterator[Loopback]:
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    settings.FEED_TIMEOUT_SECONDS = 1
    server = Loopback()
    yield server
    server.close()


def _feed(world: World, url: str) -> Feed:
    return services.add_feed(
        principal=Principal.for_user(world.olivia),
        organisation=world.acme,
        url=url,
        format="jobposting",
    )


def test_the_scheduler_enqueues_one_job_per_due_feed_and_each_ends_on_its_own(
    world: World, loopback: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    make_concepts()
    world.olivia.preferred_language = "zh-hans"
    world.olivia.save(update_fields=["preferred_language"])
    slow, deep, good = (_feed(world, loopback.url(p)) for p in ("/slow", "/deep", "/good"))
    enqueued: list[int] = []
    job = tasks.sync_feed

    class Recorder:
        enqueue = staticmethod(enqueued.append)

    monkeypatch.setattr(tasks, "sync_feed", Recorder())

    started = time.monotonic()
    call_command("sync_feeds", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert time.monotonic() - started < 3  # no feed was fetched here (the drip takes 2 min)
    assert sorted(enqueued) == sorted([slow.pk, deep.pk, good.pk])
    assert loopback.requests == []
    call_command("sync_feeds", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert len(enqueued) == 3  # claimed: not due again

    # The jobs, in the scheduler's order; the slow one first, it cannot hold the others
    # longer than its own deadline (in production they run on separate workers).
    reports: dict[int, dict[str, Any]] = {}
    for feed_id in enqueued:
        began = time.monotonic()
        reports[feed_id] = job.call(feed_id)
        assert time.monotonic() - began < 6  # the deadline is 1 s; the drip would take 2 min

    assert reports[slow.pk]["status"] == "failed"
    assert reports[slow.pk]["error"] == "数据源在 1 秒内未响应。"
    assert reports[deep.pk]["status"] == "failed"
    assert "64" in str(reports[deep.pk]["error"])  # names the depth limit
    assert reports[good.pk]["status"] == "ok"
    assert Demand.objects.filter(feed=good, external_id="J-1").exists()
    assert not FeedSync.objects.filter(status=FeedSync.Status.RUNNING).exists()

    now = timezone.now()
    for feed in (slow, deep):
        feed.refresh_from_db()
        assert feed.consecutive_failures == 1
        assert feed.next_run_at is not None and feed.next_run_at > now + timedelta(minutes=50)
    good.refresh_from_db()
    assert good.consecutive_failures == 0


def test_an_unexpected_error_ends_the_sync_failed_and_backs_off(
    world: World, loopback: Loopback, monkeypatch: pytest.MonkeyPatch, settings: Any
) -> None:
    feed = _feed(world, loopback.url("/good"))

    def explode(body: bytes, format: str) -> list[feeds.Entry]:
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(feeds, "parse_feed", explode)
    with translation.override("en"):
        sync = services.sync_feed(feed.pk)
    assert sync.status == "failed"
    assert "RecursionError" in sync.error
    assert sync.finished_at is not None
    feed.refresh_from_db()
    assert feed.consecutive_failures == 1

    # Exponential, capped: failures double the wait up to FEED_MAX_BACKOFF_MINUTES.
    waits = []
    for _ in range(6):
        before = timezone.now()
        services.sync_feed(feed.pk)
        feed.refresh_from_db()
        assert feed.next_run_at is not None
        waits.append(round((feed.next_run_at - before).total_seconds() / 60))
    interval, cap = settings.FEED_SYNC_INTERVAL_MINUTES, settings.FEED_MAX_BACKOFF_MINUTES
    assert waits == [min(interval * 2**n, cap) for n in range(1, 7)]
    assert not FeedSync.objects.filter(feed=feed, status="running").exists()


def test_a_sync_left_running_by_a_dead_worker_is_closed_as_failed(
    world: World, loopback: Loopback
) -> None:
    feed = _feed(world, loopback.url("/good"))
    stale = FeedSync.objects.create(feed=feed)
    FeedSync.objects.filter(pk=stale.pk).update(started_at=timezone.now() - timedelta(hours=2))
    fresh = services.sync_feed(feed.pk)
    assert fresh.status == "ok"
    stale.refresh_from_db()
    assert stale.status == "failed"
    assert stale.error and stale.finished_at is not None
