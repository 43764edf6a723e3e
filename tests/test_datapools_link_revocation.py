"""Revoking one download link (docs/datapools.md, decision 0064): the steward's editors or the
person it was issued to, with a reason and a confirmation; the link then answers 410 with a
localized page, the revocation is recorded, the agreement's other links keep working."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.utils import translation

from nomadcloud.accounts.models import Membership
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.models import AuditEvent
from nomadcloud.datapools import downloads
from nomadcloud.datapools.models import DownloadLink
from tests.builders import datapools as b
from tests.builders.world import make_person
from tests.conftest import World, client_for
from tests.helpers import api_get, api_post, assert_error

API = "/api/v1/datapools"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _two_links(w: World) -> tuple[Any, dict[str, Any], dict[str, Any]]:
    agreed = b.agreement_for(w, "download")
    charlie = Principal.for_user(w.charlie)
    first = downloads.issue_link(principal=charlie, negotiation=agreed)
    second = downloads.issue_link(principal=charlie, negotiation=agreed)
    return agreed, first, second


def _revoke(who: Any, link: dict[str, Any], **body: Any) -> Any:
    return api_post(who, f"{API}/download-links/{link['id']}/revocation", body)


def test_the_steward_revokes_one_link_and_the_others_keep_working(world: World) -> None:
    agreed, first, second = _two_links(world)
    # Confirmation and a reason are required; nothing changes without them.
    assert_error(_revoke(world.olivia, first, reason="leak"), "confirmation_required", "confirm")
    assert_error(_revoke(world.olivia, first, reason="", confirm=True), "invalid_input", "reason")
    assert not DownloadLink.objects.filter(revoked_at__isnull=False).exists()
    done = _revoke(world.olivia, first, reason="Sent to the wrong team", confirm=True)
    assert done.status_code == 200, done.content
    body = done.json()
    assert body["revoke_reason"] == "steward" and body["revoke_note"] == "Sent to the wrong team"
    assert body["revoked_by"] == str(world.olivia.public_id) and body["revoked_at"]
    row = DownloadLink.objects.get(public_id=first["id"])
    assert row.revoked_by == world.olivia and row.revoke_note == "Sent to the wrong team"
    assert AuditEvent.objects.filter(action="datapools.download.revoke_one").exists()
    # The revoked link: 410 with a page in the reader's language; the other one streams.
    gone = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="zh-hans").get(first["url"])
    assert gone.status_code == 410 and "撤销" in gone.content.decode()
    gone_en = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en").get(first["url"])
    assert gone_en.status_code == 410 and b"revoked" in gone_en.content
    live = client_for(world.charlie).get(second["url"])
    assert live.status_code == 200
    assert b"".join(live.streaming_content)[:4] == b"PAR1"  # type: ignore[attr-defined]
    # Revoking it again says so.
    again = _revoke(world.olivia, first, reason="again", confirm=True)
    assert_error(again, "already_revoked")
    # The API lists the agreement's links with their revocation, for both sides.
    for who in (world.olivia, world.charlie):
        listed = api_get(who, f"{API}/negotiations/{agreed.public_id}/download-links").json()
        states = {i["id"]: i["revoke_note"] for i in listed["items"]}
        assert (
            states[str(first["id"])] == "Sent to the wrong team" and states[str(second["id"])] == ""
        )


def test_the_holder_revokes_their_own_link_and_nobody_else_may(world: World) -> None:
    _agreed, first, second = _two_links(world)
    # Another member of the consumer who does not hold it, a read-only member of the steward.
    colleague = make_person("Greta Globex", "greta@example.com")
    Membership.objects.create(user=colleague, organisation=world.globex, role="member")
    assert_error(_revoke(colleague, first, reason="x", confirm=True), "not_link_holder")
    assert_error(_revoke(world.rita, first, reason="x", confirm=True), "not_link_holder")
    # Someone outside both organisations does not see the link.
    assert_error(_revoke(world.wendy, first, reason="x", confirm=True), "not_found")
    done = _revoke(world.charlie, first, reason="No longer needed", confirm=True)
    assert done.status_code == 200 and done.json()["revoke_reason"] == "holder"
    assert client_for(world.charlie).get(first["url"]).status_code == 410
    assert client_for(world.charlie).get(second["url"]).status_code == 200


def test_the_agreement_page_revokes_one_link_after_a_confirmation(world: World) -> None:
    agreed, first, second = _two_links(world)
    page_url = f"/datapools/negotiations/{agreed.public_id}/"
    for who in (world.olivia, world.charlie):  # both sides see the links and may revoke
        page = client_for(who, HTTP_ACCEPT_LANGUAGE="en").get(page_url)
        assert page.content.count(b'data-testid="revoke-link"') == 2
    consumer_page = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en").get(page_url)
    assert b'data-testid="revoke-downloads"' not in consumer_page.content  # steward only
    steward = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    action = f"/datapools/download-links/{first['id']}/revoke/"
    asked = steward.post(action, {"reason": "Wrong recipient"})
    assert asked.status_code == 200 and b"Revoke this download link?" in asked.content
    assert b"Wrong recipient" in asked.content
    assert DownloadLink.objects.get(public_id=first["id"]).revoked_at is None
    done = steward.post(action, {"reason": "Wrong recipient", "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == page_url
    assert DownloadLink.objects.get(public_id=first["id"]).revoke_note == "Wrong recipient"
    page = steward.get(page_url)
    assert b"revoked by the steward" in page.content and b"Wrong recipient" in page.content
    assert page.content.count(b'data-testid="revoke-link"') == 1
    # No reason: refused with the field's message, nothing changed.
    refused = steward.post(f"/datapools/download-links/{second['id']}/revoke/", {"confirm": "yes"})
    assert refused.status_code == 302
    assert DownloadLink.objects.get(public_id=second["id"]).revoked_at is None
    assert client_for(world.charlie).get(second["url"]).status_code == 200
