"""The nomad's list of credentials and downloads, the printable page with its QR code, the
verify page's verification links and QR scanner markup, the operator's page; and
checkpoints published on a schedule (task, command) and on demand (API, page)."""

from __future__ import annotations

import re
from io import StringIO
from typing import Any

import pytest
import segno
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.models import AuditEvent
from nomadcloud.proofs import services, tasks, views
from nomadcloud.proofs.models import Checkpoint, Credential
from tests.builders.proofs import claims
from tests.conftest import World, client_for
from tests.helpers import assert_error


def issue(w: World, source: str = "p1", user: Any = None) -> Credential:
    credential = services.issue_credential(user or w.rita, claims(source))
    assert credential is not None
    return credential


def test_my_credentials_list_shows_claims_status_and_downloads(world: World) -> None:
    first = issue(world, "one")
    second = issue(world, "two")
    issue(world, "bob's", user=world.bob)
    services.revoke(
        principal=Principal.for_user(world.oscar), credential=first, reason="issued twice"
    )
    page = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="en").get("/proofs/mine/")
    text = page.content.decode()
    assert page.status_code == 200
    rows = re.findall(r'data-credential="([0-9a-f-]+)"', text)
    assert rows == [str(second.public_id), str(first.public_id)]  # newest first, own only
    assert "Image labelling" in text and "Acme" in text and "12.50" in text
    assert "issued twice" in text and "revoked" in text
    for credential in (first, second):
        cid = credential.public_id
        assert f"/proofs/mine/{cid}.json" in text
        assert f"/proofs/mine/{cid}/openbadge.json" in text
        assert f"/proofs/mine/{cid}/print/" in text
    zh = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="zh-hans").get("/proofs/mine/")
    assert "图像标注" in zh.content.decode() and "艾克米" in zh.content.decode()


def test_the_list_costs_the_same_queries_for_many_credentials(world: World) -> None:
    client = client_for(world.rita)
    issue(world, "a")
    with CaptureQueriesContext(connection) as few:
        client.get("/proofs/mine/")
    services.issue_credentials(world.rita, [claims(f"m{i}") for i in range(30)])
    with CaptureQueriesContext(connection) as many:
        client.get("/proofs/mine/")
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_workspace_links_to_the_list(world: World) -> None:
    page = client_for(world.rita).get("/accounts/workspace/")
    assert b'href="/proofs/mine/"' in page.content
    operator = client_for(world.oscar).get("/accounts/workspace/")
    assert b'href="/proofs/operator/"' in operator.content


def test_the_printable_page_has_claims_and_a_qr_code_of_the_verification_link(
    world: World,
) -> None:
    credential = issue(world)
    url = services.verification_url(credential)
    assert url.endswith(f"/proofs/verify/?credential={credential.public_id}")
    page = client_for(world.rita, HTTP_ACCEPT_LANGUAGE="zh-hans").get(
        f"/proofs/mine/{credential.public_id}/print/"
    )
    text = page.content.decode()
    assert page.status_code == 200
    assert "图像标注" in text and "艾克米" in text and "12.50" in text
    assert url in text and "proofs/print.css" in text
    svg = re.search(r'<svg[^>]*class="segno".*?</svg>', text, re.S)  # not the header's icons
    assert svg is not None
    # the drawn modules are those of the QR code of the verification link
    expected = segno.make(url, error="m", micro=False)
    assert svg.group(0) == views.qr_svg(url)
    assert f'width="{(expected.symbol_size(scale=4, border=4))[0]}"' in svg.group(0)
    assert (
        client_for(world.bob).get(f"/proofs/mine/{credential.public_id}/print/").status_code == 404
    )


