"""Connectors: the push API (organisation key, upsert by external id), the signed webhook
(accepted once, replays and stale timestamps refused) and feed pulls from a real HTTP server
on loopback (created → updated + closed → 304 unchanged, a malformed entry skipped, a
timeout reported), and the outbound-address rules."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict
from nomadcloud.demands import fetch, services
from nomadcloud.demands.models import Demand, DemandEvent, Feed, FeedSync, WebhookReceipt
from tests.builders.demands import demand_draft, demand_fields, make_concepts
from tests.conftest import World, client_for
from tests.helpers import assert_error

# --- push API ---------------------------------------------------------------------------------


def _api(secret: str) -> Client:
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_ACCEPT_LANGUAGE="en")


def test_the_organisation_key_posts_a_demand_in_chinese_for_its_enterprise(world: World) -> None:
    body = demand_fields(title_en="", status="published")
    response = _api(world.org_key_secret).post(
        "/api/v1/demands", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["organisation"] == str(world.acme.public_id)
    assert data["status"] == "published"
    assert data["budget_min"] == "15000.00"
    assert [s["code"] for s in data["skills"]] == ["nc.python"]
    demand = Demand.objects.get(public_id=data["id"])
    assert demand.source == "api"
    assert [(e.from_status, e.to_status) for e in demand.events.all()] == [
        ("", "draft"),
        ("draft", "published"),
    ]
    assert demand.events.last().api_token == world.org_key  # type: ignore[union-attr]


def test_the_organisation_key_cannot_post_for_another_enterprise(world: World) -> None:
    body = {**demand_fields(), "organisation": str(world.globex.public_id)}
    response = _api(world.org_key_secret).post(
        "/api/v1/demands", json.dumps(body), content_type="application/json"
    )
    assert_error(response, "not_found")
    assert not Demand.objects.exists()


def test_an_unknown_skill_is_refused_naming_the_field(world: World) -> None:
    body = demand_fields(skills=[{"code": "nc.python"}, {"code": "nc.cobol", "min_level": 2}])
    response = _api(world.org_key_secret).post(
        "/api/v1/demands", json.dumps(body), content_type="application/json"
    )
    body = assert_error(response, "unknown_concept", field="skills.1", status=422)
    assert "nc.cobol" in body["fields"]["skills.1"][0]
    assert not Demand.objects.exists()


def test_a_float_with_three_decimals_is_refused(world: World) -> None:
    response = _api(world.org_key_secret).post(
        "/api/v1/demands",
        json.dumps(demand_fields(budget_min=1000.125)),
        content_type="application/json",
    )
    assert_error(response, "invalid_input", field="budget_min")


def test_upsert_by_external_id_is_idempotent(world: World) -> None:
    client = _api(world.org_key_secret)
    body = json.dumps(demand_fields())
    first = client.put("/api/v1/demands/external/HR-7", body, content_type="application/json")
    assert first.status_code == 201, first.content
    assert first["X-NomadCloud-Outcome"] == "created"
    demand = Demand.objects.get(external_id="HR-7")
    events, updated_at = demand.events.count(), demand.updated_at

    again = client.put("/api/v1/demands/external/HR-7", body, content_type="application/json")
    assert again.status_code == 200
    assert again["X-NomadCloud-Outcome"] == "unchanged"
    demand.refresh_from_db()
    assert (demand.events.count(), demand.updated_at) == (events, updated_at)

    changed = json.dumps(demand_fields(headcount=3, status="paused"))
    third = client.put("/api/v1/demands/external/HR-7", changed, content_type="application/json")
    assert third["X-NomadCloud-Outcome"] == "updated"
    demand.refresh_from_db()
    assert (demand.headcount, demand.status) == (3, "paused")
    assert Demand.objects.count() == 1


# --- lifecycle --------------------------------------------------------------------------------


def test_the_lifecycle_follows_the_transition_table(world: World) -> None:
    owner = Principal.for_user(world.olivia)
    demand = services.create_demand(principal=owner, organisation=world.acme, draft=demand_draft())
    for status in ("published", "paused", "published", "filled"):
        services.change_status(principal=owner, demand=demand, status=status)
    demand.refresh_from_db()
    assert demand.status == "filled"
    assert [(e.from_status, e.to_status) for e in DemandEvent.objects.filter(demand=demand)] == [
        ("", "draft"),
        ("draft", "published"),
        ("published", "paused"),
        ("paused", "published"),
        ("published", "filled"),
    ]
    with pytest.raises(Conflict):
        services.change_status(principal=owner, demand=demand, status="published")
    draft = services.create_demand(principal=owner, organisation=world.acme, draft=demand_draft())
    with pytest.raises(Conflict):
        services.change_status(principal=owner, demand=draft, status="paused")


# --- webhook ----------------------------------------------------------------------------------


@pytest.fixture
def webhook_secret(world: World) -> str:
    return services.create_webhook_secret(
        principal=Principal.for_user(world.olivia), organisation=world.acme
    )


def _deliver(world: World, secret: str, body: bytes, timestamp: int | None = None) -> Any:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        f"/demands/webhooks/{world.acme.public_id}/",
        body,
        content_type="application/json",
        HTTP_X_NOMADCLOUD_TIMESTAMP=stamp,
        HTTP_X_NOMADCLOUD_SIGNATURE=services.sign(secret, stamp, body),
    )


def test_a_signed_webhook_is_accepted_once_and_its_replay_refused(
    world: World, webhook_secret: str
) -> None:
    body = json.dumps(demand_fields(external_id="W-1"), ensure_ascii=False).encode()
    stamp = int(time.time())
    first = _deliver(world, webhook_secret, body, stamp)
    assert first.status_code == 201, first.content
    assert first.json()["outcome"] == "created"
    replay = _deliver(world, webhook_secret, body, stamp)
    assert replay.status_code == 409
    assert replay.json()["code"] == "replayed"
    assert Demand.objects.get(external_id="W-1").source == "webhook"
    assert WebhookReceipt.objects.count() == 1
    # A new delivery of the same payload (new timestamp) is accepted and changes nothing.
    later = _deliver(world, webhook_secret, body, stamp + 1)
    assert later.json()["outcome"] == "unchanged"


def test_a_stale_timestamp_is_refused(world: World, webhook_secret: str) -> None:
    body = json.dumps(demand_fields(external_id="W-2")).encode()
    response = _deliver(world, webhook_secret, body, int(time.time()) - 301)
    assert response.status_code == 403
    assert response.json()["code"] == "stale_timestamp"
    assert not Demand.objects.exists()


def test_a_wrong_signature_is_refused(world: World, webhook_secret: str) -> None:
    body = json.dumps(demand_fields(external_id="W-3")).encode()
    response = _deliver(world, "ncw_not-the-secret", body)
    assert response.status_code == 403
    assert response.json()["code"] == "bad_signature"
    tampered = _deliver(world, webhook_secret, body)
    assert tampered.status_code == 201
    assert not WebhookReceipt.objects.filter(signature__startswith="x").exists()


def test_an_invalid_webhook_body_writes_nothing(world: World, webhook_secret: str) -> None:
    body = json.dumps({"kind": "job", "title_zh": "没有外部编号"}).encode()
    response = _deliver(world, webhook_secret, body)
    assert_error(response, "invalid_input", field="external_id")
    assert not Demand.objects.exists()
    assert not WebhookReceipt.objects.exists()


def test_the_webhook_secret_is_stored_encrypted(world: World, webhook_secret: str) -> None:
    endpoint = world.acme.demand_webhook
    assert webhook_secret not in endpoint.secret_encrypted
    assert endpoint.prefix == webhook_secret[:12]


# --- outbound address rules -------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/feed.json",
        "http://10.1.2.3/feed.json",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/feed.json",
        "http://192.168.0.10/feed.json",
        "http://0.0.0.0/feed.json",
    ],
)
def test_private_addresses_are_refused(url: str, settings: Any) -> None:
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    settings.FEED_ALLOWED_NETWORKS = []
    with pytest.raises(fetch.FetchError) as refused:
        fetch.fetch(url)
    assert refused.value.code == "address_refused"


def test_only_http_and_https_are_fetched(settings: Any) -> None:
    for url in ("file:///etc/passwd", "ftp://example.com/x", "gopher://x/"):
        with pytest.raises(fetch.FetchError) as refused:
            fetch.fetch(url)
        assert refused.value.code == "scheme_refused"


def test_a_narrow_allow_list_admits_one_network(settings: Any) -> None:
    import ipaddress

    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    settings.FEED_ALLOWED_NETWORKS = ["10.20.0.0/16"]
    assert fetch.address_allowed(ipaddress.ip_address("10.20.1.1"))
    assert not fetch.address_allowed(ipaddress.ip_address("10.21.1.1"))
    assert not fetch.address_allowed(ipaddress.ip_address("::ffff:127.0.0.1"))
    assert fetch.address_allowed(ipaddress.ip_address("8.8.8.8"))


# --- feed pulls from a loopback server --------------------------------------------------------


@dataclass
class FeedServer:
    url: str
    body: bytes = b"[]"
    etag: str = '"v1"'
    delay: float = 0.0
    status: int = 200
    redirect_to: str = ""
    requests: list[dict[str, str]] = field(default_factory=list)

    def serve(self, entries: list[Any], etag: str) -> None:
        self.body = json.dumps(entries, ensure_ascii=False).encode()
        self.etag = etag


@pytest.fixture
def feed_server(settings: Any) -> Iterator[FeedServer]:
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = True
    settings.FEED_TIMEOUT_SECONDS = 1
    state = FeedServer(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(dict(self.headers))
            if state.redirect_to and self.path != "/final":
                self.send_response(302)
                self.send_header("Location", state.redirect_to)
                self.end_headers()
                return
            if state.delay:
                time.sleep(state.delay)
            if self.headers.get("If-None-Match") == state.etag:
                self.send_response(304)
                self.end_headers()
                return
            self.send_response(state.status)
            self.send_header("Content-Type", "application/json")
            self.send_header("ETag", state.etag)
            self.send_header("Content-Length", str(len(state.body)))
            self.end_headers()
            self.wfile.write(state.body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/jobs.json"
    yield state
    server.shutdown()
    server.server_close()


def posting(identifier: str, title: str, **extra: Any) -> dict[str, Any]:
    return {
        "@context": "https://schema.org",
        "@type": "JobPosting",
        "identifier": {"@type": "PropertyValue", "value": identifier},
        "title": title,
        "description": f"<p>{title}：熟悉 Python 和 SQL，远程协作。</p>",
        "datePosted": "2026-05-01",
        "validThrough": "2026-07-31T23:59:59+08:00",
        "employmentType": "FULL_TIME",
        "jobLocationType": "TELECOMMUTE",
        "skills": ["Python", "Underwater basket weaving"],
        "baseSalary": {
            "@type": "MonetaryAmount",
            "currency": "CNY",
            "value": {
                "@type": "QuantitativeValue",
                "minValue": 18000,
                "maxValue": 26000.5,
                "unitText": "MONTH",
            },
        },
        **extra,
    }


@pytest.fixture
def acme_feed(world: World, feed_server: FeedServer) -> Feed:
    make_concepts()
    return services.add_feed(
        principal=Principal.for_user(world.olivia),
        organisation=world.acme,
        url=feed_server.url,
        format="jobposting",
    )


def test_a_feed_is_pulled_changed_and_pulled_again(
    world: World, feed_server: FeedServer, acme_feed: Feed
) -> None:
    feed_server.serve(
        [
            posting("J-1", "后端工程师"),
            posting("J-2", "Data analyst"),
            posting("J-3", "数据标注员"),
        ],
        '"v1"',
    )
    first = services.sync_feed(acme_feed.pk)
    assert (first.status, first.http_status) == ("ok", 200)
    assert (first.created, first.updated, first.unchanged, first.closed, first.skipped) == (
        3,
        0,
        0,
        0,
        0,
    )
    j1 = Demand.objects.get(external_id="J-1")
    assert j1.status == "published"
    assert j1.title_zh == "后端工程师"
    assert j1.work_mode == "remote"
    assert str(j1.budget_min), str(j1.budget_max) == ("18000.00", "26000.50")
    assert j1.pay_period == "month"
    assert str(j1.deadline) == "2026-07-31"
    assert [s.concept.code for s in j1.skills.all()] == ["nc.python"]
    assert Demand.objects.get(external_id="J-2").title_en == "Data analyst"

    # J-1 changes, J-3 disappears, J-2 stays the same.
    feed_server.serve(
        [posting("J-1", "高级后端工程师"), posting("J-2", "Data analyst")],
        '"v2"',
    )
    second = services.sync_feed(acme_feed.pk)
    assert (second.created, second.updated, second.unchanged, second.closed) == (0, 1, 1, 1)
    assert feed_server.requests[-1]["If-None-Match"] == '"v1"'
    assert Demand.objects.get(external_id="J-1").title_zh == "高级后端工程师"
    gone = Demand.objects.get(external_id="J-3")
    assert gone.status == "closed"
    assert gone.events.last().note == "no longer in the feed"  # type: ignore[union-attr]

    third = services.sync_feed(acme_feed.pk)
    assert (third.status, third.http_status) == ("not_modified", 304)
    assert (third.created, third.updated, third.closed) == (0, 0, 0)
    assert Demand.objects.get(external_id="J-3").status == "closed"

    # J-3 comes back: published again.
    feed_server.serve(
        [
            posting("J-1", "高级后端工程师"),
            posting("J-2", "Data analyst"),
            posting("J-3", "数据标注员"),
        ],
        '"v3"',
    )
    fourth = services.sync_feed(acme_feed.pk)
    assert (fourth.updated, fourth.unchanged) == (1, 2)
    assert Demand.objects.get(external_id="J-3").status == "published"


def test_a_malformed_entry_is_skipped_and_the_rest_applied(
    world: World, feed_server: FeedServer, acme_feed: Feed
) -> None:
    feed_server.serve(
        [
            posting("J-1", "后端工程师"),
            posting("J-2", "Priced in euro", baseSalary={"currency": "EUR", "value": 5000}),
            "not an object",
            {"@type": "JobPosting", "identifier": "J-4"},
            posting("J-5", "Analyst", jobLocationType=None),
            posting("J-6", "数据标注员"),
        ],
        '"v1"',
    )
    sync = services.sync_feed(acme_feed.pk)
    assert sync.status == "partial"
    assert (sync.created, sync.skipped) == (2, 4)
    assert [(e["index"], e["external_id"], e["field"]) for e in sync.skipped_entries] == [
        (1, "J-2", "baseSalary.currency"),
        (2, "", ""),
        (3, "J-4", "title"),
        (4, "J-5", "jobLocation"),
    ]
    assert "EUR" in sync.skipped_entries[0]["reason"]
    assert set(Demand.objects.values_list("external_id", flat=True)) == {"J-1", "J-6"}


def test_a_native_feed_uses_the_push_schema(world: World, feed_server: FeedServer) -> None:
    feed = services.add_feed(
        principal=Principal.for_user(world.olivia),
        organisation=world.acme,
        url=feed_server.url,
        format="native",
    )
    feed_server.serve(
        [
            demand_fields(external_id="N-1"),
            demand_fields(external_id="N-2", skills=[{"code": "nc.unknown"}]),
            demand_fields(external_id="N-3", budget_min="-1"),
        ],
        '"n1"',
    )
    sync = services.sync_feed(feed.pk)
    assert (sync.created, sync.skipped) == (1, 2)
    assert [(e["external_id"], e["field"]) for e in sync.skipped_entries] == [
        ("N-2", "skills.0"),
        ("N-3", "budget_min"),
    ]


def test_a_timeout_is_reported_and_the_feed_backs_off(
    world: World, feed_server: FeedServer, acme_feed: Feed
) -> None:
    feed_server.serve([posting("J-1", "后端工程师")], '"v1"')
    feed_server.delay = 2.5
    before = timezone.now()
    sync = services.sync_feed(acme_feed.pk)
    assert sync.status == "failed"
    assert "1" in sync.error  # names the time limit (in Olivia's language once translated)
    acme_feed.refresh_from_db()
    assert acme_feed.consecutive_failures == 1
    first_wait = acme_feed.next_run_at - before  # type: ignore[operator]
    services.sync_feed(acme_feed.pk)
    acme_feed.refresh_from_db()
    assert acme_feed.consecutive_failures == 2
    assert acme_feed.next_run_at - before > first_wait  # type: ignore[operator]
    assert not Demand.objects.exists()


def test_an_http_error_is_reported(world: World, feed_server: FeedServer, acme_feed: Feed) -> None:
    feed_server.status = 500
    sync = services.sync_feed(acme_feed.pk)
    assert (sync.status, sync.http_status) == ("failed", 500)


def test_redirects_are_followed_at_most_three_times(
    world: World, feed_server: FeedServer, acme_feed: Feed
) -> None:
    feed_server.serve([posting("J-1", "后端工程师")], '"v1"')
    feed_server.redirect_to = feed_server.url.replace("/jobs.json", "/final")
    assert services.sync_feed(acme_feed.pk).created == 1
    feed_server.redirect_to = feed_server.url.replace("/jobs.json", "/loop")
    sync = services.sync_feed(acme_feed.pk)
    assert sync.status == "failed"
    assert len(feed_server.requests) == 1 + 1 + 4  # 1 + 1 redirect, then 1 + 3 redirects


def test_a_loopback_feed_is_refused_without_the_setting(
    world: World, feed_server: FeedServer, acme_feed: Feed, settings: Any
) -> None:
    settings.FEED_ALLOW_PRIVATE_ADDRESSES = False
    sync = services.sync_feed(acme_feed.pk)
    assert sync.status == "failed"
    assert "127.0.0.1" in sync.error
    assert feed_server.requests == []


def test_sync_feeds_command_pulls_due_feeds(
    world: World, feed_server: FeedServer, acme_feed: Feed
) -> None:
    from django.core.management import call_command

    feed_server.serve([posting("J-1", "后端工程师")], '"v1"')
    call_command("sync_feeds")
    assert FeedSync.objects.get(feed=acme_feed).created == 1
    call_command("sync_feeds")  # not due again for an hour
    assert FeedSync.objects.filter(feed=acme_feed).count() == 1


def test_the_enterprise_sees_the_sync_report(
    world: World, feed_server: FeedServer, acme_feed: Feed
) -> None:
    feed_server.serve(
        [posting("J-1", "后端工程师"), {**posting("J-2", "x"), "title": None}], '"v1"'
    )
    services.sync_feed(acme_feed.pk)
    client = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/demands/feeds/{acme_feed.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "1 created, 0 updated, 0 unchanged, 0 closed, 1 skipped" in text
    assert "J-2" in text
