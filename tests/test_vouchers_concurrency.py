"""Parallel redemptions of one voucher produce one (issue 17, "Concurrency on PostgreSQL"):
the voucher row is locked while a redemption is recorded, and a partial unique constraint
(one live redemption per voucher) backs the lock. Real parallel API requests on PostgreSQL
(``NOMADCLOUD_TEST_DB=postgres``), each thread with its own connection and client, released
together by a barrier."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from nomadcloud.payouts.models import Commitment
from nomadcloud.vouchers.models import Redemption, Voucher
from tests.builders import vouchers as b
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error, in_parallel

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
on_postgresql = pytest.mark.skipif(
    not ON_POSTGRESQL, reason="real parallel requests need PostgreSQL (NOMADCLOUD_TEST_DB=postgres)"
)
THREADS = 8


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


def _body(i: int) -> dict[str, Any]:
    fields = b.redemption_fields(invoice_number=f"INV-PAR-{i}")
    content = base64.b64encode(b.PDF).decode()
    return {
        **{k: v.isoformat() if isinstance(v, date) else v for k, v in fields.items()},
        "evidence": [{"file_name": "acceptance.pdf", "content_base64": content}],
    }


@on_postgresql
@pytest.mark.django_db(transaction=True)
def test_parallel_redemptions_of_one_voucher_produce_one(world: World) -> None:
    voucher = b.issued_voucher(world)
    path = f"/api/v1/vouchers/vouchers/{voucher.public_id}/redemption"
    clients = [client_for(world.charlie) for _ in range(THREADS)]
    answers = in_parallel(THREADS, lambda i: api_post(clients[i], path, _body(i)))
    created = [a for a in answers if a.status_code == 201]
    assert len(created) == 1, [(a.status_code, a.content[:200]) for a in answers]
    for other in answers:
        if other.status_code != 201:
            assert_error(other, "already_redeemed", status=409)
    assert Redemption.objects.filter(voucher=voucher).count() == 1
    voucher.refresh_from_db()
    assert voucher.status == Voucher.Status.REDEEMING
    assert voucher.events.filter(action="redeem").count() == 1
    # The budget was committed once, at issue, and is untouched by the race.
    assert Commitment.objects.filter(subject_id=str(voucher.public_id)).count() == 1
