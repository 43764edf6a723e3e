"""The orders API: exact amounts in and out, the whole way from open to settled, refusals
with the state and the role named (and nothing changed), disputes, messages, conversions and
the operators' report."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from nomadcloud.orders.models import Conversion, Order
from tests.builders.demands import demand_draft, make_concepts
from tests.builders.orders import (
    PDF,
    accepted_order,
    b64,
    delivered_order,
    disputed_order,
    draft_order,
    open_order,
)
from tests.conftest import World, client_for, credit_code, database_fingerprint
from tests.helpers import assert_error

API = "/api/v1/orders"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> Iterator[None]:
    settings.MEDIA_ROOT = tmp_path / "media"
    yield


@pytest.fixture(autouse=True)
def _concepts(db: None) -> None:
    make_concepts()


def en(user: Any) -> Client:
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    return client


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    return client.generic(
        method, path, json.dumps(body) if body is not None else "", content_type="application/json"
    )


def day(offset: int) -> str:
    return str(timezone.localdate() + timedelta(days=offset))


def new_order(world: World, **extra: Any) -> dict[str, Any]:
    return {
        "organisation": str(world.acme.public_id),
        "title_zh": "小程序开发",
        "skills": [{"code": "nc.python", "level": 3}],
        "milestones": [
            {"title": "原型", "amount": "0.10", "due_on": day(5)},
            {"title": "上线", "amount": "1999.90", "due_on": day(15)},
        ],
        **extra,
    }


class TestCreating:
    def test_amounts_are_exact_in_and_out(self, world: World) -> None:
        response = send(en(world.olivia), "POST", API, new_order(world, total="2000.00"))
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["total"] == "2000.00" and body["currency"] == "CNY"
        assert [m["amount"] for m in body["milestones"]] == ["0.10", "1999.90"]
        assert body["status"] == "draft"

    @pytest.mark.parametrize(
        ("milestone_amount", "field"),
        [
            (0.1, "milestones.0.amount"),
            ("0.001", "milestones.0.amount"),
            ("-1", "milestones.0.amount"),
        ],
    )
    def test_floats_and_extra_places_are_refused(
        self, world: World, milestone_amount: Any, field: str
    ) -> None:
        body = new_order(world)
        body["milestones"][0]["amount"] = milestone_amount
        olivia = en(world.olivia)
        before = database_fingerprint()
        response = send(olivia, "POST", API, body)
        assert_error(response, "invalid_input", field=field)
        assert database_fingerprint() == before

    def test_a_total_that_does_not_add_up_is_refused(self, world: World) -> None:
        response = send(en(world.olivia), "POST", API, new_order(world, total="2000.01"))
        body = assert_error(response, "total_mismatch", status=422)
        assert body["message"] == "The milestones add up to ¥2,000.00, not ¥2,000.01."

    def test_from_a_demand(self, world: World) -> None:
        from nomadcloud.accounts.principal import Principal
        from nomadcloud.demands import services as demands

        demand = demands.create_demand(
            principal=Principal.for_user(world.olivia),
            organisation=world.acme,
            draft=demand_draft(),
        )
        body = new_order(world, demand=str(demand.public_id))
        del body["title_zh"], body["skills"]
        created = send(en(world.olivia), "POST", API, body).json()
        assert created["demand"] == str(demand.public_id)
        assert created["title_en"] == "Python data engineer"
        assert [s["code"] for s in created["skills"]] == ["nc.python"]

    def test_an_organisation_key_creates_for_its_own_enterprise(self, world: World) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}")
        body = new_order(world)
        del body["organisation"]
        response = send(client, "POST", API, body)
        assert response.status_code == 201
        assert response.json()["organisation"] == str(world.acme.public_id)


class TestTheWholeWay:
    def test_open_to_settled_with_a_revision(self, world: World) -> None:
        olivia, wendy = en(world.olivia), en(world.wendy)
        order_id = send(olivia, "POST", API, new_order(world)).json()["id"]
        path = f"{API}/{order_id}"
        assert (
            send(olivia, "POST", f"{path}/transitions", {"to": "open"}).json()["status"] == "open"
        )
        assert wendy.get(f"{API}?status=open").json()["items"][0]["id"] == order_id
        application = send(wendy, "POST", f"{path}/applications", {"note": "I can."}).json()
        assert application["status"] == "pending"
        assigned = send(olivia, "POST", f"{path}/applications/{application['id']}/assign").json()
        assert assigned["status"] == "assigned"
        assert assigned["nomad"] == str(world.wendy.public_id)
        send(wendy, "POST", f"{path}/transitions", {"to": "in_progress"})
        upload = send(
            wendy,
            "POST",
            f"{path}/deliverables",
            {"file": {"file_name": "app.pdf", "content_base64": b64(PDF)}, "milestone": 1},
        )
        assert upload.status_code == 201
        assert upload.json()["content_type"] == "application/pdf"
        assert send(wendy, "POST", f"{path}/transitions", {"to": "delivered"}).status_code == 200
        revision = send(
            olivia, "POST", f"{path}/transitions", {"to": "in_progress", "reason": "Add a test."}
        )
        assert revision.json()["revision_count"] == 1
        send(wendy, "POST", f"{path}/deliverables", {"url": "https://example.com/v2"})
        send(wendy, "POST", f"{path}/transitions", {"to": "delivered"})
        # milestone by milestone: the second is not delivered yet
        early = send(olivia, "POST", f"{path}/milestones/2/accept")
        assert_error(early, "milestone_not_delivered", status=409)
        assert "Milestone 2" in early.json()["message"]
        first = send(olivia, "POST", f"{path}/transitions", {"to": "accepted"}).json()
        assert first["status"] == "in_progress" and first["accepted_at"] is None
        assert [m["status"] for m in first["milestones"]] == ["accepted", "pending"]
        assert first["milestones"][0]["accepted_at"]
        send(wendy, "POST", f"{path}/deliverables", {"url": "https://example.com/v3"})
        delivered = send(wendy, "POST", f"{path}/transitions", {"to": "delivered", "milestone": 2})
        assert [m["status"] for m in delivered.json()["milestones"]] == ["accepted", "delivered"]
        accepted = send(olivia, "POST", f"{path}/milestones/2/accept").json()
        assert accepted["status"] == "accepted" and accepted["accepted_at"]
        send(olivia, "POST", f"{path}/transitions", {"to": "settled"})
        settlement = olivia.get(f"{path}/settlement").json()
        assert (settlement["total"], settlement["to_nomad"], settlement["to_enterprise"]) == (
            "2000.00",
            "2000.00",
            "0.00",
        )
        assert [line["to_nomad"] for line in settlement["lines"]] == ["0.10", "1999.90"]
        history = [
            (e["from_status"], e["to_status"], e["role"])
            for e in olivia.get(f"{path}/history").json()
        ]
        assert history[-5:] == [
            ("in_progress", "delivered", "nomad"),
            ("delivered", "in_progress", "enterprise"),
            ("in_progress", "delivered", "nomad"),
            ("delivered", "accepted", "enterprise"),
            ("accepted", "settled", "enterprise"),
        ]
        [work] = wendy.get(f"{API}/accepted").json()
        assert work["reference"] == f"order:{order_id}" and work["owed_to_nomad"] == "2000.00"
        deliverables = wendy.get(f"{path}/deliverables").json()
        download = wendy.get(deliverables[0]["download_url"].removeprefix("http://127.0.0.1:8000"))
        assert download.status_code == 200 and b"".join(download.streaming_content) == PDF


class TestRefusals:
    def test_a_move_not_allowed_from_the_state_names_it_and_changes_nothing(
        self, world: World
    ) -> None:
        order = open_order(world)
        olivia = en(world.olivia)
        before = database_fingerprint()
        response = send(olivia, "POST", f"{API}/{order.public_id}/transitions", {"to": "settled"})
        assert response.status_code == 409
        assert response.json() == {
            "code": "transition_not_allowed",
            "message": "An order that is “Open” cannot become “Settled”.",
            "fields": {},
        }
        assert database_fingerprint() == before

    def test_a_move_by_the_wrong_role_names_the_role_and_changes_nothing(
        self, world: World
    ) -> None:
        order = delivered_order(world)
        rita = en(world.rita)
        before = database_fingerprint()
        response = send(rita, "POST", f"{API}/{order.public_id}/transitions", {"to": "accepted"})
        assert response.status_code == 403
        body = response.json()
        assert body["code"] == "role_not_allowed"
        assert "“Delivered”" in body["message"] and "the enterprise" in body["message"]
        assert database_fingerprint() == before

    def test_a_failed_condition_says_why(self, world: World) -> None:
        order = delivered_order(world)
        response = send(
            en(world.olivia), "POST", f"{API}/{order.public_id}/transitions", {"to": "in_progress"}
        )
        assert (
            assert_error(response, "condition_not_met", status=409)["message"]
            == "The order stays “Delivered”: Give a reason."
        )

    def test_the_refusal_follows_the_language(self, world: World) -> None:
        order = open_order(world)
        client = client_for(world.olivia)
        client.cookies["nomadcloud_language"] = "zh-hans"
        response = send(client, "POST", f"{API}/{order.public_id}/transitions", {"to": "settled"})
        from django.utils import translation

        with translation.override("zh-hans"):
            expected = str(Order.Status.OPEN.label)
        assert f"“{expected}”" in response.json()["message"]

    def test_hidden_orders_are_not_found(self, world: World) -> None:
        draft = draft_order(world)
        response = en(world.charlie).get(f"{API}/{draft.public_id}")
        assert_error(response, "not_found")
        assert_error(en(world.charlie).get(f"{API}/not-a-uuid"), "invalid_input", "order_id")


class TestDisputes:
    def test_the_operator_splits_exactly(self, world: World) -> None:
        order = disputed_order(world)
        oscar = en(world.oscar)
        assert [d["order"] for d in oscar.get(f"{API}/disputes").json()["items"]] == [
            str(order.public_id)
        ]
        decision = send(
            oscar,
            "POST",
            f"{API}/{order.public_id}/dispute/decision",
            {
                "outcome": "split",
                "to_nomad": "1500.50",
                "to_enterprise": "2499.50",
                "reason": "Half delivered.",
                "evidence": "Thread and v1 file.",
            },
        ).json()
        assert (decision["to_nomad"], decision["to_enterprise"]) == ("1500.50", "2499.50")
        assert decision["rule_version"] == "orders-disputes-2026.1"
        assert decision["decided_by"] == "Oscar Operator"
        settlement = en(world.wendy).get(f"{API}/{order.public_id}/settlement").json()
        assert [(x["to_nomad"], x["to_enterprise"]) for x in settlement["lines"]] == [
            ("1200.50", "0.00"),
            ("300.00", "2499.50"),
        ]

    def test_a_split_that_does_not_add_up(self, world: World) -> None:
        order = disputed_order(world)
        oscar = en(world.oscar)
        before = database_fingerprint()
        response = send(
            oscar,
            "POST",
            f"{API}/{order.public_id}/dispute/decision",
            {"outcome": "split", "to_nomad": "1.00", "to_enterprise": "1.00", "reason": "r"},
        )
        assert response.status_code == 422 and response.json()["code"] == "split_mismatch"
        assert database_fingerprint() == before


class TestThreadAndRatings:
    def test_only_the_parties_read_and_write(self, world: World) -> None:
        order = accepted_order(world)
        path = f"{API}/{order.public_id}/messages"
        assert send(en(world.wendy), "POST", path, {"body": "Thanks!"}).status_code == 201
        assert [m["body"] for m in en(world.olivia).get(path).json()] == ["Thanks!"]
        assert_error(en(world.charlie).get(path), "not_found")
        rating = send(en(world.wendy), "POST", f"{API}/{order.public_id}/ratings", {"score": 5})
        assert rating.json()["side"] == "nomad"
        again = send(en(world.wendy), "POST", f"{API}/{order.public_id}/ratings", {"score": 1})
        assert again.status_code == 409 and again.json()["code"] == "already_rated"


class TestConversions:
    def _record(self, world: World, client: Client, **extra: Any) -> Any:
        order = extra.pop("order", None) or accepted_order(world)
        return send(
            client,
            "POST",
            f"{API}/conversions",
            {
                "organisation": str(world.acme.public_id),
                "nomad": str(world.wendy.public_id),
                "order": str(order.public_id),
                **extra,
            },
        )

    def test_a_contract_of_a_year_or_more(self, world: World) -> None:
        response = self._record(
            world,
            en(world.olivia),
            kind="contract",
            starts_on="2026-01-01",
            ends_on="2026-12-31",
            documents=[{"file_name": "contract.pdf", "content_base64": b64(PDF)}],
        )
        assert response.status_code == 201, response.content
        body = response.json()
        assert (body["term_months"], body["term_days"], body["one_year_or_more"]) == (12, 365, True)
        assert body["documents"][0]["original_name"] == "contract.pdf"
        shorter = self._record(
            world, en(world.olivia), kind="contract", starts_on="2026-01-02", ends_on="2026-12-31"
        ).json()
        assert (shorter["term_months"], shorter["one_year_or_more"]) == (11, False)
        assert en(world.wendy).get(f"{API}/conversions/{body['id']}").status_code == 200
        assert_error(en(world.charlie).get(f"{API}/conversions/{body['id']}"), "not_found")

    def test_a_business_needs_a_valid_credit_code(self, world: World) -> None:
        bad = self._record(
            world,
            en(world.olivia),
            kind="business",
            business_name="小雨工作室",
            credit_code="91460400MA5T00000X",
            registered_on="2026-03-01",
        )
        assert bad.status_code == 422 and bad.json()["code"] == "invalid_credit_code"
        good = self._record(
            world,
            en(world.olivia),
            kind="business",
            business_name="小雨工作室",
            credit_code=credit_code("xiaoyu studio").lower(),
            registered_on="2026-03-01",
        )
        assert good.status_code == 201
        assert good.json()["credit_code"] == credit_code("xiaoyu studio")

    def test_an_enterprise_records_only_with_people_who_worked_with_it(self, world: World) -> None:
        response = send(
            en(world.olivia),
            "POST",
            f"{API}/conversions",
            {
                "organisation": str(world.acme.public_id),
                "nomad": str(world.charlie.public_id),
                "kind": "flexible",
                "starts_on": "2026-05-01",
            },
        )
        assert response.status_code == 422 and response.json()["code"] == "not_linked"

    def test_the_report_per_quarter(self, world: World) -> None:
        order = accepted_order(world)
        for start, end in (("2026-01-10", "2027-01-09"), ("2026-02-01", "2026-06-30")):
            self._record(
                world, en(world.olivia), kind="contract", starts_on=start, ends_on=end, order=order
            )
        self._record(world, en(world.olivia), kind="flexible", starts_on="2026-04-02", order=order)
        report = en(world.oscar).get(f"{API}/conversions/report?period=quarter&year=2026").json()
        assert [
            (
                r["period"],
                r["contracts"],
                r["contracts_one_year_or_more"],
                r["flexible"],
                r["total"],
            )
            for r in report
        ] == [("2026-Q1", 2, 1, 0, 2), ("2026-Q2", 0, 0, 1, 1)]
        assert_error(en(world.olivia).get(f"{API}/conversions/report"), "operator_only")
        assert Conversion.objects.count() == 3


def test_dates_are_iso_strings(world: World) -> None:
    body = new_order(world)
    body["milestones"][0]["due_on"] = 20260101
    response = send(en(world.olivia), "POST", API, body)
    assert_error(response, "invalid_input", field="milestones.0.due_on")
