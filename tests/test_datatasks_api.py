"""The data-processing API end to end: an enterprise creates a batch and sends its file, two
nomads qualify and work it with their tokens, the enterprise closes, audits, corrects,
exports and accepts; refusals answer the error envelope and change nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from nomadcloud.accounts import services as accounts
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from tests.builders.datatasks import ITEMS_CSV, LABELS, TRUTH, batch_fields, labelling_skill
from tests.conftest import World, database_fingerprint
from tests.helpers import assert_error

API = "/api/v1/datatasks"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English (outside requests the default is Chinese)."""
    with translation.override("en"):
        yield


class Api:
    def __init__(self, secret: str) -> None:
        self.client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")

    def get(self, path: str) -> Any:
        return self.client.get(API + path)

    def post(self, path: str, body: dict[str, Any] | None = None) -> Any:
        return self.client.post(API + path, json.dumps(body or {}), content_type="application/json")

    def patch(self, path: str, body: dict[str, Any]) -> Any:
        return self.client.patch(API + path, json.dumps(body), content_type="application/json")

    def put_file(self, path: str, data: bytes, content_type: str) -> Any:
        return self.client.put(API + path, data, content_type=content_type)


def token_for(user: User) -> Api:
    _token, secret = accounts.create_personal_token(
        principal=Principal.for_user(user), name="api", scope="write"
    )
    return Api(secret)


@pytest.fixture
def olivia(world: World) -> Api:
    labelling_skill()
    return Api(world.olivia_token_secret)


def _work_through(api: Api, batch_id: str, wrong: bool = False) -> list[dict[str, Any]]:
    done = []
    while True:
        response = api.post(f"/batches/{batch_id}/assignments/next")
        assert response.status_code == 200, response.content
        body = response.json()
        assignment = body["assignment"]
        if assignment is None:
            return done
        assert "gold" not in assignment["item"]  # a worker never sees known answers
        truth = TRUTH[assignment["item"]["external_id"]]
        label = next(x for x in LABELS if x != truth) if wrong else truth
        answered = api.post(
            f"/batches/{batch_id}/assignments/{assignment['id']}/answer", {"label": label}
        )
        assert answered.status_code == 201, answered.content
        done.append(answered.json())
        if answered.json()["state"]["status"] not in {"qualifying", "qualified"}:
            return done


