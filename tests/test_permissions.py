"""A permission test for every page and API endpoint, generated from one table per app
(tests/permissions/).

Each endpoint is requested as six personas (anonymous, outsider from another organisation,
read-only member, owner, a department reviewer, the zone operator); each case states each
persona's exact answer (tests/permissions/__init__.py, docs/decisions/0011): the status and,
for the API, the error envelope's code. Refused requests must change nothing in the tables of
the module's APPS and the audit log; allowed ones must succeed. A test fails when a URL or API
operation exists that no table covers.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import re
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

import tests.permissions as matrix
from nomadcloud.accounts.models import Organisation
from nomadcloud.api import api
from nomadcloud.core import audit
from tests.conftest import PERSONAS, World, WorldKeys, client_for, database_fingerprint
from tests.permissions import (
    ALLOW,
    BOUNCED,
    CONFLICT,
    FORBIDDEN,
    INVALID,
    NOT_FOUND,
    UNAUTHENTICATED,
    Case,
    Outcome,
)

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


def _modules_apps() -> None:
    for module in MODULES:
        for case in [*getattr(module, "API_CASES", []), *getattr(module, "PAGE_CASES", [])]:
            case.apps = (*module.APPS, *case.apps)


_modules_apps()


def _answered(case: Case, response: Any) -> Outcome:
    """What the product answered, in the matrix's words."""
    status = response.status_code
    if case.api:
        if status < 400:
            return ALLOW
        envelope = response.json()
        assert set(envelope) == {"code", "message", "fields"}, envelope
        code = envelope["code"]
        named = {401: UNAUTHENTICATED, 403: FORBIDDEN, 404: NOT_FOUND}.get(status)
        if named is not None:
            return named.because(code)
        return (
            CONFLICT(code)
            if status == 409
            else INVALID(code)
            if status == 422
            else Outcome("STATUS", status, code)
        )
    if status == 302:
        location = response["Location"]
        return UNAUTHENTICATED if location.startswith("/accounts/login/") else BOUNCED
    if status < 400:
        return ALLOW
    pages = {403: FORBIDDEN, 404: NOT_FOUND, 409: CONFLICT(), 422: INVALID()}
    return pages.get(status) or Outcome("STATUS", status)


def _as_page(outcome: Outcome) -> Outcome:
    """Pages carry no envelope: only the status (and for a redirect, where it goes) counts."""
    return outcome if outcome in {ALLOW, BOUNCED} else Outcome(outcome.name, outcome.status)


def _rewind(body: dict[str, Any]) -> None:
    """A shared body's uploads were read by the previous persona's request: start them over."""
    for value in body.values():
        for item in value if isinstance(value, list | tuple) else (value,):
            if hasattr(item, "seek"):
                item.seek(0)


def check(
    case: Case,
    persona: str,
    world: World | None,
    *,
    prepared: tuple[str, dict[str, Any]] | None = None,
    client: Any = None,
    baseline: dict[str, dict[str, str]] | None = None,
) -> None:
    """Ask as ``persona`` and compare the answer (and the database) with the case's.
    ``prepared``: the case's path and body, made once for its six personas (``case_setup``);
    ``client``: a client already signed in as the persona (``signed_in``); ``baseline``: where
    the fingerprint of the case's rows before any persona's request is kept (``case_setup``)."""
    if prepared is None or client is None:
        assert world is not None, "without a prepared case and client, the world is needed"
        client = client or client_for(world.persona(persona), HTTP_ACCEPT_LANGUAGE="en")
        # The path and body may create the objects they name.
        prepared = prepared or (case.path(world), case.body(world))
    path, body = prepared
    _rewind(body)
    # An allowed read is never compared: skip its digest.
    compared = case.expect[persona] != ALLOW or case.method != "GET" or not case.changes
    # Each persona's request starts from the same rows (the case's savepoint; the previous
    # persona's savepoint was rolled back), so where the answer must change nothing the
    # fingerprint before it is taken once per case. An allowed change is still compared with
    # a fingerprint taken right before it.
    unchanged = case.expect[persona] != ALLOW or not case.changes
    if compared and baseline is not None and unchanged:
        if "before" not in baseline:
            baseline["before"] = database_fingerprint(case.apps)
        before = baseline["before"]
    else:
        before = database_fingerprint(case.apps) if compared else {}
    response = _request(case, client, path, body)
    expected, answered = case.expect[persona], _answered(case, response)
    if not case.api:
        expected, answered = _as_page(expected), _as_page(answered)
        if expected == ALLOW and answered == BOUNCED:  # a page action redirects when done
            answered = ALLOW
    detail = response.content[:300] if answered != expected else b""
    assert answered == expected, detail
    if expected != ALLOW:
        assert database_fingerprint(case.apps) == before, "a refused request changed the database"
    elif case.method != "GET" and case.changes:
        assert database_fingerprint(case.apps) != before, "an allowed action changed nothing"
    elif not case.changes:
        assert database_fingerprint(case.apps) == before, "a preview changed the database"


CASES = API_CASES + PAGE_CASES


