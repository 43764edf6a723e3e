"""Presigned uploads of contributions and revocable download links (docs/datapools.md,
decision 0058)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from unittest import mock
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone, translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict
from nomadcloud.datapools import downloads, negotiation, poolfiles, uploads
from nomadcloud.datapools.models import Contribution, DownloadLink, UploadSlot
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import api_post, assert_error

API = "/api/v1/datapools"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _slot(w: World, data: bytes, who: str = "bob", **extra: Any) -> Any:
    pool = b.traffic_pool(w)
    body = {
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": "text/csv",
        "consent_notice_version": b.NOTICE,
        "give_consent": True,
        **extra,
    }
    return api_post(getattr(w, who), f"{API}/pools/{pool.public_id}/upload-slots", body)


def _put(w: World, url: str, data: bytes, language: str = "en") -> Any:
    anyone = client_for(None, HTTP_ACCEPT_LANGUAGE=language)
    return anyone.generic("PUT", url, data, content_type="text/csv")


def test_a_local_upload_streams_to_storage_then_completes_as_a_contribution(world: World) -> None:
    opened = _slot(world, b.GOOD_CSV)
    assert opened.status_code == 201, opened.content
    slot = opened.json()
    assert slot["multipart"] is False and len(slot["parts"]) == 1
    url = slot["parts"][0]["url"]
    assert url.startswith("/datapools/uploads/")
    assert _put(world, url, b.GOOD_CSV).status_code == 204
    key = UploadSlot.objects.get(public_id=slot["id"]).key
    assert default_storage.exists(key)
    # Someone else cannot complete Bob's slot: it is not found.
    assert_error(
        api_post(world.charlie, f"{API}/upload-slots/{slot['id']}/completion"), "not_found"
    )
    done = api_post(world.bob, f"{API}/upload-slots/{slot['id']}/completion")
    assert done.status_code == 201, done.content
    assert done.json()["status"] == "accepted" and done.json()["row_count"] == 2
    assert not default_storage.exists(key)  # the raw upload is not kept: the rows are
    assert UploadSlot.objects.get(public_id=slot["id"]).status == "completed"
    assert_error(
        api_post(world.bob, f"{API}/upload-slots/{slot['id']}/completion"), "upload_completed"
    )


def test_bad_uploads_are_refused_and_nothing_is_kept(world: World) -> None:
    before = Contribution.objects.count()
    too_big = _slot(world, b"x", size=uploads.LARGE_MAX_BYTES + 1)
    assert_error(too_big, "file_too_large", "size")
    slot = _slot(world, b.GOOD_CSV).json()
    url = slot["parts"][0]["url"]
    key = UploadSlot.objects.get(public_id=slot["id"]).key
    # A body over the declared size, or with another checksum.
    assert_error(_put(world, url, b.GOOD_CSV + b"2026-11-03,yangpu,car,1,1,\n"), "size_mismatch")
    wrong = b.GOOD_CSV.replace(b"car", b"bus")
    assert_error(_put(world, url, wrong), "checksum_mismatch", "file")
    assert not default_storage.exists(key)
    # Completing before the file arrived; a tampered URL; an expired slot.
    assert_error(api_post(world.bob, f"{API}/upload-slots/{slot['id']}/completion"), "file_missing")
    assert _put(world, url + "x", b.GOOD_CSV).status_code == 404
    later = timezone.now() + timedelta(seconds=uploads.SLOT_SECONDS + 5)
    with mock.patch("django.core.signing.time.time", return_value=later.timestamp()):
        expired = _put(world, url, b.GOOD_CSV, "zh-hans")
    envelope = assert_error(expired, "upload_expired")
    assert "过期" in envelope["message"]
    # A file that fails the schema: refused with its lines, the upload deleted.
    bad = b"day,area,mode,trips\n2026-13-01,yangpu,car,4\n"
    slot = _slot(world, bad).json()
    assert _put(world, slot["parts"][0]["url"], bad).status_code == 204
    refused = api_post(world.bob, f"{API}/upload-slots/{slot['id']}/completion")
    assert_error(refused, "schema_mismatch", "file")
    assert not default_storage.exists(UploadSlot.objects.get(public_id=slot["id"]).key)
    assert Contribution.objects.count() == before
    # The hourly clean-up discards slots never completed, with their stored file.
    stale = _slot(world, b.GOOD_CSV).json()
    assert _put(world, stale["parts"][0]["url"], b.GOOD_CSV).status_code == 204
    stored = UploadSlot.objects.get(public_id=stale["id"]).key
    assert uploads.discard_expired(timezone.now() + timedelta(seconds=uploads.SLOT_SECONDS + 1))
    assert not default_storage.exists(stored)
    assert not UploadSlot.objects.filter(public_id=stale["id"]).exists()


def test_an_s3_storage_presigns_a_multipart_put_offline(world: World) -> None:
    from botocore.stub import Stubber
    from storages.backends.s3 import S3Storage

    s3 = S3Storage(
        bucket_name="pools",
        endpoint_url="https://obs.example.test",
        region_name="cn-south-1",
        access_key="AKIDEXAMPLE",
        secret_key="secret-example",
    )
    client = s3.connection.meta.client
    data = b.GOOD_CSV
    with Stubber(client) as stub, mock.patch.object(poolfiles, "storage", return_value=s3):
        stub.add_response(
            "create_multipart_upload",
            {"Bucket": "pools", "Key": "k", "UploadId": "upload-1"},
        )
        slot = uploads.open_slot(
            principal=Principal.for_user(world.bob),
            pool=b.traffic_pool(world),
            draft=uploads.UploadSlotDraft(
                size=len(data),
                sha256=hashlib.sha256(data).hexdigest(),
                consent_notice_version=b.NOTICE,
                give_consent=True,
            ),
        )
    assert slot["multipart"] is True and len(slot["parts"]) == 1
    url = urlsplit(slot["parts"][0]["url"])
    query = parse_qs(url.query)
    assert url.netloc.startswith("pools.") or url.path.startswith("/pools/")
    assert url.path.endswith(f"/datapools/uploads/{slot['id']}.csv")
    assert query["partNumber"] == ["1"] and query["uploadId"] == ["upload-1"]
    assert query["X-Amz-Expires"] == [str(uploads.SLOT_SECONDS)] and "X-Amz-Signature" in query


def test_the_contribute_page_opens_a_slot_and_completes_it(world: World) -> None:
    pool = b.traffic_pool(world)
    bob = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")
    page = bob.get(f"/datapools/{pool.public_id}/contribute/")
    assert b'data-testid="upload-slot-form"' in page.content
    data = b.GOOD_CSV.replace(b"38.5", b"40")
    opened = bob.post(
        f"/datapools/{pool.public_id}/upload-slots/",
        {"size": len(data), "sha256": hashlib.sha256(data).hexdigest(), "consent": "on"},
    )
    assert opened.status_code == 201, opened.content
    slot = json.loads(opened.content)
    assert _put(world, slot["parts"][0]["url"], data).status_code == 204
    done = bob.post(slot["complete_url"])
    assert done.status_code == 302 and done["Location"] == "/datapools/mine/"
    refused = bob.post(f"/datapools/{pool.public_id}/upload-slots/", {"size": "0", "sha256": "x"})
    assert refused.status_code == 422 and json.loads(refused.content)["fields"]


def test_the_steward_revokes_download_links_and_an_ended_agreement_revokes_them(
    world: World,
) -> None:
    agreed = b.agreement_for(world, "download")
    link = downloads.issue_link(principal=Principal.for_user(world.charlie), negotiation=agreed)
    steward = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    page = steward.get(f"/datapools/negotiations/{agreed.public_id}/")
    assert b'data-testid="download-links"' in page.content
    # Only the steward revokes; the consumer cannot.
    assert_error(
        api_post(world.charlie, f"{API}/negotiations/{agreed.public_id}/download-revocations"),
        "steward_only",
    )
    revoked = api_post(world.olivia, f"{API}/negotiations/{agreed.public_id}/download-revocations")
    assert revoked.status_code == 200 and revoked.json() == {"revoked": 1}
    with translation.override("zh-hans"), pytest.raises(Conflict) as caught:
        downloads.open_link(
            principal=Principal.for_user(world.charlie), token=link["url"].split("/")[-2]
        )
    assert caught.value.code == "link_revoked" and "撤销" in caught.value.message
    gone = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en").get(link["url"])
    assert gone.status_code == 410 and b"revoked" in gone.content
    # The agreement ending revokes the links issued under it.
    fresh = downloads.issue_link(principal=Principal.for_user(world.charlie), negotiation=agreed)
    negotiation.move(
        principal=Principal.for_user(world.olivia),
        negotiation=agreed,
        action="terminate",
        reason="ended",
    )
    assert DownloadLink.objects.get(public_id=fresh["id"]).revoke_reason == "ended"
    assert client_for(world.charlie).get(fresh["url"]).status_code == 410