def test_the_whole_flow_through_the_api(world: World, olivia: Api) -> None:
    created = olivia.post("/batches", {**batch_fields(), "organisation": str(world.acme.public_id)})
    assert created.status_code == 201, created.content
    batch = created.json()
    assert (batch["status"], batch["item_count"], batch["pay_per_item"]) == ("draft", 0, "0.35")
    assert batch["skills"] == [
        {"code": "nc.data-annotation", "label": "Data labelling", "level": 4}
    ]
    bid = batch["id"]
    imported = olivia.put_file(f"/batches/{bid}/items?name=reviews.csv", ITEMS_CSV, "text/csv")
    assert imported.status_code == 200, imported.content
    assert (imported.json()["item_count"], imported.json()["gold_count"]) == (11, 5)
    assert imported.json()["file_name"] == "reviews.csv"
    opened = olivia.post(f"/batches/{bid}/status", {"status": "open"})
    assert opened.json()["status"] == "open"

    charlie, wendy = token_for(world.charlie), token_for(world.wendy)
    listed = charlie.get("/batches?status=open").json()["items"]
    assert [b["id"] for b in listed] == [bid]
    for api in (charlie, wendy):
        joined = api.post(f"/batches/{bid}/join")
        assert joined.json()["status"] == "qualifying"
        answers = _work_through(api, bid)
        assert len(answers) == 3 + 8
        assert answers[-1]["state"]["pending_pay"] == "2.80"
    me = charlie.get(f"/batches/{bid}/me").json()
    assert (me["status"], me["qualification_accuracy"], me["accuracy"]) == ("qualified", 1.0, 1.0)
    own = charlie.get(f"/batches/{bid}/answers").json()["items"]
    assert len(own) == 11
    assert {a["item"] for a in own} == set(TRUTH)

    closed = olivia.post(f"/batches/{bid}/status", {"status": "closed"})
    assert closed.json()["quality"]["alpha"] == pytest.approx(1.0)
    items = olivia.get(f"/batches/{bid}/items?kind=regular").json()["items"]
    assert {i["external_id"]: i["result"] for i in items} == {
        k: v for k, v in TRUTH.items() if k.startswith("r")
    }
    r3 = next(i for i in items if i["external_id"] == "r3")
    detail = olivia.get(f"/batches/{bid}/items/{r3['id']}").json()
    assert [a["value"] for a in detail["answers"]] == ["neutral", "neutral"]
    corrected = olivia.post(
        f"/batches/{bid}/items/{r3['id']}/override", {"label": "negative", "reason": "Irony"}
    )
    assert corrected.status_code == 200, corrected.content
    assert corrected.json()["result"] == "negative"
    assert corrected.json()["aggregated_result"] == "neutral"
    assert corrected.json()["overrides"][0]["reason"] == "Irony"

    exported = olivia.client.get(f"{API}/batches/{bid}/export?format=jsonl")
    assert exported["Content-Type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in b"".join(exported.streaming_content).splitlines()]
    assert {line["id"]: line["result"] for line in lines}["r3"] == "negative"
    as_csv = olivia.client.get(f"{API}/batches/{bid}/export")
    assert b"".join(as_csv.streaming_content).decode().splitlines()[0].startswith("\ufeffid,")

    workers = olivia.get(f"/batches/{bid}/workers").json()["items"]
    assert {w["worker"] for w in workers} == {"Charlie Outsider", "Wendy Reviewer"}
    accepted = olivia.post(f"/batches/{bid}/accept")
    assert accepted.status_code == 200, accepted.content
    assert [(w["worker"], w["items_accepted"], w["amount"]) for w in accepted.json()] == [
        ("Charlie Outsider", 8, "2.80"),
        ("Wendy Reviewer", 8, "2.80"),
    ]
    mine = charlie.get("/accepted-work").json()["items"]
    assert [(w["batch"], w["amount"], w["currency"]) for w in mine] == [(bid, "2.80", "CNY")]
    assert olivia.get(f"/batches/{bid}/accepted-work").json()["items"][0]["skills"] == [
        {"code": "nc.data-annotation", "level": 4}
    ]


def test_refusals_answer_the_envelope_and_change_nothing(world: World, olivia: Api) -> None:
    bid = olivia.post("/batches", {**batch_fields(), "organisation": str(world.acme.public_id)})
    bid = bid.json()["id"]
    olivia.put_file(f"/batches/{bid}/items", ITEMS_CSV, "text/csv")
    olivia.post(f"/batches/{bid}/status", {"status": "open"})
    charlie, wendy = token_for(world.charlie), token_for(world.wendy)
    charlie.post(f"/batches/{bid}/join")
    wendy.post(f"/batches/{bid}/join")
    assignment = charlie.post(f"/batches/{bid}/assignments/next").json()["assignment"]
    path = f"/batches/{bid}/assignments/{assignment['id']}/answer"

    def refused(api: Api, body: dict[str, Any], status: int, code: str) -> dict[str, Any]:
        before = database_fingerprint()
        response = api.post(path, body)
        assert response.status_code == status, response.content
        assert response.json()["code"] == code
        assert database_fingerprint() == before
        return dict(response.json())

    refused(wendy, {"label": "positive"}, 404, "not_found")  # not her assignment
    bad = refused(charlie, {"label": "superb"}, 422, "invalid_input")
    assert bad["fields"] == {
        "answer": ["“superb” is not one of the labels (positive, negative, neutral)."]
    }
    refused(charlie, {}, 422, "invalid_input")
    assert charlie.post(path, {"label": "positive"}).status_code == 201
    refused(charlie, {"label": "positive"}, 409, "already_answered")
    following = charlie.post(f"/batches/{bid}/assignments/next").json()["assignment"]
    olivia.post(f"/batches/{bid}/status", {"status": "closed"})
    path = f"/batches/{bid}/assignments/{following['id']}/answer"
    refused(charlie, {"label": "negative"}, 409, "batch_closed")


def test_an_organisation_key_creates_but_does_not_review(world: World, olivia: Api) -> None:
    key = Api(world.org_key_secret)
    created = key.post("/batches", batch_fields())  # the key's own enterprise
    assert created.status_code == 201, created.content
    bid = created.json()["id"]
    assert key.patch(f"/batches/{bid}", {"overlap": 4}).json()["overlap"] == 4
    before = database_fingerprint()
    response = key.post(f"/batches/{bid}/aggregate")
    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    response = key.post(f"/batches/{bid}/join")
    assert (response.status_code, response.json()["code"]) == (403, "person_only")
    assert database_fingerprint() == before


def test_settings_are_checked_and_frozen_once_open(world: World, olivia: Api) -> None:
    bad = olivia.post(
        "/batches",
        {**batch_fields(labels=["only"]), "organisation": str(world.acme.public_id)},
    )
    assert assert_error(bad, "invalid_input")["fields"] == {"labels": ["Give at least 2 labels."]}
    unknown = olivia.post(
        "/batches",
        {
            **batch_fields(skills=[{"code": "nc.nope", "level": 3}]),
            "organisation": str(world.acme.public_id),
        },
    )
    assert unknown.json()["code"] == "unknown_concept"
    bid = olivia.post(
        "/batches", {**batch_fields(), "organisation": str(world.acme.public_id)}
    ).json()["id"]
    empty = olivia.post(f"/batches/{bid}/status", {"status": "open"})
    assert (empty.status_code, empty.json()["code"]) == (409, "no_items")
    olivia.put_file(f"/batches/{bid}/items", ITEMS_CSV, "text/csv")
    olivia.post(f"/batches/{bid}/status", {"status": "open"})
    frozen = olivia.patch(f"/batches/{bid}", {"overlap": 5})
    assert (frozen.status_code, frozen.json()["code"]) == (409, "batch_open")
    assert frozen.json()["fields"] == {"overlap": ["Cannot change while the batch is open."]}
    moved = olivia.patch(f"/batches/{bid}", {"deadline": "2099-12-31", "title_en": "Sentiment"})
    assert (moved.json()["deadline"], moved.json()["title_en"]) == ("2099-12-31", "Sentiment")
