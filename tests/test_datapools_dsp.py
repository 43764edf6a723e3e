"""The Dataspace Protocol 2025-1 endpoints (nomadcloud/datapools/dsp.py): another zone's
connector, with its verified organisation's API key, reads the catalogue with ODRL offers,
negotiates (request, the steward's counter-offer, ACCEPTED, verification → finalized,
termination) and runs a transfer process (started with a data address, suspended, started
again, completed); refusals come in the protocol's error shapes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from nomadcloud.accounts import services as accounts
from nomadcloud.accounts.principal import Principal
from nomadcloud.datapools import negotiation
from nomadcloud.datapools.models import Negotiation, Transfer
from tests.builders import datapools as b
from tests.builders.world import verify_org
from tests.conftest import World, client_for

BASE = "/dsp/2025-1"
CONTEXT = ["https://w3id.org/dspace/2025/1/context.jsonld"]


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _key(world: World) -> str:
    _token, secret = accounts.create_organisation_key(
        principal=Principal.for_user(world.charlie),
        organisation=world.globex,
        name="connector",
        scope="write",
    )
    return secret


def _post(secret: str | None, path: str, body: dict[str, Any]) -> Any:
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    return Client().post(
        BASE + path, data=json.dumps(body), content_type="application/json", **headers
    )


def _get(secret: str, path: str) -> Any:
    return Client().get(BASE + path, HTTP_AUTHORIZATION=f"Bearer {secret}")


def _request(pool_id: str, purpose: str, days: str = "P60D") -> dict[str, Any]:
    # The older prefixed form of the message: read as well as the 2025-1 one.
    return {
        "@context": CONTEXT,
        "@type": "dspace:ContractRequestMessage",
        "dspace:consumerPid": "urn:uuid:32541fe6-c580-409e-85a8-8a9a32fbe833",
        "dspace:callbackAddress": "https://connector.other-zone.example/callback",
        "dspace:offer": {
            "@type": "odrl:Offer",
            "@id": f"urn:nomadcloud:offer:{pool_id}:aggregate",
            "odrl:target": f"urn:nomadcloud:pool:{pool_id}",
            "odrl:permission": [
                {
                    "odrl:action": "odrl:use",
                    "odrl:constraint": [
                        {"leftOperand": "purpose", "operator": "eq", "rightOperand": purpose},
                        {"leftOperand": "elapsedTime", "operator": "lteq", "rightOperand": days},
                    ],
                }
            ],
        },
    }


def test_catalogue_needs_a_verified_organisations_key(world: World) -> None:
    pool = b.busy_pool(world)
    assert Client().get("/.well-known/dspace-version").json()["protocolVersions"][0] == {
        "version": "2025-1",
        "path": "/dsp/2025-1/",
        "binding": "HTTPS",
    }
    message = {"@context": CONTEXT, "@type": "CatalogRequestMessage", "filter": []}
    anonymous = _post(None, "/catalog/request", message)
    assert anonymous.status_code == 401
    assert anonymous.json()["@type"] == "CatalogError"
    assert anonymous.json()["code"] == "unauthorized"
    secret = _key(world)
    world.globex.verification_status = "unverified"
    world.globex.save(update_fields=["verification_status"])
    unverified = _post(secret, "/catalog/request", message)
    assert (unverified.status_code, unverified.json()["code"]) == (
        403,
        "organisation_not_verified",
    )
    verify_org(world.globex)
    catalog = _post(secret, "/catalog/request", message).json()
    assert catalog["@type"] == "Catalog" and catalog["@context"] == CONTEXT
    (found,) = [
        d for d in catalog["dataset"] if d["@id"] == f"urn:nomadcloud:pool:{pool.public_id}"
    ]
    offers = {o["@id"].rsplit(":", 1)[-1]: o for o in found["hasPolicy"]}
    assert set(offers) == {"aggregate", "query_template"}
    purpose = offers["aggregate"]["permission"][0]["constraint"][0]
    assert purpose["rightOperand"] == ["dpv:ResearchAndDevelopment"]
    assert {d["format"] for d in found["distribution"]} == {
        "HttpData-PULL+aggregate",
        "HttpData-PULL+query",
    }
    one = _get(secret, f"/catalog/datasets/urn:nomadcloud:pool:{pool.public_id}")
    assert one.status_code == 200 and one.json()["@type"] == "Dataset"
    wrong_type = _post(secret, "/catalog/request", {"@type": "Catalog"})
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (400, "invalid_message")


def test_negotiation_and_transfer_over_the_protocol(world: World) -> None:
    pool = b.busy_pool(world)
    verify_org(world.globex)
    secret = _key(world)
    pool_id = str(pool.public_id)
    # A purpose the charter excludes: refused, the failed constraint named, nothing stored.
    refused = _post(secret, "/negotiations/request", _request(pool_id, "dpv:Marketing"))
    assert refused.status_code == 400
    body = refused.json()
    assert body["@type"] == "ContractNegotiationError" and body["code"] == "constraint_failed"
    assert "'purpose' isA" in body["reason"][0]
    assert not Negotiation.objects.filter(consumer=world.globex).exists()
    made = _post(secret, "/negotiations/request", _request(pool_id, "dpv:ResearchAndDevelopment"))
    assert made.status_code == 201, made.content
    provider_pid = made.json()["providerPid"]
    assert made.json()["state"] == "REQUESTED"
    assert made.json()["consumerPid"] == "urn:uuid:32541fe6-c580-409e-85a8-8a9a32fbe833"
    stored = Negotiation.objects.get(consumer=world.globex)
    assert stored.callback_address == "https://connector.other-zone.example/callback"
    assert negotiation.terms(stored)["duration_days"] == 60
    # Another organisation's key does not see it; a move out of turn is a 400.
    verify_org(world.acme)
    other = _get(world.org_key_secret, f"/negotiations/{provider_pid}")
    assert other.status_code == 404
    early = _post(
        secret,
        f"/negotiations/{provider_pid}/agreement/verification",
        {"@context": CONTEXT, "@type": "ContractAgreementVerificationMessage"},
    )
    assert (early.status_code, early.json()["code"]) == (400, "transition_not_allowed")
    # The steward counter-offers on the platform; the connector reads the offer and accepts.
    negotiation.move(
        principal=Principal.for_user(world.olivia),
        negotiation=stored,
        action="offer",
        duration_days=30,
    )
    offered = _get(secret, f"/negotiations/{provider_pid}").json()
    assert offered["state"] == "OFFERED" and offered["offer"]["@type"] == "Offer"
    accepted = _post(
        secret,
        f"/negotiations/{provider_pid}/events",
        {"@context": CONTEXT, "@type": "ContractNegotiationEventMessage", "eventType": "ACCEPTED"},
    )
    # The provider's 核定 step: the connector sees ACCEPTED until the department confirms.
    assert accepted.json()["state"] == "ACCEPTED" and "agreement" not in accepted.json()
    negotiation.move(
        principal=Principal.for_user(world.wendy),
        negotiation=Negotiation.objects.get(pk=stored.pk),
        action="confirm",
    )
    agreed = _get(secret, f"/negotiations/{provider_pid}").json()
    assert agreed["state"] == "AGREED"
    agreement = agreed["agreement"]
    assert agreement["@type"] == "Agreement" and agreement["@id"].endswith(str(stored.public_id))
    verified = _post(
        secret,
        f"/negotiations/{provider_pid}/agreement/verification",
        {"@context": CONTEXT, "@type": "ContractAgreementVerificationMessage"},
    )
    assert verified.json()["state"] == "FINALIZED"
    stored.refresh_from_db()
    assert [e.action for e in stored.events.all()][-2:] == ["verify", "finalize"]
    # The transfer process under the finalized agreement.
    request = {
        "@context": CONTEXT,
        "@type": "TransferRequestMessage",
        "consumerPid": "urn:uuid:tp-1",
        "agreementId": agreement["@id"],
        "format": "HttpData-PULL+download",
        "callbackAddress": "https://connector.other-zone.example/callback",
    }
    wrong = _post(secret, "/transfers/request", request)
    assert wrong.json()["@type"] == "TransferError"
    assert (wrong.status_code, wrong.json()["code"]) == (400, "format_not_agreed")
    started = _post(secret, "/transfers/request", {**request, "format": "HttpData-PULL+aggregate"})
    assert started.status_code == 201 and started.json()["state"] == "STARTED"
    assert started.json()["dataAddress"]["endpoint"].endswith(
        f"/api/v1/datapools/negotiations/{stored.public_id}/aggregate"
    )
    tp = started.json()["providerPid"]
    for message, kind, state in (
        ("suspension", "TransferSuspensionMessage", "SUSPENDED"),
        ("start", "TransferStartMessage", "STARTED"),
        ("completion", "TransferCompletionMessage", "COMPLETED"),
    ):
        moved = _post(secret, f"/transfers/{tp}/{message}", {"@context": CONTEXT, "@type": kind})
        assert moved.json()["state"] == state, moved.content
    late = _post(
        secret,
        f"/transfers/{tp}/termination",
        {"@context": CONTEXT, "@type": "TransferTerminationMessage"},
    )
    assert (late.status_code, late.json()["code"]) == (400, "transition_not_allowed")
    assert [e.action for e in Transfer.objects.get().events.all()] == [
        "request",
        "start",
        "suspension",
        "start",
        "completion",
    ]
    page = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en").get(
        f"/datapools/negotiations/{stored.public_id}/"
    )
    assert b'data-testid="transfers"' in page.content and b"urn:uuid:tp-1" not in page.content


def test_the_connector_ends_a_negotiation_with_its_reason(world: World) -> None:
    pool = b.busy_pool(world)
    verify_org(world.globex)
    secret = _key(world)
    made = _post(
        secret,
        "/negotiations/request",
        _request(str(pool.public_id), "dpv:ResearchAndDevelopment", "P10D"),
    ).json()
    ended = _post(
        secret,
        f"/negotiations/{made['providerPid']}/termination",
        {
            "@context": CONTEXT,
            "@type": "ContractNegotiationTerminationMessage",
            "consumerPid": made["consumerPid"],
            "code": "no_longer_needed",
            "reason": ["project cancelled"],
        },
    )
    assert ended.json()["state"] == "TERMINATED"
    assert ended.json()["reason"] == ["no_longer_needed; project cancelled"]
    mismatch = _post(
        secret,
        f"/negotiations/{made['providerPid']}/termination",
        {
            "@context": CONTEXT,
            "@type": "ContractNegotiationTerminationMessage",
            "consumerPid": "urn:uuid:someone-else",
        },
    )
    assert (mismatch.status_code, mismatch.json()["code"]) == (400, "invalid_message")
