"""schemathesis on the data-processing operations, generated from the code's own OpenAPI
document (the committed one may not list them yet): no 5xx, and every answer matches the
document. Runs with an open batch of Acme's, so that some requests reach real objects."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from nomadcloud.api import api
from tests.builders.datatasks import open_batch
from tests.conftest import World

DOCUMENT = api.get_openapi_schema()
DOCUMENT["paths"] = {
    path: operations
    for path, operations in DOCUMENT["paths"].items()
    if path.startswith("/api/v1/datatasks")
}
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = get_wsgi_application()

# The whole API is fuzzed on PostgreSQL (test_api_fuzz); this deeper pass over the data-task
# operations runs on SQLite, so each database gets one (decision 0047).
pytestmark = [pytest.mark.fuzz, pytest.mark.one_database("sqlite")]


@pytest.fixture
def auth_header(world: World) -> Iterator[dict[str, str]]:
    open_batch(world)
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {world.olivia_token_secret}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_datatasks_api_conforms_to_its_document(case: Any, auth_header: dict[str, str]) -> None:
    case.call_and_validate(headers=auth_header, excluded_checks=[positive_data_acceptance])
