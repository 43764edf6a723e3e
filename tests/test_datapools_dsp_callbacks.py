"""Dataspace Protocol 2025-1 callbacks (nomadcloud/datapools/dsp_callbacks.py, decision
0062): a tiny real HTTP server plays the other zone's connector; each change on our side
(the steward's counter-offer, the agreement after the department's 核定, the finalisation, a
transfer started, a termination) reaches its ``callbackAddress`` as the protocol's message,
checked against the DSP 2025-1 JSON Schemas; a failure is retried with backoff, in order;
the outbound guard refuses private addresses unless allowed."""

from __future__ import annotations

import json
import os
import pathlib
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jsonschema
import pytest
from django.utils import timezone, translation
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT201909

from nomadcloud.accounts.principal import Principal
from nomadcloud.datapools import dsp_callbacks, negotiation
from nomadcloud.datapools.models import DspCallback, Negotiation
from tests.builders import datapools as b
from tests.builders.world import verify_org
from tests.conftest import World
from tests.test_datapools_dsp import CONTEXT, _key, _post, _request

DSP = pathlib.Path(os.environ.get("NOMADCLOUD_EVAL_DATA", "/work/shared/data")) / "standards/dsp"
CONSUMER_PID = "urn:uuid:32541fe6-c580-409e-85a8-8a9a32fbe833"
SCHEMAS = {
    "ContractOfferMessage": "negotiation/contract-offer-message-schema.json",
    "ContractAgreementMessage": "negotiation/contract-agreement-message-schema.json",
    "ContractNegotiationEventMessage": "negotiation/contract-negotiation-event-message-schema.json",
    "ContractNegotiationTerminationMessage": (
        "negotiation/contract-negotiation-termination-message-schema.json"
    ),
    "TransferStartMessage": "transfer/transfer-start-message-schema.json",
    "TransferTerminationMessage": "transfer/transfer-termination-message-schema.json",
}


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _validator(message_type: str) -> jsonschema.Draft201909Validator:
    if not DSP.exists():
        pytest.skip("the pinned DSP 2025-1 schemas are not available")
    registry: Registry = Registry()
    schemas = {}
    for path in DSP.rglob("*-schema.json"):
        # The upstream pointer typo (data/standards/README.md §4), fixed in memory.
        schema = json.loads(path.read_text().replace("#definitions/", "#/definitions/"))
        schemas[str(path.relative_to(DSP))] = schema
        registry = registry.with_resource(
            schema["$id"], Resource.from_contents(schema, default_specification=DRAFT201909)
        )
    return jsonschema.Draft201909Validator(schemas[SCHEMAS[message_type]], registry=registry)


class Connector:
    """The other zone's connector: records each POST; answers ``statuses`` in turn, then 200."""

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, Any]]] = []
        self.statuses: list[int] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                outer.received.append((self.path, body))
                status = outer.statuses.pop(0) if outer.statuses else 200
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/callback"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def connector(settings: Any) -> Iterator[Connector]:
    # The guard admits only the loopback range the test server listens on.
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    settings.FEED_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    running = Connector()
    yield running
    running.stop()


def _check(path: str, body: dict[str, Any], suffix: str, message_type: str) -> None:
    assert path == f"/callback{suffix}", path
    assert body["@type"] == message_type
    errors = list(_validator(message_type).iter_errors(body))
    assert not errors, [e.message for e in errors]


