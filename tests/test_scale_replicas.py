"""Read replicas (issue 21 item 4): only work marked read-only reads from the replica; a
write pins the rest of the request, and the response pins the person for a while. The
replica here is a second connection (alias ``replica``) to the same test database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connections
from django.http import HttpRequest, HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from nomadcloud.core import replicas
from nomadcloud.core.models import ScheduledRun


@pytest.fixture
def replica(db: None) -> Iterator[str]:
    connections.settings[replicas.REPLICA_ALIAS] = {
        **connections["default"].settings_dict,
        "TEST": {"MIRROR": "default"},
    }
    # Connected here: the test case only allows the aliases it was told about, and lets an
    # already open connection through.
    connections[replicas.REPLICA_ALIAS].connect()
    try:
        yield replicas.REPLICA_ALIAS
    finally:
        connections[replicas.REPLICA_ALIAS].close()
        del connections[replicas.REPLICA_ALIAS]
        del connections.settings[replicas.REPLICA_ALIAS]


def _queries(alias: str) -> CaptureQueriesContext:
    return CaptureQueriesContext(connections[alias])


def test_only_marked_reads_go_to_the_replica(replica: str) -> None:
    with _queries("default") as primary, _queries(replica) as secondary:
        ContentType.objects.filter(app_label="core").count()
        with replicas.read_only():
            assert ContentType.objects.filter(app_label="core").count() > 0
    assert len(primary) == 1 and len(secondary) == 1


def test_without_a_replica_read_only_work_reads_the_primary(db: None) -> None:
    with replicas.read_only():
        assert replicas.reading_from() == "default"


def test_a_write_pins_the_rest_of_the_read_only_block_to_the_primary(replica: str) -> None:
    with replicas.read_only():
        assert replicas.reading_from() == replica
        ScheduledRun.objects.create(
            name="pin-test", last_started_at="2026-01-01T00:00Z", last_host="h"
        )
        assert replicas.reading_from() == "default"
        with _queries(replica) as secondary:
            assert ScheduledRun.objects.filter(name="pin-test").exists()
        assert len(secondary) == 0
    with replicas.read_only():  # a new block, e.g. the next job of a worker
        assert replicas.reading_from() == replica


def test_the_database_cache_never_reads_from_the_replica(replica: str) -> None:
    class CacheEntry:
        class _meta:  # the shape of a model's options
            app_label = "django_cache"

    with replicas.read_only():
        assert replicas.ReplicaRouter().db_for_read(CacheEntry) == "default"


def _view(request: HttpRequest) -> HttpResponse:
    with replicas.read_only():
        return HttpResponse(replicas.reading_from())


def test_a_change_pins_the_person_to_the_primary_for_a_while(replica: str, settings: Any) -> None:
    settings.REPLICA_PIN_SECONDS = 20
    middleware = replicas.ReplicaPinningMiddleware(_view)
    factory = RequestFactory()
    fresh = middleware(factory.get("/catalogue"))
    assert fresh.content.decode() == replica
    assert replicas.PIN_COOKIE not in fresh.cookies
    changed = middleware(factory.post("/catalogue"))
    assert changed.content.decode() == "default"
    assert changed.cookies[replicas.PIN_COOKIE]["max-age"] == 20
    pinned = factory.get("/catalogue")
    pinned.COOKIES[replicas.PIN_COOKIE] = "1"
    assert middleware(pinned).content.decode() == "default"


def test_read_only_views_are_marked(replica: str) -> None:
    view = replicas.read_only_view(lambda request: HttpResponse(replicas.reading_from()))
    assert view(RequestFactory().get("/")).content.decode() == replica


def test_a_batch_computation_keeps_reading_the_replica_after_writing(replica: str) -> None:
    with replicas.read_only(pin_on_write=False):
        ScheduledRun.objects.create(
            name="batch", last_started_at="2026-01-01T00:00Z", last_host="h"
        )
        assert replicas.reading_from() == replica


def test_public_feeds_are_read_from_the_replica_by_view_name(replica: str, client: Any) -> None:
    from django.conf import settings

    assert "ocds:releases" in settings.REPLICA_READ_ONLY_VIEWS
    with _queries("default") as primary, _queries(replica) as secondary:
        response = client.get(_url("ocds:releases"))
    assert response.status_code == 200
    assert len(secondary) > 0
    assert not [q for q in primary if "bounties" in q["sql"]]


def _url(name: str) -> str:
    from django.urls import reverse

    return reverse(name)


def test_every_read_only_view_name_exists() -> None:
    from django.conf import settings
    from django.urls import get_resolver

    def names(resolver: Any, prefix: str = "") -> Iterator[str]:
        for pattern in resolver.url_patterns:
            if hasattr(pattern, "url_patterns"):
                space = f"{prefix}{pattern.namespace}:" if pattern.namespace else prefix
                yield from names(pattern, space)
            elif pattern.name:
                yield prefix + pattern.name

    missing = settings.REPLICA_READ_ONLY_VIEWS - set(names(get_resolver()))
    assert not missing
