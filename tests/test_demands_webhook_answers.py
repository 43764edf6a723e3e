"""The webhook receiver gives no oracle (issue 15): an unknown organisation, an organisation
without a webhook, an id that is not one, and a wrong signature all get the same status, code
and message; a timestamp with non-ASCII digits is refused like any malformed one."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest
from django.test import Client

from nomadcloud.accounts.principal import Principal
from nomadcloud.demands import services
from nomadcloud.demands.models import Demand, WebhookReceipt
from tests.builders.demands import demand_fields
from tests.conftest import World


@pytest.fixture
def webhook_secret(world: World) -> str:
    return services.create_webhook_secret(
        principal=Principal.for_user(world.olivia), organisation=world.acme
    )


def _post(org_id: str, secret: str, body: bytes, *, stamp: str = "", lang: str = "en") -> Any:
    stamp = stamp or str(int(time.time()))
    return Client(HTTP_ACCEPT_LANGUAGE=lang).post(
        f"/demands/webhooks/{org_id}/",
        body,
        content_type="application/json",
        HTTP_X_NOMADCLOUD_TIMESTAMP=stamp,
        HTTP_X_NOMADCLOUD_SIGNATURE=services.sign(secret, stamp, body),
    )


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_unknown_organisation_and_bad_signature_answer_alike(
    world: World, webhook_secret: str, lang: str
) -> None:
    body = json.dumps(demand_fields(external_id="W-9")).encode()
    answers = {
        "bad signature": _post(str(world.acme.public_id), "ncw_wrong", body, lang=lang),
        "no webhook": _post(str(world.globex.public_id), webhook_secret, body, lang=lang),
        "unknown organisation": _post(str(uuid.uuid4()), webhook_secret, body, lang=lang),
        "not an id": _post("acme", webhook_secret, body, lang=lang),
    }
    seen = {name: (r.status_code, r.content) for name, r in answers.items()}
    assert len(set(seen.values())) == 1, seen
    response = answers["bad signature"]
    status, code, message = (
        response.status_code,
        response.json()["code"],
        response.json()["message"],
    )
    assert (status, code) == (403, "bad_signature")
    assert message == (
        "X-NomadCloud-Signature 与请求正文和时间戳不匹配。"
        if lang == "zh-hans"
        else "The X-NomadCloud-Signature does not match the body and timestamp."
    )
    assert not Demand.objects.exists()
    assert not WebhookReceipt.objects.exists()


def test_a_timestamp_with_non_ascii_digits_is_refused_for_everyone(
    world: World, webhook_secret: str
) -> None:
    body = json.dumps(demand_fields(external_id="W-10")).encode()
    for org_id in (str(world.acme.public_id), str(uuid.uuid4())):
        for stamp in ("²", "١٧٠٠٠٠٠٠٠٠", str(int(time.time())) + "²"):
            response = _post(org_id, webhook_secret, body, stamp=stamp)
            assert response.status_code == 403
            assert response.json()["code"] == "bad_timestamp"
    assert not Demand.objects.exists()
