"""Exactly-once effects (issue 15, item 3): an ``Idempotency-Key`` is claimed before the
handler runs, so concurrent twins produce one effect and the same answer; a refund carries
its own guard, so concurrent refunds without a key never give back more than the payment.

The concurrent cases send real parallel requests on PostgreSQL (``NOMADCLOUD_TEST_DB=
postgres``): each thread has its own database connection (Django's connections are per
thread) and its own test ``Client``, released together by a barrier."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from django.utils import timezone

from nomadcloud.accounts.models import Organisation
from nomadcloud.core import idempotency
from nomadcloud.core.models import IdempotencyRecord
from nomadcloud.points import models as m
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error
from tests.permissions.points_merchants import confirmed_payment

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
on_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="real parallel requests need PostgreSQL (NOMADCLOUD_TEST_DB=postgres)"
)


def _in_parallel(n: int, send: Callable[[int], Any]) -> list[Any]:
    """Run ``send(i)`` in ``n`` threads released at once; their answers in order."""
    barrier = threading.Barrier(n)
    answers: list[Any] = [None] * n
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            barrier.wait(timeout=30)
            answers[i] = send(i)
        except BaseException as error:  # reported by the test, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return answers


def _refunds_path(payment: m.Payment) -> str:
    org = payment.merchant.organisation.public_id
    return f"/api/v1/points/merchants/{org}/payments/{payment.public_id}/refunds"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_six_concurrent_refunds_with_one_key_refund_once(world: World) -> None:
    payment = confirmed_payment(world, amount=120)
    path = _refunds_path(payment)
    clients = [client_for(world.olivia) for _ in range(6)]
    answers = _in_parallel(
        6,
        lambda i: api_post(
            clients[i], path, {"amount": 10, "reason": "Cold coffee"}, HTTP_IDEMPOTENCY_KEY="r-1"
        ),
    )
    completed = [a for a in answers if a.status_code == 201]
    assert completed, [(a.status_code, a.content) for a in answers]
    for other in answers:
        if other.status_code != 201:
            assert_error(other, "idempotency_in_progress", status=409)
    assert len({a.content for a in completed}) == 1  # the same answer for every twin
    assert m.Refund.objects.filter(payment=payment).count() == 1
    payment.refresh_from_db()
    assert payment.refunded == 10
    record = IdempotencyRecord.objects.get(key="r-1")
    assert record.status_code == 201


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_eight_same_key_creations_create_one(world: World) -> None:
    clients = [client_for(world.bob) for _ in range(8)]
    body = {"kind": "merchant", "name_en": "Tea house"}
    answers = _in_parallel(
        8,
        lambda i: api_post(clients[i], "/api/v1/organisations", body, HTTP_IDEMPOTENCY_KEY="o-1"),
    )
    assert Organisation.objects.filter(name_en="Tea house").count() == 1
    created = [a for a in answers if a.status_code == 201]
    assert created and len({a.content for a in created}) == 1
    assert all(a.status_code in (201, 409) for a in answers)


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_concurrent_refunds_without_a_key_never_exceed_the_payment(world: World) -> None:
    payment = confirmed_payment(world, amount=120)
    path = _refunds_path(payment)
    clients = [client_for(world.olivia) for _ in range(6)]
    answers = _in_parallel(
        6, lambda i: api_post(clients[i], path, {"amount": 30, "reason": f"part {i}"})
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 4 + [422] * 2, [(a.status_code, a.content) for a in answers]
    for refused in (a for a in answers if a.status_code == 422):
        assert_error(refused, "reversal_exceeds_original", status=422)
    payment.refresh_from_db()
    assert payment.refunded == 120
    assert sum(m.Refund.objects.filter(payment=payment).values_list("amount", flat=True)) == 120


# ---- the claim, one request at a time (any database) --------------------------------------


def _claim_for(world: World, key: str, body: bytes) -> IdempotencyRecord:
    """A pending claim as a twin that is still running would have left it."""
    import hashlib

    path = "/api/v1/organisations"
    return IdempotencyRecord.objects.create(
        owner=f"user:{world.bob.pk}",
        key=key,
        method="POST",
        path=path,
        fingerprint=hashlib.sha256(b"POST " + path.encode() + b"\n" + body).hexdigest(),
        status_code=idempotency.PENDING,
        response_body=b"",
    )


def test_a_twin_still_running_answers_409_in_progress(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(idempotency, "WAIT_FOR_TWIN", 0.1)
    _claim_for(world, "busy", b'{"kind": "merchant", "name_en": "Busy"}')
    response = api_post(
        client_for(world.bob, HTTP_ACCEPT_LANGUAGE="zh-hans"),
        "/api/v1/organisations",
        {"kind": "merchant", "name_en": "Busy"},
        HTTP_IDEMPOTENCY_KEY="busy",
    )
    error = assert_error(response, "idempotency_in_progress", status=409)
    assert "Idempotency-Key" in error["message"]  # localized, naming the header
    assert not Organisation.objects.filter(name_en="Busy").exists()


def test_a_stale_claim_is_taken_over(world: World) -> None:
    claim = _claim_for(world, "stale", b'{"kind": "merchant", "name_en": "Stale"}')
    IdempotencyRecord.objects.filter(pk=claim.pk).update(
        created_at=timezone.now() - idempotency.STALE_CLAIM - timedelta(seconds=1)
    )
    response = api_post(
        client_for(world.bob),
        "/api/v1/organisations",
        {"kind": "merchant", "name_en": "Stale"},
        HTTP_IDEMPOTENCY_KEY="stale",
    )
    assert response.status_code == 201, response.content
    assert IdempotencyRecord.objects.get(key="stale").status_code == 201


def test_a_handler_that_crashes_releases_the_claim(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nomadcloud.accounts import services

    def boom(**kwargs: Any) -> Any:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(services, "create_organisation", boom)
    client = Client(raise_request_exception=False)
    client.force_login(world.bob)
    body = {"kind": "merchant", "name_en": "Crash"}
    response = api_post(client, "/api/v1/organisations", body, HTTP_IDEMPOTENCY_KEY="crash")
    assert response.status_code == 500
    assert not IdempotencyRecord.objects.filter(key="crash").exists()
    monkeypatch.undo()
    retry = api_post(client, "/api/v1/organisations", body, HTTP_IDEMPOTENCY_KEY="crash")
    assert retry.status_code == 201, retry.content
    assert "Idempotent-Replayed" not in retry
