"""JSON from outside within limits (issue 15, item 2): ``core.jsonsafe.loads_limited`` and
every entry point that uses it — API bodies, the public credential verification, JSONL
imports, demand feeds. Hostile documents (5,000 levels deep, NaN/Infinity, numbers that
overflow, lone surrogates) answer 4xx with the envelope naming the limit, never 500, and
nothing is written."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.jsonsafe import MAX_DEPTH, JSONRefused, loads_limited, nesting_depth
from nomadcloud.datatasks import importer
from nomadcloud.datatasks.importer import FileRejected, Spec
from nomadcloud.demands.feeds import FeedEntryError, parse_feed
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import assert_error

DEEP_ARRAY = "[" * 5000 + "]" * 5000
DEEP_OBJECT = '{"a":' * 5000 + "1" + "}" * 5000


def refused_code(data: str | bytes, **limits: Any) -> str:
    with pytest.raises(JSONRefused) as caught:
        loads_limited(data, max_bytes=limits.pop("max_bytes", 10**7), **limits)
    return caught.value.code


class TestLoadsLimited:
    def test_deep_documents_are_refused_without_recursion(self) -> None:
        for text in (DEEP_ARRAY, DEEP_OBJECT, "[" * 200_000, "[" * 5000 + '"]]'):
            assert refused_code(text) == "json_too_deep"
        assert loads_limited("[" * MAX_DEPTH + "]" * MAX_DEPTH, max_bytes=1000) is not None
        assert refused_code("[" * 4 + "]" * 4, max_depth=3) == "json_too_deep"

    def test_brackets_inside_strings_do_not_count(self) -> None:
        assert loads_limited('{"a": "[[[[[[\\"[[[["}', max_depth=1, max_bytes=100) == {
            "a": '[[[[[["[[[['
        }
        assert nesting_depth('"' + '\\"' * 100_000, stop_above=5) == 0  # linear, not stuck

    def test_size_is_limited_in_bytes(self) -> None:
        assert refused_code(b'"' + b"x" * 100 + b'"', max_bytes=50) == "json_too_large"
        assert refused_code('"' + "数" * 30 + '"', max_bytes=50) == "json_too_large"
        with pytest.raises(JSONRefused) as caught:
            loads_limited("[]" * 30, max_bytes=50)
        assert "50" in caught.value.message and caught.value.limit == 50

    @pytest.mark.parametrize(
        "text", ["NaN", "[Infinity]", '{"a": -Infinity}', "1e999", "[-1e400]", '"\\ud800"']
    )
    def test_values_json_cannot_carry_are_refused(self, text: str) -> None:
        assert refused_code(text) == "json_invalid"

    def test_ordinary_json_is_unchanged(self) -> None:
        text = '{"a": [1, 2.5, "\\ud83d\\ude00", null, true], "b": {"c": "x"}}'
        assert loads_limited(text, max_bytes=1000) == json.loads(text)

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.sampled_from(list('[]{}",:\\ 01aNI\x00\ud800')), max_size=400).map("".join))
    def test_hostile_text_raises_only_refusals(self, text: str) -> None:
        with contextlib.suppress(JSONRefused, ValueError):
            loads_limited(text, max_depth=8, max_bytes=10_000)


def test_an_api_body_5000_deep_is_refused_naming_the_limit(world: World) -> None:
    client = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")
    before = database_fingerprint()
    for body in (DEEP_ARRAY, DEEP_OBJECT):
        response = client.post("/api/v1/organisations", body, content_type="application/json")
        error = assert_error(response, "json_too_deep", field="body", status=400)
        assert error["message"] == f"The JSON document is nested deeper than {MAX_DEPTH} levels."
    response = client.post(
        "/api/v1/organisations",
        '{"kind": "merchant", "name_en": "\\ud800", "name_zh": "x"}',
        content_type="application/json",
    )
    assert_error(response, "json_invalid", field="body", status=400)
    assert database_fingerprint() == before
    assert not Organisation.objects.filter(kind="merchant").exists()


def test_the_limit_is_named_in_chinese(world: World) -> None:
    client = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = client.post("/api/v1/organisations", DEEP_ARRAY, content_type="application/json")
    error = assert_error(response, "json_too_deep", status=400)
    assert error["message"] == f"JSON 文档的嵌套层级超过 {MAX_DEPTH} 层的上限。"


@pytest.mark.parametrize("path", ["/api/v1/proofs/verify", "/api/v1/proofs/verify/batch"])
def test_the_public_verify_endpoints_refuse_deep_json(db: None, path: str) -> None:
    before = database_fingerprint()
    anonymous = Client(HTTP_ACCEPT_LANGUAGE="en")
    deep = DEEP_OBJECT if path.endswith("verify") else '{"credentials": [' + DEEP_ARRAY + "]}"
    response = anonymous.post(path, deep, content_type="application/json")
    assert_error(response, "json_too_deep", field="body", status=400)
    for hostile in ('{"a": NaN}', '{"credentials": [{"a": 1e999}]}', '{"a": "\\udfff"}'):
        response = anonymous.post(path, hostile, content_type="application/json")
        assert 400 <= response.status_code < 500, response.content
    assert database_fingerprint() == before


class TestJsonLinesImport:
    @pytest.fixture(autouse=True)
    def _english(self) -> Iterator[None]:
        with translation.override("en"):
            yield

    def refused(self, data: bytes, spec: Spec | None = None) -> list[str]:
        with pytest.raises(FileRejected) as caught:
            importer.parse(data, format="jsonl", spec=spec or Spec("single_label", ("yes", "no")))
        return list(caught.value.fields["file"])

    def test_deep_and_non_portable_lines_are_refused_by_line(self) -> None:
        lines = [
            '{"id": "a", "text": "ok"}',
            '{"id": "b", "text": ' + DEEP_ARRAY + "}",
            '{"id": "c", "text": NaN}',
            '{"id": "d", "text": Infinity}',
            '{"id": "e", "text": "\\ud800"}',
            '{"id": 1e999, "text": "x"}',
        ]
        assert self.refused("\n".join(lines).encode()) == [
            f"Line 2: The JSON document is nested deeper than {MAX_DEPTH} levels.",
            "Line 3: The JSON document contains NaN, which is not a number in JSON.",
            "Line 4: The JSON document contains Infinity, which is not a number in JSON.",
            "Line 5: The JSON document contains a lone surrogate (half of a UTF-16 pair).",
            "Line 6: The JSON document contains a number too large to represent: 1e999.",
        ]

    @pytest.mark.parametrize("offset", ["true", "1.9", '"\\uff11"', '"+1"'])
    def test_span_offsets_are_integers_as_written(self, offset: str) -> None:
        spec = Spec("spans", ("PER",))
        line = '{"id": "a", "text": "abcdef", "gold": [[0, ' + offset + ', "PER"]]}'
        [message] = self.refused(line.encode(), spec)
        assert message.startswith("Line 1, field “gold”: spans are written")

    def test_the_upload_api_answers_4xx_and_stores_nothing(self, world: World) -> None:
        from tests.permissions.datatasks import draft_batch

        batch = draft_batch(world)
        before = database_fingerprint()
        client = Client(HTTP_AUTHORIZATION=f"Bearer {world.olivia_token_secret}")
        response = client.put(
            f"/api/v1/datatasks/batches/{batch.public_id}/items?name=deep.jsonl",
            ('{"id": "a", "text": ' + DEEP_OBJECT + "}\n").encode(),
            content_type="application/x-ndjson",
            HTTP_ACCEPT_LANGUAGE="en",
        )
        body = assert_error(response, "invalid_file", status=422)
        assert "nested deeper than" in body["fields"]["file"][0]
        after = database_fingerprint()
        for volatile in ("accounts.ApiToken",):  # the token's last use is recorded
            before.pop(volatile), after.pop(volatile)
        assert after == before


def test_a_deep_feed_is_refused_not_crashed() -> None:
    with translation.override("en"):
        for body in (DEEP_ARRAY.encode(), b'[{"salary": NaN}]'):
            with pytest.raises(FeedEntryError) as caught:
                parse_feed(body, "native")
            assert caught.value.reason.startswith("The JSON document")
        assert parse_feed(b'[{"amount": 1.5}]', "native")[0].index == 0


def test_the_verify_page_and_command_parse_within_the_limits() -> None:
    from nomadcloud.proofs.services import parse

    assert parse(DEEP_OBJECT) is None  # reported as a failed "format" check, not a crash
    assert parse('{"a": NaN}') is None
    assert parse('{"a": [1]}') == {"a": [1]}
