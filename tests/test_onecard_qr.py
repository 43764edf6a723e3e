"""The dynamic personal QR code: signed, one purpose, 60 seconds, accepted once."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from nomadcloud.core.errors import DomainError
from nomadcloud.onecard import qr
from nomadcloud.onecard.models import QrScan
from tests.conftest import World

pytestmark = pytest.mark.django_db


def _code(exc: pytest.ExceptionInfo[DomainError]) -> str:
    return exc.value.code


def test_a_code_names_its_holder_once(world: World) -> None:
    token = qr.issue_token(world.bob, "checkin")
    assert qr.verify_scan(token.token, "checkin") == world.bob
    with pytest.raises(DomainError) as second:
        qr.verify_scan(token.token, "checkin")
    assert _code(second) == "qr_used"
    assert QrScan.objects.count() == 1


def test_a_code_serves_only_its_purpose(world: World) -> None:
    token = qr.issue_token(world.bob, "points")
    with pytest.raises(DomainError) as refused:
        qr.verify_scan(token.token, "window")
    assert _code(refused) == "qr_wrong_purpose"
    assert not QrScan.objects.exists()  # nothing used up: the merchant may still scan it
    assert qr.verify_scan(token.token, "points") == world.bob


def test_a_code_expires_after_sixty_seconds(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    token = qr.issue_token(world.bob, "checkin")
    later = timezone.now() + timedelta(seconds=61)
    monkeypatch.setattr(signing.time, "time", lambda: later.timestamp())
    with pytest.raises(DomainError) as expired:
        qr.verify_scan(token.token, "checkin")
    assert _code(expired) == "qr_expired"


@pytest.mark.parametrize("bad", ["", "nonsense", "a" * 500])
def test_forged_codes_are_refused(world: World, bad: str) -> None:
    with pytest.raises(DomainError) as refused:
        qr.verify_scan(bad, "checkin")
    assert _code(refused) == "qr_invalid"


def test_a_tampered_code_is_refused(world: World) -> None:
    token = qr.issue_token(world.bob, "checkin").token
    payload = signing.loads(token, salt=qr.SALT)
    payload["u"] = str(world.olivia.public_id)
    forged = signing.dumps(payload, salt="another-salt")
    with pytest.raises(DomainError) as refused:
        qr.verify_scan(forged, "checkin")
    assert _code(refused) == "qr_invalid"


def test_unknown_purposes_and_closed_accounts_are_refused(world: World) -> None:
    with pytest.raises(DomainError):
        qr.issue_token(world.bob, "anything")
    token = qr.issue_token(world.bob, "checkin")
    world.bob.is_active = False
    world.bob.save(update_fields=["is_active"])
    with pytest.raises(DomainError) as refused:
        qr.verify_scan(token.token, "checkin")
    assert _code(refused) == "qr_invalid"


def test_the_card_page_draws_a_code(client, world: World) -> None:  # type: ignore[no-untyped-def]
    client.force_login(world.bob)
    page = client.get("/services/card/?purpose=checkin")
    assert page.status_code == 200
    token = page.content.decode().split('data-token="', 1)[1].split('"', 1)[0]
    assert qr.verify_scan(token.replace("&quot;", '"'), "checkin") == world.bob
