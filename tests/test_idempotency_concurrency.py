"""Exactly-once effects (issue 15, item 3): an ``Idempotency-Key`` is claimed before the
handler runs, so concurrent twins produce one effect and the same answer; a refund carries
its own guard, so concurrent refunds without a key never give back more than the payment.

The concurrent cases send real parallel requests on PostgreSQL (``NOMADCLOUD_TEST_DB=
postgres``): each thread has its own database connection (Django's connections are per
thread) and its own test ``Client``, released together by a barrier."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from nomadcloud.accounts.models import Organisation
from nomadcloud.core import idempotency
from nomadcloud.core.models import IdempotencyRecord
from nomadcloud.points import models as m
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error, in_parallel
from tests.permissions.points_merchants import confirmed_payment

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
on_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="real parallel requests need PostgreSQL (NOMADCLOUD_TEST_DB=postgres)"
)


def _refunds_path(payment: m.Payment) -> str:
    org = payment.merchant.organisation.public_id
    return f"/api/v1/points/merchants/{org}/payments/{payment.public_id}/refunds"


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_six_concurrent_refunds_with_one_key_refund_once(world: World) -> None:
    payment = confirmed_payment(world, amount=120)
    path = _refunds_path(payment)
    clients = [client_for(world.olivia) for _ in range(6)]
    answers = in_parallel(
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
    answers = in_parallel(
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
    answers = in_parallel(
        6, lambda i: api_post(clients[i], path, {"amount": 30, "reason": f"part {i}"})
    )
    statuses = sorted(a.status_code for a in answers)
    assert statuses == [201] * 4 + [422] * 2, [(a.status_code, a.content) for a in answers]
    for refused in (a for a in answers if a.status_code == 422):
        assert_error(refused, "reversal_exceeds_original", status=422)
    payment.refresh_from_db()
    assert payment.refunded == 120
    assert sum(m.Refund.objects.filter(payment=payment).values_list("amount", flat=True)) == 120


def _olivia_write_tokens(n: int) -> list[str]:
    """``n`` write tokens of the merchant's cashier: each is its own key owner for core."""
    from nomadcloud.accounts import services as accounts
    from nomadcloud.accounts.models import User
    from nomadcloud.accounts.principal import Principal

    olivia = User.objects.get(email="olivia@example.com")
    return [
        accounts.create_personal_token(
            principal=Principal.for_user(olivia), name=f"till {i}", scope="write"
        )[1]
        for i in range(n)
    ]


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_six_same_key_refunds_through_six_credentials_refund_once(world: World) -> None:
    """core's claim is per credential; the refund's own guard is per payment and key, so
    six tills retrying one refund at once still give back 10 once and all get its answer."""
    payment = confirmed_payment(world, amount=120)
    path = _refunds_path(payment)
    secrets = _olivia_write_tokens(6)
    answers = in_parallel(
        6,
        lambda i: api_post(
            Client(HTTP_AUTHORIZATION=f"Bearer {secrets[i]}"),
            path,
            {"amount": 10, "reason": "Cold coffee"},
            HTTP_IDEMPOTENCY_KEY="till-retry",
        ),
    )
    assert [a.status_code for a in answers] == [201] * 6, [a.content for a in answers]
    assert len({a.json()["id"] for a in answers}) == 1
    payment.refresh_from_db()
    assert payment.refunded == 10
    assert m.Refund.objects.filter(payment=payment).count() == 1


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


# ---- the refund's own guard (any database) -------------------------------------------------


def test_a_refund_retried_after_its_key_record_expired_refunds_nothing_more(world: World) -> None:
    payment = confirmed_payment(world, amount=120)
    client = client_for(world.olivia)
    body = {"amount": 25, "reason": "Wrong order"}
    first = api_post(client, _refunds_path(payment), body, HTTP_IDEMPOTENCY_KEY="late")
    assert first.status_code == 201, first.content
    IdempotencyRecord.objects.all().delete()  # as pruning does after the TTL
    retry = api_post(client, _refunds_path(payment), body, HTTP_IDEMPOTENCY_KEY="late")
    assert retry.status_code == 201
    assert retry.json() == first.json()
    payment.refresh_from_db()
    assert payment.refunded == 25
    assert m.Refund.objects.filter(payment=payment).count() == 1


def test_a_refund_key_reused_for_another_amount_is_refused(world: World) -> None:
    payment = confirmed_payment(world, amount=120)
    first = api_post(
        Client(HTTP_AUTHORIZATION=f"Bearer {world.olivia_token_secret}"),
        _refunds_path(payment),
        {"amount": 25, "reason": "Wrong order"},
        HTTP_IDEMPOTENCY_KEY="k",
    )
    assert first.status_code == 201, first.content
    other = api_post(
        client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans"),
        _refunds_path(payment),
        {"amount": 40, "reason": "Wrong order"},
        HTTP_IDEMPOTENCY_KEY="k",
    )
    error = assert_error(other, "idempotency_key_reused", status=422)
    assert "Idempotency-Key" in error["fields"]
    payment.refresh_from_db()
    assert payment.refunded == 25


def test_the_refund_page_submitted_twice_refunds_once(world: World) -> None:
    from django.urls import reverse

    payment = confirmed_payment(world, amount=120)
    client = client_for(world.olivia)
    org = payment.merchant.organisation.public_id
    page = client.get(
        reverse("points:merchant_payment", args=[org, payment.public_id])
    ).content.decode()
    assert 'name="request_key"' in page
    url = reverse("points:merchant_payment_refund", args=[org, payment.public_id])
    # As the confirmation page posts it back (core.pages.confirm_page).
    form = {"amount": "30", "reason": "Double click", "request_key": "form-1", "confirm": "yes"}
    for _ in range(2):
        assert client.post(url, form).status_code == 302
    payment.refresh_from_db()
    assert m.Refund.objects.filter(payment=payment).count() == 1