@pytest.fixture(scope="module")
def signed_in(_module_world: WorldKeys | None, django_db_blocker: Any) -> dict[str, str]:
    """Each persona signed in once per module (a session row in the module's world, the
    persona's language set to English as ``client_for`` does): a test only sets the session
    cookie. A request that ends or rotates the session does so in its test's savepoint,
    which is rolled back."""
    if _module_world is None:
        return {}
    with django_db_blocker.unblock():
        world = _module_world.load()
        return {
            persona: client_for(user, HTTP_ACCEPT_LANGUAGE="en")
            .cookies[settings.SESSION_COOKIE_NAME]
            .value
            for persona in PERSONAS
            if (user := world.persona(persona)) is not None
        }


@pytest.fixture(scope="module")
def case_setup(
    case: Case,
    _module_world: WorldKeys | None,
    signed_in: dict[str, str],
    django_db_blocker: Any,
) -> Iterator[tuple[str, dict[str, Any], dict[str, dict[str, str]]] | None]:
    """The case's path and body, and the objects they create, made once for the case's six
    personas in a savepoint of the module's world; each persona's request then runs in a
    savepoint of its own (pytest-django's ``db``) inside it, so each sees exactly the rows it
    saw when it made them itself. Rolled back when the next case begins. The third item keeps
    the fingerprint of the case's rows before any request (``check``'s ``baseline``)."""
    if _module_world is None:
        yield None
        return
    with django_db_blocker.unblock():
        savepoint = transaction.atomic(using=DEFAULT_DB_ALIAS)
        savepoint.__enter__()
        try:
            world = _module_world.load()
            prepared = (case.path(world), case.body(world))
        except BaseException:
            transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
            savepoint.__exit__(None, None, None)
            raise
    yield (*prepared, {})
    with django_db_blocker.unblock():
        transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
        savepoint.__exit__(None, None, None)


# The case is module-scoped so that pytest keeps a case's six personas together and makes
# ``case_setup`` once for them; test ids stay ``<case>-<persona>``.
@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES], scope="module")
def test_permission(
    case: Case,
    persona: str,
    case_setup: tuple[str, dict[str, Any], dict[str, dict[str, str]]] | None,
    signed_in: dict[str, str],
    db: None,
    request: pytest.FixtureRequest,
) -> None:
    if case_setup is None:  # the world is built per test in this run: so is the rest
        check(case, persona, request.getfixturevalue("world"))
        return
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    if persona in signed_in:
        client.cookies[settings.SESSION_COOKIE_NAME] = signed_in[persona]
    # The world's instances are not needed: the path, the body and the client are made.
    path, body, baseline = case_setup
    check(case, persona, None, prepared=(path, body), client=client, baseline=baseline)


def test_a_refused_request_that_changes_a_row_is_caught(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The scoped fingerprint still sees a refused request that writes: here the outsider's
    refused rename of Acme renames it anyway, behind the product's back."""
    case = next(c for c in API_CASES if c.name == "api patch organisation")
    assert case.expect["outsider"] == NOT_FOUND
    answer = _request

    def leaky(*args: Any) -> Any:
        response = answer(*args)
        Organisation.objects.filter(pk=world.acme.pk).update(name_en="Renamed by a refusal")
        return response

    monkeypatch.setattr(sys.modules[__name__], "_request", leaky)
    with pytest.raises(AssertionError, match="a refused request changed the database"):
        check(case, "outsider", world)


def test_a_refused_request_that_only_writes_the_audit_log_is_caught(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = next(c for c in API_CASES if c.name == "api patch organisation")
    answer = _request

    def leaky(*args: Any) -> Any:
        response = answer(*args)
        audit.record(actor=world.charlie, action="organisation.updated", obj=world.acme)
        return response

    monkeypatch.setattr(sys.modules[__name__], "_request", leaky)
    with pytest.raises(AssertionError, match="a refused request changed the database"):
        check(case, "outsider", world)


def test_a_refused_write_is_caught_against_the_case_baseline(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fingerprint before a case's requests is taken once for its personas (``baseline``):
    a later persona's refused request that writes is still caught against it."""
    case = next(c for c in API_CASES if c.name == "api patch organisation")
    assert case.expect["outsider"] == NOT_FOUND and case.expect["readonly"] != ALLOW
    prepared = (case.path(world), case.body(world))
    baseline: dict[str, dict[str, str]] = {}
    check(case, "readonly", world, prepared=prepared, client=None, baseline=baseline)
    assert "before" in baseline
    answer = _request

    def leaky(*args: Any) -> Any:
        response = answer(*args)
        Organisation.objects.filter(pk=world.acme.pk).update(name_en="Renamed by a refusal")
        return response

    monkeypatch.setattr(sys.modules[__name__], "_request", leaky)
    client = client_for(world.persona("outsider"), HTTP_ACCEPT_LANGUAGE="en")
    with pytest.raises(AssertionError, match="a refused request changed the database"):
        check(case, "outsider", world, prepared=prepared, client=client, baseline=baseline)
