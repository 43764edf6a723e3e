"""A property-based fuzz (hypothesis) of every API input schema in the OpenAPI document with
hostile values (issue 15): deep nesting, huge numbers, exponents, NaN/Infinity, booleans
where numbers go, non-ASCII digits, lone surrogates, NUL. Every request goes through the real
application and database as Olivia (an organisation owner). No answer may be a 5xx; a body
carrying a value that is refused everywhere (NUL, a lone surrogate, NaN, 1e999, nesting past
the limit) must write nothing — row counts of every table are compared.

Run time is kept modest by the ``hostile`` settings profile (a few examples per operation:
well under a minute on two cores); ``HYPOTHESIS_HOSTILE_EXAMPLES`` raises it for a long run.
"""

from __future__ import annotations

import json
import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connection
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import VOLATILE_TABLES, World

pytestmark = pytest.mark.fuzz

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "api" / "openapi.json"
SPEC = json.loads(DOCUMENT.read_text())

settings.register_profile(
    "hostile",
    max_examples=int(os.environ.get("HYPOTHESIS_HOSTILE_EXAMPLES", "4")),
    deadline=None,
    derandomize=True,  # the same examples each run: a failure is reproducible
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def _resolve(schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        schema = SPEC["components"]["schemas"][name]
    return schema


def _operations() -> Iterator[Any]:
    for path, operations in SPEC["paths"].items():
        for method, operation in operations.items():
            content = (operation.get("requestBody") or {}).get("content", {})
            if "application/json" in content:
                schema = _resolve(content["application/json"]["schema"])
                fields = sorted(schema.get("properties", {})) or ["value"]
                yield pytest.param(method.upper(), path, fields, id=f"{method.upper()} {path}")


# JSON text, not Python values: NaN, 1e999 and lone surrogates cannot be written by json.dumps
# (or are written differently), and the parser must meet them as an attacker sends them.
ALWAYS_REFUSED = [
    '"a\\u0000b"',  # NUL
    '"\\ud800"',  # a lone surrogate
    '"x\\udfffy"',
    "NaN",
    "-Infinity",
    "1e999",
    "[" * 100 + "]" * 100,  # deeper than the 64-level limit
    '{"a":' * 80 + "1" + "}" * 80,
]
HOSTILE = [
    '"1e26"',
    '"1E+2"',
    '"NaN"',
    '"Infinity"',
    "1e26",
    "1.5",
    "-0.0",
    str(10**40),
    str(-(10**40)),
    str(2**63),
    "true",
    "false",
    "null",
    '"١٢"',  # Arabic-Indic digits
    '"１２"',  # fullwidth
    '"²"',
    '"٣.٥"',
    '"12\u200b"',  # a zero-width space
    '""',
    '"' + "9" * 400 + '"',
    "[]",
    "{}",
    "[[[[[[[[[[1]]]]]]]]]]",
    '{"": {"": {"": []}}}',
    '"2024-02-30"',
    '"T24:00:00Z"',
]


def _counted_models() -> list[Any]:
    return [
        model
        for model in apps.get_models()
        if model._meta.label not in VOLATILE_TABLES and not model._meta.proxy
    ]


def _row_counts() -> dict[str, int]:
    """Every table's row count, in one statement: ``SELECT (SELECT COUNT(*) FROM a), …``.
    A ``count()`` per model was ~250 round trips per snapshot, two snapshots per refused
    example: most of this file's time. Same numbers, one query."""
    models = _counted_models()
    quote = connection.ops.quote_name
    columns = ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in models)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns}")
        row = cursor.fetchone()
    return {m._meta.label: int(n) for m, n in zip(models, row, strict=True)}


def _path(template: str) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return "1" if name.endswith("_id") and "public" not in name else str(uuid.uuid4())

    return re.sub(r"\{([^}]+)\}", fill, template)


@pytest.fixture
def olivia(world: World) -> Iterator[Client]:
    # Keep the test's connection (and its transaction) open across requests, as Django's test
    # client does, so that row counts see the same database the requests write to.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield Client(HTTP_AUTHORIZATION=f"Bearer {world.olivia_token_secret}")
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.mark.parametrize(("method", "path", "fields"), list(_operations()))
@settings(settings.get_profile("hostile"))
@given(data=st.data())
def test_hostile_values_in_every_input_schema_cause_no_5xx_and_write_nothing(
    olivia: Client, method: str, path: str, fields: list[str], data: st.DataObject
) -> None:
    chosen = data.draw(st.lists(st.sampled_from(fields), min_size=1, max_size=4, unique=True))
    members = {name: data.draw(st.sampled_from(HOSTILE)) for name in chosen}
    refused = data.draw(st.booleans())
    if refused:  # one value every schema refuses: nothing may be written
        members[data.draw(st.sampled_from(chosen))] = data.draw(st.sampled_from(ALWAYS_REFUSED))
    body = "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in members.items()) + "}"
    if data.draw(st.booleans()):
        body = data.draw(st.sampled_from(ALWAYS_REFUSED + HOSTILE))  # not even an object
        # ... except ``{}``, an empty object: an empty PATCH of one's own profile is a valid
        # request that may create it (a run saw talent.Profile 0 → 1 and failed).
        refused = body != "{}"
    before = _row_counts() if refused else None
    answer = olivia.generic(method, _path(path), body, content_type="application/json")
    assert answer.status_code < 500, (method, path, body[:200], answer.content[:300])
    if before is not None:
        after = _row_counts()
        changed = {k: (before[k], after[k]) for k in after if before[k] != after[k]}
        assert not changed, (method, path, body[:200], answer.status_code, changed)
