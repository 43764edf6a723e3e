"""Notifications: the registry and its templates rendered in the reader's language, e-mail
after commit unless opted out, marking read, the pages, the API and the unread count."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core import mail
from django.db import transaction
from django.test import RequestFactory
from django.utils import translation
from django.utils.translation import gettext_lazy

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import InvalidInput, NotFound
from nomadcloud.notifications import access, kinds, services
from nomadcloud.notifications.context import unread_count
from nomadcloud.notifications.models import Notification, NotificationPreference
from nomadcloud.notifications.services import notify
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import assert_error

API = "/api/v1/notifications"


def in_english(user: Any) -> Any:
    """A signed-in client reading in English (the cookie overrides the saved choice)."""
    client = client_for(user)
    client.cookies["nomadcloud_language"] = "en"
    return client


@pytest.fixture(autouse=True)
def _test_kind() -> None:
    kinds.register(
        "tests.hello",
        title=gettext_lazy("Welcome to NomadCloud, %(name)s"),
        body=gettext_lazy("Every page and message in Simplified Chinese and English."),
    )


def send(client: Any, method: str, path: str, body: Any = None) -> Any:
    return client.generic(
        method, path, json.dumps(body) if body is not None else "", content_type="application/json"
    )


class TestKinds:
    def test_templates_are_rendered_with_their_parameters(self) -> None:
        spec = kinds.get("tests.hello")
        assert spec is not None
        with translation.override("en"):
            assert kinds.render(spec.title, {"name": "Emma"}) == "Welcome to NomadCloud, Emma"

    def test_a_missing_parameter_shows_a_dash_not_an_error(self) -> None:
        spec = kinds.get("tests.hello")
        assert spec is not None
        assert kinds.render(spec.title, {}, "en") == "Welcome to NomadCloud, —"
        with translation.override("en"):
            assert spec.describe() == "Welcome to NomadCloud, …"

    def test_every_app_registered_its_kinds(self) -> None:
        keys = {k.key for k in kinds.all_kinds()}
        assert {"notifications.welcome", "training.passed", "orders.delivered"} <= keys
        for spec in kinds.all_kinds():  # every template renders without a format error
            kinds.render(spec.title, {}, "en")
            kinds.render(spec.body, {}, "zh-hans")


class TestNotify:
    def test_stores_and_emails_after_commit_in_the_recipients_language(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        world.charlie.preferred_language = "en"
        world.charlie.save()
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            notification = notify(
                world.charlie, "tests.hello", params={"name": "Charlie"}, url="/orders/"
            )
            assert mail.outbox == []  # nothing before the commit
        assert len(callbacks) == 1
        assert (notification.kind, notification.params, notification.read_at) == (
            "tests.hello",
            {"name": "Charlie"},
            None,
        )
        [message] = mail.outbox
        assert message.to == ["charlie@example.com"]
        assert message.subject == "NomadCloud: Welcome to NomadCloud, Charlie"
        assert "http://" in message.body and "/orders/" in message.body
        assert "/notifications/preferences/" in message.body
        assert Notification.objects.get(pk=notification.pk).emailed_at is not None

    def test_no_email_when_the_person_opted_out(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        services.set_email_preferences(
            principal=Principal.for_user(world.bob), email={"tests.hello": False}
        )
        with django_capture_on_commit_callbacks(execute=True):
            notify(world.bob, "tests.hello", params={"name": "Bob"})
        assert mail.outbox == []
        assert Notification.objects.filter(recipient=world.bob).count() == 1

    def test_kinds_without_email_by_default(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True):
            notify(world.bob, "notifications.welcome", params={"name": "Bob"})
        assert mail.outbox == []
        services.set_email_preferences(
            principal=Principal.for_user(world.bob), email={"notifications.welcome": True}
        )
        with django_capture_on_commit_callbacks(execute=True):
            notify(world.bob, "notifications.welcome", params={"name": "Bob"})
        assert len(mail.outbox) == 1

    def test_no_email_when_the_transaction_rolls_back(
        self, world: World, django_capture_on_commit_callbacks: Any
    ) -> None:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            try:
                with transaction.atomic():
                    notify(world.bob, "tests.hello", params={"name": "Bob"})
                    raise RuntimeError("rolled back")
            except RuntimeError:
                pass
        assert callbacks == [] and mail.outbox == []
        assert not Notification.objects.filter(recipient=world.bob).exists()

    def test_programming_errors_are_loud(self, world: World) -> None:
        with pytest.raises(ValueError):
            notify(world.bob, "tests.unknown")
        with pytest.raises(ValueError):
            notify(world.bob, "tests.hello", url="https://evil.example/")
        with pytest.raises(ValueError):
            notify(world.bob, "tests.hello", url="//evil.example/")

    def test_displayed_in_the_readers_language(self, world: World) -> None:
        notification = notify(world.bob, "tests.hello", params={"name": "Bob"})
        assert notification.title("en") == "Welcome to NomadCloud, Bob"
        with translation.override("zh-hans"):
            expected = str(gettext_lazy("Welcome to NomadCloud, %(name)s")) % {"name": "Bob"}
        assert notification.title("zh-hans") == expected


class TestReading:
    def test_mark_read_and_all_read(self, world: World) -> None:
        first = notify(world.bob, "tests.hello", params={"name": "1"})
        notify(world.bob, "tests.hello", params={"name": "2"})
        notify(world.rita, "tests.hello", params={"name": "Rita"})
        bob = Principal.for_user(world.bob)
        assert services.unread_count(world.bob) == 2
        services.mark_read(principal=bob, notification=first)
        read_at = Notification.objects.get(pk=first.pk).read_at
        assert read_at is not None
        services.mark_read(principal=bob, notification=first)  # again: the first time stays
        assert Notification.objects.get(pk=first.pk).read_at == read_at
        assert services.mark_all_read(principal=bob) == 1
        assert services.unread_count(world.bob) == 0
        assert services.unread_count(world.rita) == 1

    def test_nobody_reaches_anothers_notification(self, world: World) -> None:
        theirs = notify(world.rita, "tests.hello")
        with pytest.raises(NotFound):
            access.notification_for(Principal.for_user(world.bob), theirs.pk)
        with pytest.raises(NotFound):
            access.notification_for(Principal.for_user(world.bob), "x")

    def test_unknown_kinds_cannot_be_set(self, world: World) -> None:
        before = database_fingerprint()
        with pytest.raises(InvalidInput):
            services.set_email_preferences(
                principal=Principal.for_user(world.bob), email={"nope.kind": True}
            )
        assert database_fingerprint() == before

    def test_the_unread_count_for_the_header(self, world: World) -> None:
        notify(world.bob, "tests.hello")
        request = RequestFactory().get("/")
        request.user = world.bob
        assert unread_count(request) == {"notifications_unread": 1}
        from django.contrib.auth.models import AnonymousUser

        request.user = AnonymousUser()
        assert unread_count(request) == {"notifications_unread": 0}


class TestPages:
    def test_the_list_opens_and_marks_read(self, world: World) -> None:
        notification = notify(world.bob, "tests.hello", params={"name": "Bob"}, url="/orders/")
        client = in_english(world.bob)
        page = client.get("/notifications/").content.decode()
        assert "Welcome to NomadCloud, Bob" in page and 'data-testid="unread-count"' in page
        response = client.post(f"/notifications/{notification.pk}/open/")
        assert response.status_code == 302 and response["Location"] == "/orders/"
        assert Notification.objects.get(pk=notification.pk).read_at is not None
        assert client.post(f"/notifications/{notification.pk + 99}/open/").status_code == 404

    def test_email_settings_per_kind(self, world: World) -> None:
        client = in_english(world.bob)
        page = client.get("/notifications/preferences/").content.decode()
        assert 'value="tests.hello"' in page
        client.post("/notifications/preferences/", {"email": ["notifications.welcome"]})
        chosen = dict(
            NotificationPreference.objects.filter(user=world.bob).values_list("kind", "email")
        )
        assert chosen["notifications.welcome"] is True and chosen["tests.hello"] is False


class TestApi:
    def test_list_is_paginated_newest_first_and_only_mine(self, world: World) -> None:
        for n in range(3):
            notify(world.bob, "tests.hello", params={"name": str(n)})
        notify(world.rita, "tests.hello")
        client = in_english(world.bob)
        first = client.get(f"{API}?limit=2").json()
        assert [i["title"] for i in first["items"]] == [
            "Welcome to NomadCloud, 2",
            "Welcome to NomadCloud, 1",
        ]
        rest = client.get(f"{API}?limit=2&cursor={first['next_cursor']}").json()
        assert [i["params"]["name"] for i in rest["items"]] == ["0"] and rest["next_cursor"] is None
        assert client.get(f"{API}/unread-count").json() == {"unread": 3}
        item_id = first["items"][0]["id"]
        marked = send(client, "POST", f"{API}/{item_id}/read").json()
        assert marked["read_at"] is not None
        assert client.get(f"{API}?unread=true").json()["items"][0]["params"]["name"] == "1"
        rita_item = Notification.objects.get(recipient=world.rita).pk
        refused = send(client, "POST", f"{API}/{rita_item}/read")
        assert refused.status_code == 404 and refused.json()["code"] == "not_found"
        assert send(client, "POST", f"{API}/read-all").json() == {"marked": 2}

    def test_preferences(self, world: World) -> None:
        client = in_english(world.bob)
        listed = {p["kind"]: p for p in client.get(f"{API}/preferences").json()}
        assert listed["notifications.welcome"]["email"] is False
        assert listed["training.passed"]["label"] == "Training: your work passed"
        saved = send(client, "PUT", f"{API}/preferences", {"email": {"training.passed": False}})
        assert {p["kind"]: p["email"] for p in saved.json()}["training.passed"] is False
        bad = send(client, "PUT", f"{API}/preferences", {"email": {"no.such": True}})
        assert list(assert_error(bad, "invalid_input")["fields"]) == ["email.no.such"]

    def test_an_organisation_key_has_no_notifications(self, world: World) -> None:
        from django.test import Client

        client = Client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}")
        response = client.get(API)
        assert response.status_code == 403 and response.json()["code"] == "person_only"
