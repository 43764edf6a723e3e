"""API conventions: the error envelope in the reader's language, token authentication and
scopes, cursor pagination, idempotency keys, bad input."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core.models import AuditEvent
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import api_post, assert_error


class TestErrorEnvelope:
    def test_validation_errors_are_localized_and_name_the_field(self, db: None) -> None:
        zh = api_post(
            Client(HTTP_ACCEPT_LANGUAGE="zh-hans"),
            "/api/v1/people",
            {
                "display_name": "X",
                "password": "pw",
                "email": "x@example.com",
                "phone": "12345",
                "consent": True,
            },
        )
        en = api_post(
            Client(HTTP_ACCEPT_LANGUAGE="en"),
            "/api/v1/people",
            {
                "display_name": "X",
                "password": "pw",
                "email": "x@example.com",
                "phone": "12345",
                "consent": True,
            },
        )
        assert zh.status_code == en.status_code == 422
        assert set(en.json()) == {"code", "message", "fields"}
        assert en.json()["code"] == zh.json()["code"] == "invalid_phone"
        assert "phone" in en.json()["fields"]
        assert en.json()["message"] != zh.json()["message"]
        assert User.objects.count() == 0

    def test_schema_errors_use_the_envelope_too(self, db: None) -> None:
        response = api_post(
            Client(HTTP_ACCEPT_LANGUAGE="en"),
            "/api/v1/people",
            {"display_name": "", "preferred_language": "tlh"},
        )
        assert response.status_code == 422
        body = response.json()
        assert body["code"] == "invalid_input"
        assert {"display_name", "password", "preferred_language"} <= set(body["fields"])

    def test_malformed_json_is_a_clear_4xx(self, db: None) -> None:
        response = Client().post("/api/v1/people", "{not json", content_type="application/json")
        assert_error(response, "http_error")

    def test_oversized_requests_are_refused_before_any_work(self, db: None, settings: Any) -> None:
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
        response = api_post(
            Client(),
            "/api/v1/people",
            {"display_name": "x" * 5000, "password": "p", "email": "a@b.cn"},
        )
        assert_error(response, "http_error")
        assert User.objects.count() == 0

    def test_registration_through_the_api_needs_consent(self, db: None) -> None:
        body = {
            "display_name": "Api",
            "password": "correct-horse-battery-staple-42",
            "email": "api@example.com",
        }
        refused = api_post(Client(), "/api/v1/people", body)
        assert_error(refused, "consent_required", status=422)
        accepted = api_post(Client(), "/api/v1/people", {**body, "consent": True})
        assert accepted.status_code == 202
        assert User.objects.get(email="api@example.com").privacy_consented_at is not None

    def test_unauthenticated_requests_get_401_in_the_envelope(self, db: None) -> None:
        response = Client().get("/api/v1/me")
        assert_error(response, "not_authenticated")


class TestTokens:
    def test_personal_token_acts_as_its_person(self, world: World) -> None:
        response = Client().get(
            "/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {world.olivia_token_secret}"
        )
        assert response.status_code == 200
        assert response.json()["email"] == "olivia@example.com"

    def test_a_read_token_cannot_write(self, world: World) -> None:
        from nomadcloud.accounts import services
        from nomadcloud.accounts.principal import Principal

        _token, secret = services.create_personal_token(
            principal=Principal.for_user(world.olivia), name="ro", scope="read"
        )
        client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert client.get(f"/api/v1/organisations/{world.acme.public_id}").status_code == 200
        before = database_fingerprint()  # after the first use, which notes last_used_at
        response = client.patch(
            f"/api/v1/organisations/{world.acme.public_id}",
            json.dumps({"name_en": "Hacked"}),
            content_type="application/json",
        )
        assert_error(response, "scope")
        # The personal-data export needs a session or a write token and the password.
        assert_error(client.get("/api/v1/me/export"), "scope", status=403)
        assert database_fingerprint() == before

    def test_organisation_key_sees_only_its_organisation_and_cannot_manage(
        self, world: World
    ) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}")
        listed = client.get("/api/v1/organisations").json()["items"]
        assert [o["id"] for o in listed] == [str(world.acme.public_id)]
        assert_error(client.get(f"/api/v1/organisations/{world.globex.public_id}"), "not_found")
        invite = api_post(
            client,
            f"/api/v1/organisations/{world.acme.public_id}/invitations",
            {"email": "z@example.com"},
        )
        assert_error(invite, "forbidden")
        assert_error(client.get("/api/v1/me"), "person_only")  # a key is not a person

    def test_revoked_and_garbage_tokens_are_401(self, world: World) -> None:
        for header in [
            "Bearer nope",
            "Bearer ncp_x_y",
            "Basic abc",
            f"Bearer {world.olivia_token_secret}x",
        ]:
            assert_error(Client(HTTP_AUTHORIZATION=header).get("/api/v1/me"), "not_authenticated")

    def test_changes_through_a_token_are_audited_with_the_token(self, world: World) -> None:
        client = Client(HTTP_AUTHORIZATION=f"Bearer {world.olivia_token_secret}")
        response = client.patch(
            "/api/v1/me", json.dumps({"display_name": "Olivia O."}), content_type="application/json"
        )
        assert response.status_code == 200
        event = AuditEvent.objects.get(action="accounts.person.update")
        assert (event.actor, event.api_token) == (world.olivia, world.olivia_token)


class TestPagination:
    def test_cursor_walks_every_item_once(self, world: World) -> None:
        client = client_for(world.oscar)
        for index in range(7):
            Organisation.objects.create(kind="merchant", name_en=f"Shop {index}")
        seen: list[str] = []
        url = "/api/v1/organisations?limit=3"
        while url:
            page = client.get(url).json()
            seen += [item["id"] for item in page["items"]]
            url = (
                f"/api/v1/organisations?limit=3&cursor={page['next_cursor']}"
                if page["next_cursor"]
                else ""
            )
        assert len(seen) == len(set(seen)) == Organisation.objects.count()

    @pytest.mark.parametrize("query", ["cursor=%%%", "cursor=eDox", "limit=0", "limit=100000"])
    def test_bad_paging_is_refused(self, world: World, query: str) -> None:
        response = client_for(world.oscar).get(f"/api/v1/organisations?{query}")
        field = query.split("=")[0]
        assert_error(response, "invalid_input", field=field)


class TestIdempotency:
    def test_a_retry_replays_and_a_changed_body_is_refused(self, world: World) -> None:
        client = client_for(world.bob)
        first = api_post(
            client,
            "/api/v1/organisations",
            {"kind": "merchant", "name_en": "Tea"},
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
        retry = api_post(
            client,
            "/api/v1/organisations",
            {"kind": "merchant", "name_en": "Tea"},
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
        assert first.status_code == retry.status_code == 201
        assert retry.json() == first.json()
        assert retry["Idempotent-Replayed"] == "true"
        assert Organisation.objects.filter(name_en="Tea").count() == 1
        changed = api_post(
            client,
            "/api/v1/organisations",
            {"kind": "merchant", "name_en": "Coffee"},
            HTTP_IDEMPOTENCY_KEY="k-1",
        )
        assert_error(changed, "idempotency_key_reused", status=422)
        assert not Organisation.objects.filter(name_en="Coffee").exists()

    def test_keys_are_per_caller(self, world: World) -> None:
        body = {"kind": "merchant", "name_en": "Same"}
        api_post(client_for(world.bob), "/api/v1/organisations", body, HTTP_IDEMPOTENCY_KEY="k")
        api_post(client_for(world.rita), "/api/v1/organisations", body, HTTP_IDEMPOTENCY_KEY="k")
        assert Organisation.objects.filter(name_en="Same").count() == 2

    def test_failed_requests_can_be_retried(self, world: World) -> None:
        client = client_for(world.bob)
        bad = api_post(
            client, "/api/v1/organisations", {"kind": "merchant"}, HTTP_IDEMPOTENCY_KEY="k-2"
        )
        assert_error(bad, "invalid_input", field="name_zh")
        good = api_post(
            client, "/api/v1/organisations", {"kind": "merchant"}, HTTP_IDEMPOTENCY_KEY="k-3"
        )
        assert_error(
            good, "invalid_input", field="name_zh"
        )  # still no name: refused again, not replayed as success


class TestAuditThroughTheApi:
    def test_each_change_records_actor_request_and_channel(self, world: World) -> None:
        client = client_for(world.olivia)
        response = client.patch(
            f"/api/v1/organisations/{world.acme.public_id}",
            json.dumps({"name_en": "Acme Global"}),
            content_type="application/json",
            HTTP_X_REQUEST_ID="req-12345678",
        )
        assert response.status_code == 200
        assert response["X-Request-ID"] == "req-12345678"
        event = AuditEvent.objects.filter(action="accounts.organisation.update").get()
        assert event.actor == world.olivia
        assert event.channel == "api"
        assert event.request_id == "req-12345678"
        assert event.summary == {"before": {"name_en": "Acme"}, "after": {"name_en": "Acme Global"}}
        listing = (
            client_for(world.oscar)
            .get("/api/v1/audit-events?action=accounts.organisation.update")
            .json()
        )
        assert [item["id"] for item in listing["items"]] == [event.pk]