def test_a_verification_link_shows_the_full_result(world: World) -> None:
    credential = issue(world)
    services.publish_checkpoint()
    client = client_for(None, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/proofs/verify/?credential={credential.public_id}")
    text = page.content.decode()
    assert page.status_code == 200 and 'data-valid="true"' in text
    assert text.count('data-testid="check"') == 6 and "Image labelling" in text
    services.revoke(principal=Principal.for_user(world.oscar), credential=credential, reason="x1")
    page = client.get(f"/proofs/verify/?credential={credential.public_id}")
    assert 'data-valid="false"' in page.content.decode() and "x1" in page.content.decode()
    for bad in ("00000000-0000-0000-0000-000000000000", "not-a-uuid", ""):
        response = client.get(f"/proofs/verify/?credential={bad}")
        assert response.status_code == 404
        assert b"No such credential." in response.content


def test_the_verify_page_offers_qr_scanning_without_inline_script(client: Any) -> None:
    text = client.get("/proofs/verify/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'src="/static/vendor/jsQR.js"' in text and 'src="/static/proofs/verify.js"' in text
    assert 'data-testid="qr-photo"' in text and 'data-testid="scan-camera"' in text
    assert re.search(r"<script>(?!</script>)", text) is None  # no inline script


def test_pasted_input_never_crashes(world: World, client: Any) -> None:
    for text in ("", "{", "[]", "null", '{"proof": 1}', '{"credential": 5}', "x" * 300_000):
        response = client.post("/proofs/verify/", {"credential": text})
        assert response.status_code == 200 and b'data-valid="false"' in response.content


def test_the_operator_revokes_on_the_page(world: World) -> None:
    credential = issue(world)
    client = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en")
    page = client.get(f"/proofs/operator/?credential={credential.public_id}")
    assert b'data-testid="revoke-form"' in page.content
    path = f"/proofs/operator/credentials/{credential.public_id}/revoke"
    empty = client.post(path, {})
    assert empty.status_code == 422
    confirm = client.get(path, {"reason": "fraud"}).content.decode()  # the page's form
    assert 'name="confirm" value="yes"' in confirm and "taken back" in confirm
    unconfirmed = client.post(path, {"reason": "fraud"})
    assert unconfirmed.status_code == 302  # refused with a message, nothing changed
    credential.refresh_from_db()
    assert credential.revoked_at is None
    done = client.post(path, {"reason": "fraud", "confirm": "yes"})
    assert done.status_code == 302
    credential.refresh_from_db()
    assert credential.revoked_reason == "fraud" and credential.revoked_by == world.oscar
    again = client.post(path, {"reason": "again", "confirm": "yes"})
    assert again.status_code == 302  # refused with a message
    credential.refresh_from_db()
    assert credential.revoked_reason == "fraud"
    missing = client.get("/proofs/operator/?credential=nope")
    assert missing.status_code == 200 and b"No such credential." in missing.content
    assert client_for(world.olivia).get("/proofs/operator/").status_code == 403


def test_checkpoints_on_demand_through_the_api_are_operator_only_and_audited(
    world: World,
) -> None:
    issue(world)
    client = client_for(world.oscar)
    first = client.post("/api/v1/proofs/checkpoints")
    assert first.status_code == 200 and first.json()["new"] is True
    assert first.json()["size"] == 1
    again = client.post("/api/v1/proofs/checkpoints").json()
    assert again["new"] is False and again["note"] == first.json()["note"]
    assert Checkpoint.objects.count() == 1
    assert AuditEvent.objects.filter(action="proofs.checkpoint.publish").count() == 2
    for user, code in (
        (world.olivia, "forbidden"),
        (world.rita, "forbidden"),
        (None, "not_authenticated"),
    ):
        assert_error(client_for(user).post("/api/v1/proofs/checkpoints"), code)
    org_key = client_for(None, HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}")
    assert_error(org_key.post("/api/v1/proofs/checkpoints"), "forbidden")
    page = client.post("/proofs/operator/checkpoint")
    assert page.status_code == 302 and Checkpoint.objects.count() == 1


def test_the_scheduled_task_and_command_publish_only_when_the_log_grew(world: World) -> None:
    assert tasks.publish_checkpoint.call() == {"size": 0, "new": True}
    assert tasks.publish_checkpoint.call() == {"size": 0, "new": False}
    issue(world)
    assert tasks.publish_checkpoint.call() == {"size": 1, "new": True}
    out, err = StringIO(), StringIO()
    call_command("proofs", "checkpoint", stdout=out, stderr=err)
    assert Checkpoint.objects.count() == 2
    assert out.getvalue() == Checkpoint.objects.latest("id").note and err.getvalue()
    issue(world, "another")
    quiet = StringIO()
    call_command("proofs", "checkpoint", "--quiet", stdout=quiet)
    assert quiet.getvalue() == "" and Checkpoint.objects.latest("id").size == 2


def test_the_api_lists_own_credentials_with_their_status(world: World) -> None:
    credential = issue(world)
    services.revoke(principal=Principal.for_user(world.oscar), credential=credential, reason="r")
    [item] = client_for(world.rita).get("/api/v1/proofs/credentials").json()
    assert item["revoked"] is True and item["revoked_reason"] == "r"
    assert (item["status_list"], item["status_index"]) == (1, 0)
    assert item["verification_url"] == services.verification_url(credential)
    assert client_for(world.bob).get("/api/v1/proofs/credentials").json() == []


@pytest.mark.parametrize("body", ["[]", "42", '"x"', "{", "null"])
def test_the_verify_api_refuses_what_is_not_an_object(client: Any, body: str) -> None:
    response = client.post("/api/v1/proofs/verify", body, content_type="application/json")
    assert assert_error(response, "invalid_input", field="body")["fields"]["body"]
