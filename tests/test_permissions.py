"""A permission test for every page and API endpoint, generated from one table per app
(tests/permissions/).

Each endpoint is requested as six personas (anonymous, outsider from another organisation,
read-only member, owner, a department reviewer, the zone operator). Refused requests must
answer 302-to-login/401/403/404/409/422 and change nothing in the database; allowed ones must
succeed. A test fails when a URL or API operation exists that no table covers.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

import tests.permissions as matrix
from nomadcloud.api import api
from tests.conftest import PERSONAS, World, client_for, database_fingerprint
from tests.permissions import DENY, Case

MODULES = [
    importlib.import_module(f"tests.permissions.{info.name}")
    for info in pkgutil.iter_modules(matrix.__path__)
]
API_CASES: list[Case] = [c for m in MODULES for c in getattr(m, "API_CASES", [])]
PAGE_CASES: list[Case] = [c for m in MODULES for c in getattr(m, "PAGE_CASES", [])]
PUBLIC_PAGES: set[str] = {p for m in MODULES for p in getattr(m, "PUBLIC_PAGES", set())}
PUBLIC_API: set[tuple[str, str]] = {p for m in MODULES for p in getattr(m, "PUBLIC_API", set())}


def _named_patterns(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name in {"admin", "api"} or entry.namespace in {"admin", "api"}:
                continue  # admin checks is_staff itself; the API is covered operation by operation
            prefix = f"{entry.namespace}:" if entry.namespace else namespace
            names.extend(_named_patterns(entry, prefix))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(namespace + entry.name)
    return names


def test_every_page_is_in_the_matrix() -> None:
    covered = {case.url_name for case in PAGE_CASES}
    missing = [
        name
        for name in _named_patterns(get_resolver())
        if name not in PUBLIC_PAGES and name not in covered
    ]
    assert missing == []


def test_every_api_operation_is_in_the_matrix(db: None) -> None:
    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, methods in schema["paths"].items()
        for method in methods
    }
    world_paths = {(case.method, _shape(case)) for case in API_CASES}
    assert operations - PUBLIC_API - world_paths == set()


def _placeholder(match: re.Match[str]) -> str:
    return "/{}" if match.group(0).startswith("/") else "{}"


class _Fake:
    """Stands in for World when only the shape of a case's path is needed."""

    def __getattr__(self, name: str) -> Any:
        return self

    public_id = "00000000-0000-0000-0000-000000000000"
    pk = 1

    def __str__(self) -> str:
        return self.public_id


def _shape(case: Case) -> str:
    """The OpenAPI template a case exercises, with every placeholder written ``{}``."""
    if case.route:
        return re.sub(r"\{[^}]+\}", "{}", case.route)
    sample = case.path(_Fake())  # type: ignore[arg-type]
    return re.sub(r"[0-9a-f-]{36}|/\d+(?=/|$)", _placeholder, sample)


def _request(case: Case, client: Any, path: str, body: dict[str, Any]) -> Any:
    if case.api:
        return client.generic(
            case.method, path, json.dumps(body) if body else "", content_type="application/json"
        )
    if case.method == "GET":
        return client.get(path)
    return client.post(path, body)


ALL = [(case, persona) for case in API_CASES + PAGE_CASES for persona in PERSONAS]


@pytest.mark.parametrize(("case", "persona"), ALL, ids=[f"{c.name}-{p}" for c, p in ALL])
def test_permission(case: Case, persona: str, world: World) -> None:
    client = client_for(world.persona(persona), HTTP_ACCEPT_LANGUAGE="en")
    path, body = case.path(world), case.body(world)  # may create the objects they name
    before = database_fingerprint()
    response = _request(case, client, path, body)
    expected = case.expect[persona]
    if expected == DENY:
        if case.api:
            assert response.status_code in {401, 403, 404, 409}, response.content
            assert set(response.json()) == {"code", "message", "fields"}
        elif persona == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code in {403, 404, 409, 422, 302}, response.status_code
            if response.status_code == 302:  # a refusal shown as a message on the way back
                assert not response["Location"].startswith("/accounts/login/")
        assert database_fingerprint() == before, "a refused request changed the database"
    else:
        assert response.status_code in {200, 201, 204, 302}, response.content[:500]
        if response.status_code == 302:
            assert not response["Location"].startswith("/accounts/login/")
        if case.method != "GET" and case.changes:
            assert database_fingerprint() != before, "an allowed action changed nothing"
        elif not case.changes:
            assert database_fingerprint() == before, "a preview changed the database"