def test_every_change_of_ours_reaches_the_callback_address(
    world: World, connector: Connector, django_capture_on_commit_callbacks: Any
) -> None:
    pool = b.busy_pool(world)
    verify_org(world.globex)
    secret = _key(world)
    asked = _request(str(pool.public_id), "dpv:ResearchAndDevelopment")
    asked["dspace:callbackAddress"] = connector.base
    with django_capture_on_commit_callbacks(execute=True):
        made = _post(secret, "/negotiations/request", asked)
    assert made.status_code == 201
    assert connector.received == []  # its own request: the answer is the response
    stored = Negotiation.objects.get(consumer=world.globex)
    provider_pid = f"urn:uuid:{stored.public_id}"

    # The steward's counter-offer → ContractOfferMessage.
    with django_capture_on_commit_callbacks(execute=True):
        negotiation.move(
            principal=Principal.for_user(world.olivia),
            negotiation=stored,
            action="offer",
            duration_days=30,
        )
    (path, body), *_ = connector.received
    _check(path, body, f"/negotiations/{CONSUMER_PID}/offers", "ContractOfferMessage")
    assert body["providerPid"] == provider_pid and body["consumerPid"] == CONSUMER_PID

    # The connector accepts (nothing sent back); the department's 核定 → the agreement.
    with django_capture_on_commit_callbacks(execute=True):
        accepted = _post(
            secret,
            f"/negotiations/{provider_pid}/events",
            {
                "@context": CONTEXT,
                "@type": "ContractNegotiationEventMessage",
                "eventType": "ACCEPTED",
            },
        )
    assert accepted.json()["state"] == "ACCEPTED" and len(connector.received) == 1
    with django_capture_on_commit_callbacks(execute=True):
        negotiation.move(
            principal=Principal.for_user(world.wendy),
            negotiation=Negotiation.objects.get(pk=stored.pk),
            action="confirm",
        )
    path, body = connector.received[1]
    _check(path, body, f"/negotiations/{CONSUMER_PID}/agreement", "ContractAgreementMessage")
    assert body["agreement"]["@id"] == f"urn:nomadcloud:agreement:{stored.public_id}"

    # Its verification → our finalisation, reported as the FINALIZED event.
    with django_capture_on_commit_callbacks(execute=True):
        _post(
            secret,
            f"/negotiations/{provider_pid}/agreement/verification",
            {"@context": CONTEXT, "@type": "ContractAgreementVerificationMessage"},
        )
    path, body = connector.received[2]
    _check(path, body, f"/negotiations/{CONSUMER_PID}/events", "ContractNegotiationEventMessage")
    assert body["eventType"] == "FINALIZED"

    # A transfer: started at once → TransferStartMessage with the data address.
    with django_capture_on_commit_callbacks(execute=True):
        started = _post(
            secret,
            "/transfers/request",
            {
                "@context": CONTEXT,
                "@type": "TransferRequestMessage",
                "consumerPid": "urn:uuid:tp-1",
                "agreementId": body["providerPid"].replace(
                    "urn:uuid:", "urn:nomadcloud:agreement:"
                ),
                "format": "HttpData-PULL+aggregate",
                "callbackAddress": connector.base,
            },
        )
    assert started.status_code == 201, started.content
    path, body = connector.received[3]
    _check(path, body, "/transfers/urn:uuid:tp-1/start", "TransferStartMessage")
    assert body["dataAddress"]["endpoint"].endswith(f"/negotiations/{stored.public_id}/aggregate")

    # The agreement ends; the expiry job terminates the open transfer and says so. The
    # connector is down (503): the message waits and is retried after the backoff.
    from nomadcloud.datapools import dsp

    Negotiation.objects.filter(pk=stored.pk).update(expires_at=timezone.now())
    connector.statuses = [503]
    with django_capture_on_commit_callbacks(execute=True):
        assert dsp.end_transfers_of_ended_agreements() == 1
    waiting = DspCallback.objects.get(message_type="TransferTerminationMessage")
    assert (waiting.state, waiting.attempts, waiting.last_status) == ("pending", 1, 503)
    assert waiting.next_attempt_at is not None
    assert dsp_callbacks.deliver_due(timezone.now()) == 0  # not due yet
    assert dsp_callbacks.deliver_due(timezone.now() + timedelta(minutes=2)) == 1
    waiting.refresh_from_db()
    assert (waiting.state, waiting.attempts) == ("sent", 2)
    path, body = connector.received[-1]
    _check(path, body, "/transfers/urn:uuid:tp-1/termination", "TransferTerminationMessage")
    assert len(connector.received) == 6  # the failed attempt and the retry


def test_the_departments_refusal_reaches_the_connector_naming_it(
    world: World, connector: Connector, django_capture_on_commit_callbacks: Any
) -> None:
    made = b.negotiation(world, "confirming")
    Negotiation.objects.filter(pk=made.pk).update(
        consumer_pid=CONSUMER_PID, callback_address=connector.base
    )
    with django_capture_on_commit_callbacks(execute=True):
        ended = negotiation.move(
            principal=Principal.for_user(world.wendy),
            negotiation=made,
            action="refuse",
            reason="The purpose is not in the zone's open list.",
        )
    assert ended.state == "terminated" and str(world.department) in ended.reason
    ((path, body),) = connector.received
    _check(
        path,
        body,
        f"/negotiations/{CONSUMER_PID}/termination",
        "ContractNegotiationTerminationMessage",
    )
    assert str(world.department) in body["reason"][0]
    assert "not in the zone's open list" in body["reason"][0]


def test_a_private_callback_address_is_refused_then_given_up(
    world: World, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    settings.FEED_ALLOWED_NETWORKS = []
    made = b.negotiation(world)
    Negotiation.objects.filter(pk=made.pk).update(
        consumer_pid=CONSUMER_PID, callback_address="http://169.254.169.254/latest"
    )
    with django_capture_on_commit_callbacks(execute=True):
        negotiation.move(
            principal=Principal.for_user(world.olivia),
            negotiation=made,
            action="offer",
            duration_days=30,
        )
    callback = DspCallback.objects.get()
    assert callback.state == "pending" and callback.last_error.startswith("address_refused")
    moment = timezone.now()
    for _attempt in range(dsp_callbacks.MAX_ATTEMPTS):
        moment += timedelta(days=2)
        dsp_callbacks.deliver_due(moment)
    callback.refresh_from_db()
    assert (callback.state, callback.attempts) == ("failed", dsp_callbacks.MAX_ATTEMPTS)
    # A later message of the same process waited behind it; nothing was sent out of order.
    assert DspCallback.objects.filter(state="sent").count() == 0


def test_a_negotiation_made_on_the_platform_sends_nothing(world: World) -> None:
    made = b.negotiation(world, "agreed")
    assert made.state == "agreed" and not DspCallback.objects.exists()
