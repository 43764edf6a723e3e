"""Large contributions through the presigned upload, checked by a background job that streams
the file (docs/datapools.md, decision 0064)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.files.storage import default_storage
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import services as consent
from nomadcloud.datapools import poolfiles, services, uploads, uploads_check, validation
from nomadcloud.datapools.models import Contribution, UploadSlot
from tests.builders import datapools as b
from tests.conftest import World, client_for
from tests.helpers import api_get, api_post, assert_error

API = "/api/v1/datapools"
HEADER = b"day,area,mode,trips,km,note\n"
PARQUET = "application/vnd.apache.parquet"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def big_csv(rows: int, *, line: bytes = b"2026-11-02,yangpu,car,4,38.5,commute\n") -> bytes:
    return HEADER + line * rows


def parquet_bytes(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def _upload(
    w: World,
    data: bytes,
    *,
    who: str = "bob",
    content_type: str = "text/csv",
    consent: bool = True,
    language: str = "en",
) -> Any:
    """Open a slot, PUT the file and complete it; the completion's answer."""
    pool = b.traffic_pool(w)
    body = {
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
        "content_type": content_type,
        "consent_notice_version": b.NOTICE,
        "give_consent": consent,
    }
    person = getattr(w, who)
    opened = api_post(person, f"{API}/pools/{pool.public_id}/upload-slots", body)
    assert opened.status_code == 201, opened.content
    slot = opened.json()
    put = client_for(None).generic("PUT", slot["parts"][0]["url"], data, content_type=content_type)
    assert put.status_code == 204, put.content
    return api_post(
        person,
        f"{API}/upload-slots/{slot['id']}/completion",
        HTTP_ACCEPT_LANGUAGE=language,
    )


def _checked(
    w: World, data: bytes, django_capture_on_commit_callbacks: Any, **extra: Any
) -> tuple[Any, Contribution]:
    """Upload and let the job run (after the commit, as the worker would)."""
    with django_capture_on_commit_callbacks(execute=True):
        done = _upload(w, data, **extra)
    assert done.status_code == 202, done.content
    return done, Contribution.objects.get(public_id=done.json()["id"])


