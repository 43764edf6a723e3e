"""Importing a batch's items file: CSV and JSON Lines, checked completely before anything is
stored; every refusal names the line and field, and leaves the database as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, InvalidInput
from nomadcloud.datatasks import importer, services
from nomadcloud.datatasks.importer import FileRejected, Spec
from nomadcloud.datatasks.models import Batch, Item
from nomadcloud.datatasks.schemas import BatchPatch
from tests.builders.datatasks import (
    ITEMS_CSV,
    LABELS,
    batch_draft,
    csv_file,
    draft_batch,
    english,
    form_fields,
    labelling_skill,
    open_batch,
    upload,
)
from tests.conftest import World, database_fingerprint
from tests.helpers import assert_error, assert_page_refused

SINGLE = Spec("single_label", tuple(LABELS))


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are checked in English (outside requests the default is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _skill(db: None) -> None:
    labelling_skill()  # before any fingerprint is taken


def refused(data: bytes, fmt: str = "csv", spec: Spec = SINGLE) -> list[str]:
    with pytest.raises(FileRejected) as caught:
        importer.parse(data, format=fmt, spec=spec)
    return caught.value.fields["file"]


def create(world: World, data: bytes, name: str = "items.csv", **extra: Any) -> Batch:
    return services.create_batch(
        principal=Principal.for_user(world.olivia),
        organisation=world.acme,
        upload=upload(data, name),
        draft=batch_draft(**extra),
    )


# --- good files -------------------------------------------------------------------------------


def test_a_csv_file_becomes_items_with_gold_and_a_qualification_test(world: World) -> None:
    batch = draft_batch(world)
    assert (batch.item_count, batch.gold_count, batch.qualification_count) == (11, 5, 3)
    assert batch.file_name == "items.csv" and batch.file_format == "csv"
    assert len(batch.file_sha256) == 64
    q1 = Item.objects.get(batch=batch, external_id="q1")
    assert (q1.position, q1.is_gold, q1.is_qualification, q1.gold) == (2, True, True, "positive")
    r1 = Item.objects.get(batch=batch, external_id="r1")
    assert (r1.position, r1.is_gold, r1.gold, r1.text) == (7, False, None, "颜色和图片一样")
    assert batch.status == "draft"


def test_a_utf8_byte_order_mark_and_crlf_line_ends_are_fine() -> None:
    data = b'\xef\xbb\xbfid,text\r\na,\xe5\xa5\xbd\r\nb,"two\r\nlines"\r\n'
    parsed = importer.parse(data, format="csv", spec=SINGLE)
    assert [(i.line, i.external_id, i.text) for i in parsed.items] == [
        (2, "a", "好"),
        (3, "b", "two\r\nlines"),
    ]


def test_json_lines_with_every_task_type() -> None:
    multi = Spec("multi_label", ("food", "price", "service"))
    parsed = importer.parse(
        b'{"id": 1, "text": "cheap and tasty", "gold": ["price", "food"]}\n\n'
        b'{"id": "2", "text": "ok", "qualification": false}\n',
        format="jsonl",
        spec=multi,
    )
    assert [(i.line, i.external_id, i.gold) for i in parsed.items] == [
        (1, "1", ["food", "price"]),  # in label order
        (3, "2", None),
    ]
    spans = Spec("spans", ("PER", "LOC"))
    parsed = importer.parse(
        json.dumps(
            {
                "id": "s",
                "text": "张三去北京",
                "gold": [{"start": 3, "end": 5, "label": "LOC"}, [0, 2, "PER"]],
            },
            ensure_ascii=False,
        ).encode(),
        format="jsonl",
        spec=spans,
    )
    assert parsed.items[0].gold == [[0, 2, "PER"], [3, 5, "LOC"]]
    parsed = importer.parse(
        "id,text,gold\ns,张三去北京,0:2:PER|3:5:LOC\n".encode(), format="csv", spec=spans
    )
    assert parsed.items[0].gold == [[0, 2, "PER"], [3, 5, "LOC"]]
    text = Spec("transcription", ())
    parsed = importer.parse(b"id,text,gold\na,img-1, Hello  \n", format="csv", spec=text)
    assert parsed.items[0].gold == "Hello"


# --- bad files: refused with line numbers, nothing stored ------------------------------------


def test_a_broken_line_is_refused_with_its_number(world: World) -> None:
    data = ITEMS_CSV.replace(b"r3,\xe4\xb8\x80\xe8\x88\xac\xe8\x88\xac,,", b"r3,a,b,c,d")
    before = database_fingerprint()
    with pytest.raises(FileRejected) as caught:
        create(world, data)
    assert caught.value.fields["file"] == ["Line 9: expected 4 fields like the header, found 5."]
    assert caught.value.code == "invalid_file"
    assert "nothing was stored" in caught.value.message
    assert database_fingerprint() == before


def test_an_unclosed_quote_is_refused_with_the_line_it_starts_on() -> None:
    messages = refused(b'id,text\na,fine\nb,"never closed\nc,more\n')
    assert len(messages) == 1
    assert messages[0].startswith("Line 3: this line cannot be read")


def test_a_wrong_column_is_refused_on_line_1(world: World) -> None:
    before = database_fingerprint()
    with pytest.raises(FileRejected) as caught:
        create(world, b"id,text,label\na,x,positive\n")
    assert caught.value.fields["file"] == [
        "Line 1, field “label”: unknown column; the columns are id, text, gold, "
        "qualification, context, media_url, explanation."
    ]
    assert database_fingerprint() == before
    assert refused(b"id,body\na,x\n") == [
        "Line 1, field “body”: unknown column; the columns are id, text, gold, "
        "qualification, context, media_url, explanation.",
        "Line 1, field “text”: this column is required.",
    ]


def test_a_duplicate_item_id_is_refused_naming_both_lines(world: World) -> None:
    before = database_fingerprint()
    with pytest.raises(FileRejected) as caught:
        create(world, ITEMS_CSV + "r2,又一条,,\n".encode())
    assert caught.value.fields["file"] == [
        "Line 13, field “id”: the id “r2” is already used on line 8."
    ]
    assert database_fingerprint() == before


def test_files_that_are_not_utf8_are_refused(world: World) -> None:
    gbk = "id,text\na,好\nb,物流很快\n".encode("gbk")
    before = database_fingerprint()
    with pytest.raises(FileRejected) as caught:
        create(world, gbk)
    (message,) = caught.value.fields["file"]
    assert message.startswith("Line 2: byte 0xBA is not UTF-8")
    assert "Save it as UTF-8" in message
    assert database_fingerprint() == before
    utf16 = "id,text\na,好\n".encode("utf-16")
    assert refused(utf16) == [
        "Line 1: The file is UTF-16; only UTF-8 is accepted. Save it as UTF-8."
    ]


def test_a_file_over_the_size_limit_is_refused(world: World, settings: Any) -> None:
    settings.DATATASKS_MAX_UPLOAD_BYTES = 200
    before = database_fingerprint()
    with pytest.raises(FileRejected) as caught:
        create(world, ITEMS_CSV)
    assert caught.value.fields["file"] == [
        f"The file is {importer.human_size(len(ITEMS_CSV))}; at most 200 B can be imported at once."
    ]
    assert database_fingerprint() == before


def test_more_items_than_allowed_are_refused(settings: Any) -> None:
    settings.DATATASKS_MAX_ITEMS = 3
    assert refused(b"id,text\na,1\nb,2\nc,3\nd,4\n") == [
        "Line 5: a batch holds at most 3 items; split the file."
    ]


def test_every_problem_is_reported_at_once() -> None:
    data = (
        b"id,text,gold,qualification\n"
        b",no id,,\n"
        b"b,,positive,\n"
        b"c,x,maybe,\n"
        b"d,y,,1\n"
        b"e,z,neutral,perhaps\n"
    )
    assert refused(data) == [
        "Line 2, field “id”: every item needs an id.",
        "Line 3, field “text”: every item needs a text.",
        "Line 4, field “gold”: “maybe” is not one of the labels (positive, negative, neutral).",
        "Line 5, field “qualification”: a qualification item needs its known answer in “gold”.",
        "Line 6, field “qualification”: write 1 or 0 (or true/false).",
    ]


def test_json_lines_problems() -> None:
    data = b'{"id": "a", "text": "x"}\n{"id": "b", "text": \n[1, 2]\n{"id": "c", "txt": "y"}\n'
    assert refused(data, "jsonl") == [
        "Line 2: not valid JSON (Expecting value at column 21).",
        "Line 3: each line must be a JSON object.",
        "Line 4, field “txt”: unknown field; the fields are id, text, gold, qualification, "
        "context, media_url, explanation.",
    ]


def test_gold_answers_must_fit_the_task_type() -> None:
    spans = Spec("spans", ("PER", "LOC"))
    assert refused(b"id,text,gold\na,abc,0:9:PER\n", spec=spans) == [
        "Line 2, field “gold”: the span 0:9 is outside the text (0–3)."
    ]
    assert refused(b"id,text,gold\na,abcdef,0:3:PER|2:5:LOC\n", spec=spans) == [
        "Line 2, field “gold”: spans must not overlap."
    ]
    multi = Spec("multi_label", ("x", "y"))
    assert refused(b"id,text,gold\na,abc,x|x\n", spec=multi) == [
        "Line 2, field “gold”: a label is listed twice."
    ]
    assert refused(b"id,text,media_url\na,abc,ftp://x\n") == [
        "Line 2, field “media_url”: not an http(s) address."
    ]
    assert refused(b"") == ["The file is empty."]
    assert refused(b"id,text\n") == ["The file has no items."]


def test_the_format_comes_from_the_name_unless_given() -> None:
    assert importer.format_for("x.JSONL") == "jsonl"
    assert importer.format_for("x.csv") == "csv"
    assert importer.format_for("data.bin", "csv") == "csv"
    with pytest.raises(FileRejected):
        importer.format_for("data.xlsx")


# --- replacing items --------------------------------------------------------------------------


def test_items_are_replaced_only_while_a_draft(world: World) -> None:
    owner = Principal.for_user(world.olivia)
    batch = draft_batch(world)
    batch = services.import_items(
        principal=owner,
        batch=batch,
        upload=upload(b'{"id": "x", "text": "one"}\n', "more.jsonl"),
    )
    assert list(batch.items.values_list("external_id", flat=True)) == ["x"]
    assert (batch.item_count, batch.gold_count, batch.file_format) == (1, 0, "jsonl")
    opened = open_batch(world)
    before = database_fingerprint()
    with pytest.raises(Conflict):
        services.import_items(principal=owner, batch=opened, upload=upload())
    assert database_fingerprint() == before


def test_changing_labels_that_gold_answers_use_is_refused(world: World) -> None:
    batch = draft_batch(world)
    before = database_fingerprint()
    with pytest.raises(InvalidInput) as caught:
        services.update_batch(
            principal=Principal.for_user(world.olivia),
            batch=batch,
            changes=BatchPatch(labels=("good", "bad")),
        )
    assert "q1" in caught.value.fields["labels"][0]
    assert database_fingerprint() == before


# --- the page and the API refuse the same way ---------------------------------------------------


def test_the_create_page_shows_line_numbered_errors_and_stores_nothing(world: World) -> None:
    client = english(world.olivia)
    before = database_fingerprint()
    response = client.post(
        f"/datatasks/organisations/{world.acme.public_id}/new/",
        {**form_fields(), "file": csv_file(ITEMS_CSV + b"r2,dup,,\n")},
    )
    assert_page_refused(response, 422, "the id “r2” is already used on line 8.")
    assert database_fingerprint() == before


def test_the_create_page_stops_reading_a_file_that_is_too_large(
    world: World, settings: Any
) -> None:
    settings.DATATASKS_MAX_UPLOAD_BYTES = 1024
    client = english(world.olivia)
    before = database_fingerprint()
    big = ITEMS_CSV + b"".join(f"x{n},{'a' * 50},,\n".encode() for n in range(100))
    response = client.post(
        f"/datatasks/organisations/{world.acme.public_id}/new/",
        {**form_fields(), "file": csv_file(big)},
    )
    assert_page_refused(response, 422, "at most 1.0 KB can be imported at once.")
    assert database_fingerprint() == before


def test_the_api_refuses_a_body_by_its_declared_length(world: World, settings: Any) -> None:
    batch = draft_batch(world)
    settings.DATATASKS_MAX_UPLOAD_BYTES = 100
    client = english(world.olivia)
    before = database_fingerprint()
    response = client.put(
        f"/api/v1/datatasks/batches/{batch.public_id}/items",
        ITEMS_CSV,
        content_type="text/csv",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    body = assert_error(response, "invalid_file", field="file", status=422)
    assert body["fields"]["file"][0].endswith("at most 100 B can be imported at once.")
    assert database_fingerprint() == before


def test_the_api_reports_every_line(world: World) -> None:
    batch = draft_batch(world)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {world.olivia_token_secret}")
    response = client.put(
        f"/api/v1/datatasks/batches/{batch.public_id}/items?name=bad.jsonl",
        b'{"id": "a", "text": "x", "gold": "maybe"}\n{"id": "a", "text": "y"}\n',
        content_type="application/x-ndjson",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert assert_error(response, "invalid_file", status=422)["fields"]["file"] == [
        "Line 1, field “gold”: “maybe” is not one of the labels (positive, negative, neutral).",
    ]
    response = client.put(
        f"/api/v1/datatasks/batches/{batch.public_id}/items",
        b"id,text\na,b\n",
        content_type="application/octet-stream",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert assert_error(response, "invalid_input")["fields"] == {
        "format": ["Say the file's format: ?format=csv or ?format=jsonl."]
    }
