"""schemathesis on the points exchange, wallet, operator and batch operations (generated
from the code's own OpenAPI document), as the zone operator with work units and a scenario
with a rate, so that requests reach the services: no 5xx, and every answer matches the
document."""

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

from nomadcloud.accounts import services as accounts
from nomadcloud.accounts.principal import Principal
from nomadcloud.api import api
from tests.builders.points import give_work_units, zone_scenario
from tests.conftest import World

MERCHANT_PATHS = ("/merchants", "/payments", "/pay", "/cashier", "/settlement", "/statements")
DOCUMENT = api.get_openapi_schema()
DOCUMENT["paths"] = {
    path: operations
    for path, operations in DOCUMENT["paths"].items()
    if path.startswith("/api/v1/points") and not any(part in path for part in MERCHANT_PATHS)
}
schema = schemathesis.openapi.from_dict(DOCUMENT)
schema.app = get_wsgi_application()

pytestmark = pytest.mark.fuzz


@pytest.fixture
def auth_header(world: World) -> Iterator[dict[str, str]]:
    zone_scenario(world)
    give_work_units(world.oscar, "500.00")
    _token, secret = accounts.create_personal_token(
        principal=Principal.for_user(world.oscar), name="fuzz", scope="write"
    )
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield {"Authorization": f"Bearer {secret}"}
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
    ],
)
def test_points_api_conforms_to_its_document(case: Any, auth_header: dict[str, str]) -> None:
    case.call_and_validate(headers=auth_header, excluded_checks=[positive_data_acceptance])