def test_a_large_csv_is_received_then_checked_by_the_job_and_released(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    data = big_csv(30_000)  # ≈ 1.1 MB: over the form's limit
    assert len(data) > validation.MAX_BYTES
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        done = _upload(world, data)
    assert done.status_code == 202, done.content
    assert done.json()["status"] == "validating" and done.json()["row_count"] == 0
    contribution = Contribution.objects.get(public_id=done.json()["id"])
    assert contribution.consents.count() == 1  # consent recorded as for a small contribution
    slot = UploadSlot.objects.get(contribution=contribution)
    assert default_storage.exists(slot.key)  # the job reads it
    for job in jobs:
        job()
    contribution.refresh_from_db()
    assert contribution.status == "accepted" and contribution.row_count == 30_000
    assert contribution.rows == [] and default_storage.exists(contribution.rows_file)
    assert not default_storage.exists(slot.key)  # the raw upload is not kept
    # The contributor reads the state in the API.
    mine = api_get(world.bob, f"{API}/contributions").json()["items"]
    assert {"status": "accepted", "row_count": 30_000, "errors": []}.items() <= next(
        c for c in mine if c["id"] == str(contribution.public_id)
    ).items()
    # A release holds its rows beside the small contributions', counted by DuckDB.
    pool = contribution.pool
    b.contribute(world, pool, who="charlie")
    version = services.release_version(principal=Principal.for_user(world.olivia), pool=pool)
    assert version.row_count == 30_002
    assert version.quality["consistency"] == 0  # 3 distinct rows among 30,002
    assert version.quality["accuracy"] == 100
    table = pq.read_table(poolfiles.release_path(version))
    assert table.num_rows == 30_002
    assert table.column("trips").to_pylist()[:1] == ["4"]


def test_a_parquet_file_is_checked_by_the_job(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime as dt

    table = pa.table(
        {
            "day": pa.array([dt.date(2026, 11, 2)] * 20, pa.date32()),
            "area": ["sandu"] * 20,
            "mode": ["bike"] * 20,
            "trips": pa.array([3] * 20, pa.int64()),
            "km": pa.array([2.5] * 20, pa.float64()),
        }
    )
    _done, contribution = _checked(
        world, parquet_bytes(table), django_capture_on_commit_callbacks, content_type=PARQUET
    )
    assert contribution.status == "accepted" and contribution.row_count == 20
    stored = pq.read_table(poolfiles.local_path(contribution.rows_file))
    assert stored.column_names == [c["name"] for c in b.TRAFFIC_SCHEMA]
    assert stored.to_pylist()[0] == {
        "day": "2026-11-02",
        "area": "sandu",
        "mode": "bike",
        "trips": "3",
        "km": "2.5",
        "note": None,
    }


def test_wrong_columns_and_bad_cells_are_refused_with_the_first_errors_in_each_language(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    wrong = b"day,area,vehicle,trips\n" + b"2026-11-02,yangpu,car,4\n" * 50_000
    _done, contribution = _checked(world, wrong, django_capture_on_commit_callbacks)
    assert contribution.status == "rejected" and not contribution.rows_file
    assert contribution.errors[0]["en"] == "Line 1, vehicle: The schema has no such column."
    assert contribution.errors[0]["zh-Hans"] != contribution.errors[0]["en"]
    # Bad cells: the first 50 errors, by line, the cell's own message translated.
    bad = big_csv(29_000) + b"2026-13-01,yangpu,car,-1,1,\n" * 100
    _done, contribution = _checked(world, bad, django_capture_on_commit_callbacks)
    assert (
        contribution.status == "rejected" and len(contribution.errors) == uploads_check.MAX_ERRORS
    )
    assert contribution.errors[0]["en"] == "Line 29002, day: Not a date (YYYY-MM-DD)."
    assert contribution.errors[1]["en"] == "Line 29002, trips: Below the minimum 0."
    assert contribution.errors[1]["zh-Hans"].startswith("第 29002 行，trips：")
    assert not Contribution.objects.filter(pk=contribution.pk, rows_file__gt="").exists()
    # The API gives them in the reader's language; the page shows them.
    zh = api_get(world.bob, f"{API}/contributions", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    shown = next(c for c in zh["items"] if c["id"] == str(contribution.public_id))
    assert shown["errors"][0] == contribution.errors[0]["zh-Hans"]
    page = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en").get("/datapools/mine/")
    assert b'data-testid="contribution-errors"' in page.content
    assert b"Line 29002, day: Not a date" in page.content
    assert b"Only the first 50 errors are shown." in page.content


def test_undeclared_personal_data_quarantines_a_large_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    data = big_csv(29_000) + b"2026-11-02,yangpu,car,4,1,call 13912345678\n"
    _done, contribution = _checked(world, data, django_capture_on_commit_callbacks)
    assert contribution.status == "quarantined" and not contribution.rows_file
    assert contribution.findings == [{"line": 29_002, "column": "note", "kind": "phone"}]
    page = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en").get("/datapools/mine/")
    assert b"note: mobile phone number" in page.content
    assert not default_storage.exists(uploads_check.rows_name(contribution))  # no rows kept


def test_empty_unreadable_and_mistyped_files_are_refused(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    # A Parquet file with only a schema: no rows.
    empty = pa.table({c["name"]: pa.array([], pa.string()) for c in b.TRAFFIC_SCHEMA})
    _done, contribution = _checked(
        world, parquet_bytes(empty), django_capture_on_commit_callbacks, content_type=PARQUET
    )
    assert contribution.status == "rejected"
    assert [e["en"] for e in contribution.errors] == ["Line 1: The file has no rows."]
    # Declared Parquet, but CSV bytes.
    _done, contribution = _checked(
        world, big_csv(10), django_capture_on_commit_callbacks, content_type=PARQUET
    )
    assert [e["en"] for e in contribution.errors] == ["The file is not a Parquet file."]
    # A CSV that is not UTF-8 text, past the form's limit.
    latin = big_csv(29_000) + "2026-11-02,yangpu,car,4,1,café\n".encode("latin-1")
    _done, contribution = _checked(world, latin, django_capture_on_commit_callbacks)
    assert contribution.status == "rejected"
    assert contribution.errors[0]["en"].endswith("The file is not UTF-8 text.")
    # More cells than the header.
    extra = big_csv(29_000) + b"2026-11-02,yangpu,car,4,1,,surplus\n"
    _done, contribution = _checked(world, extra, django_capture_on_commit_callbacks)
    assert [e["en"] for e in contribution.errors] == [
        "Line 29002: This line has more cells than the header."
    ]


def test_oversize_wrong_type_and_missing_consent_are_refused_and_nothing_is_kept(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    pool = b.traffic_pool(world)
    before = Contribution.objects.count()
    body = {
        "size": uploads.LARGE_MAX_BYTES + 1,
        "sha256": "0" * 64,
        "consent_notice_version": b.NOTICE,
        "give_consent": True,
    }
    url = f"{API}/pools/{pool.public_id}/upload-slots"
    assert_error(
        api_post(world.bob, url, body, HTTP_ACCEPT_LANGUAGE="zh-hans"), "file_too_large", "size"
    )
    assert_error(
        api_post(world.bob, url, {**body, "size": 10, "content_type": "application/zip"}),
        "invalid_input",
        "content_type",
    )
    assert_error(api_post(world.bob, url, {**body, "size": 0}), "invalid_input", "size")
    # No consent given and none on file: refused at completion, the upload deleted.
    with django_capture_on_commit_callbacks(execute=True):
        refused = _upload(world, big_csv(30_000), who="charlie", consent=False)
    assert_error(refused, "consent_missing", "consent")
    assert Contribution.objects.count() == before
    slot = UploadSlot.objects.filter(contributor=world.charlie).latest("created_at")
    assert slot.status == "open" and not default_storage.exists(slot.key)


def test_a_consent_withdrawn_while_checking_keeps_nothing(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as jobs:
        done = _upload(world, big_csv(30_000))
    contribution = Contribution.objects.get(public_id=done.json()["id"])
    for record in contribution.consents.all():
        consent.withdraw_consent(record, actor=world.bob)
    contribution.refresh_from_db()
    assert contribution.status == "withdrawn"
    for job in jobs:
        job()
    contribution.refresh_from_db()
    assert contribution.status == "withdrawn" and not contribution.rows_file
    assert uploads_check.validate(str(contribution.public_id)) == "skipped"


def test_the_contribute_page_sends_a_parquet_file_to_be_checked(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    pool = b.traffic_pool(world)
    bob = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")
    page = bob.get(f"/datapools/{pool.public_id}/contribute/")
    assert b".parquet" in page.content and b"200 MB" in page.content
    table = pa.table(
        {
            c["name"]: ["2026-11-02", "yangpu", "walk", "1", "0.5", ""][i : i + 1] * 3
            for i, c in enumerate(b.TRAFFIC_SCHEMA)
        }
    )
    data = parquet_bytes(table)
    opened = bob.post(
        f"/datapools/{pool.public_id}/upload-slots/",
        {
            "size": len(data),
            "sha256": hashlib.sha256(data).hexdigest(),
            "content_type": PARQUET,
            "consent": "on",
        },
    )
    assert opened.status_code == 201, opened.content
    slot = opened.json()
    assert slot["checked_later"] is True
    put = client_for(None).generic("PUT", slot["parts"][0]["url"], data, content_type=PARQUET)
    assert put.status_code == 204
    with django_capture_on_commit_callbacks(execute=True):
        done = bob.post(slot["complete_url"], follow=True)
    assert b"is being checked" in done.content
    contribution = Contribution.objects.filter(contributor=world.bob).latest("received_at")
    assert contribution.status == "accepted" and contribution.row_count == 3
    mine = bob.get("/datapools/mine/")
    assert b"accepted" in mine.content


def test_on_s3_completion_finishes_the_multipart_upload_without_reading_the_file(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from unittest import mock

    from botocore.stub import Stubber
    from storages.backends.s3 import S3Storage

    s3 = S3Storage(
        bucket_name="pools",
        endpoint_url="https://obs.example.test",
        region_name="cn-south-1",
        access_key="AKIDEXAMPLE",
        secret_key="secret-example",
    )
    size = 30_000_000  # four parts of 8 MiB, the last shorter
    client = s3.connection.meta.client
    bob = Principal.for_user(world.bob)
    with (
        Stubber(client) as stub,
        mock.patch.object(poolfiles, "storage", return_value=s3),
        mock.patch.object(s3, "exists", return_value=True),
        mock.patch.object(s3, "size", return_value=size),
        mock.patch.object(s3, "open", side_effect=AssertionError("the web process read it")),
        django_capture_on_commit_callbacks(execute=False) as jobs,
    ):
        stub.add_response(
            "create_multipart_upload", {"Bucket": "pools", "Key": "k", "UploadId": "up-1"}
        )
        slot = uploads.open_slot(
            principal=bob,
            pool=b.traffic_pool(world),
            draft=uploads.UploadSlotDraft(
                size=size,
                sha256="ab" * 32,
                content_type="text/csv",
                consent_notice_version=b.NOTICE,
                give_consent=True,
            ),
        )
        assert len(slot["parts"]) == 4 and slot["checked_later"] is True
        parts = [{"PartNumber": n, "ETag": f'"e{n}"', "Size": 1} for n in range(1, 5)]
        stub.add_response("list_parts", {"Parts": parts})
        stub.add_response("complete_multipart_upload", {})
        contribution = uploads.complete(
            principal=bob, slot=uploads.slot_for(bob, slot["id"]), method="api"
        )
        stub.assert_no_pending_responses()
    assert contribution.status == "validating" and contribution.consents.count() == 1
    assert len(jobs) == 1  # the check waits for the worker


def test_a_check_that_fails_refuses_the_file_rather_than_leaving_it_waiting(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    from unittest import mock

    with django_capture_on_commit_callbacks(execute=False) as jobs:
        done = _upload(world, big_csv(30_000))
    contribution = Contribution.objects.get(public_id=done.json()["id"])
    with mock.patch.object(uploads_check, "check_file", side_effect=OSError("disk gone")):
        jobs[0]()  # the job fails (the immediate backend records it, as a worker would)
    contribution.refresh_from_db()
    assert contribution.status == "rejected"
    assert contribution.errors[0]["en"] == "The file could not be checked; send it again."
    assert contribution.errors[0]["zh-Hans"] == "文件无法完成校验，请重新发送。"
    slot = UploadSlot.objects.get(contribution=contribution)
    assert not default_storage.exists(slot.key)
