"""Shared fixtures: the persona world (tests/builders/world.py), one per test module.

`world` is built once per module inside a transaction that is rolled back when the module
ends; each test runs in a savepoint of it (pytest-django's `db` nests inside) and gets fresh
instances of the world's rows. A module in which any test needs real commits (a live server,
`transaction=True`) builds the world per test, as before. Within a sharing module the tests
that do not use the world run first, so they never see its rows.
"""

from __future__ import annotations

import ast
import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.test import Client, override_settings

from tests.builders.world import (  # noqa: F401  (re-exported: tests import them from here)
    PASSWORD,
    PERSONA_USERS,
    PERSONAS,
    World,
    WorldKeys,
    build_world,
    credit_code,
    make_org,
    make_person,
)

FAST_HASHERS = ["nomadcloud.testing.hashers.FastArgon2PasswordHasher"]

# Every test Client builds its own middleware chain, and WhiteNoise (without autorefresh)
# stats every static file of every finder when it is built: about a third of the suite's time.
# With autorefresh it finds a file when it is asked for, as in development; production keeps
# the scan at start-up.
settings.WHITENOISE_AUTOREFRESH = True
# No sentence-embedding model by default: the platform must work without one, and loading one
# costs seconds. tests/test_semantic.py turns it on (a tiny ONNX model it builds, and the
# packaged model once).
settings.MATCHING_EMBEDDINGS = "none"
# Argon2 with tiny costs for the whole test process, set before any fixture runs: module- and
# session-scoped fixtures (the permission matrix's ``case_setup``, which builds a case's people
# through the services) ran before a function-scoped override could apply, and hashed each
# password with production's costs (~0.6 s each; decision 0060). Tests that need another hasher
# still set it with the ``settings`` fixture.
settings.PASSWORD_HASHERS = FAST_HASHERS


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_use_migrations: bool,
    django_db_keepdb: bool,
    django_db_createdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """pytest-django's own set-up, except that a test database is migrated once and then
    copied from a template (nomadcloud/testing/template_db.py, decision 0028)."""
    from django.test.utils import setup_databases, teardown_databases
    from pytest_django.fixtures import _disable_migrations, _get_databases_for_setup

    from nomadcloud.testing.template_db import migrated_from_templates

    if not django_db_use_migrations:
        _disable_migrations()
    keepdb = django_db_keepdb and not django_db_createdb
    aliases, serialized_aliases = _get_databases_for_setup(request.session.items)
    verbosity = request.config.option.verbose
    # An existing database (--reuse-db) or one made without migrations is left to Django.
    templates = django_db_use_migrations and not keepdb
    with django_db_blocker.unblock(), migrated_from_templates(enabled=templates):
        db_cfg = setup_databases(
            verbosity=verbosity,
            interactive=False,
            aliases=aliases,
            serialized_aliases=serialized_aliases,
            keepdb=keepdb,
        )
    _TEST_DATABASES["ready"] = True
    yield
    _TEST_DATABASES["ready"] = False
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            _end_leaked_sessions()
            teardown_databases(db_cfg, verbosity=verbosity)


# Whether the session's test databases exist (set by django_db_setup below).
_TEST_DATABASES = {"ready": False}


def _end_leaked_sessions() -> None:
    """A thread of a concurrency or live-server test that died before closing its
    connection leaves a session open, and PostgreSQL refuses to drop a database in use
    ("being accessed by other users"): end those sessions, whose tests have all finished."""
    from django.db import connections

    for conn in connections.all():
        if conn.vendor != "postgresql":
            continue
        with conn.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture(autouse=True)
def _fresh_throttles() -> None:
    """Each test starts with empty sign-in/sign-up counters (accounts/throttle.py)."""
    from django.core.cache import caches

    caches["throttle"].clear()


@pytest.fixture(autouse=True)
def _fresh_calendar() -> None:
    """Each test reads the holiday calendar afresh (core/workdays.py caches it for a minute),
    so a rolled-back edit never leaks and query counts do not depend on test order."""
    from nomadcloud.core.workdays import calendar_changed

    calendar_changed()


# What makes a test need real commits: then its module cannot run inside one transaction.
_COMMITTING_FIXTURES = {
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}
_SHARED_WORLD = pytest.StashKey[set[str]]()


def _commits(item: pytest.Item) -> bool:
    if _COMMITTING_FIXTURES & set(getattr(item, "fixturenames", ())):
        return True
    marker = item.get_closest_marker("django_db")
    flags = ("transaction", "reset_sequences", "serialized_rollback")
    return marker is not None and any(marker.kwargs.get(flag) for flag in flags)


# Reference rows written by data migrations (the holiday calendar, the incentive policies)
# are wiped by the flush that ends every test which commits (Django's TransactionTestCase).
# Put them back right after that flush, so that no later test depends on the order tests run.
_REFERENCE_DATA = (
    ("nomadcloud.core.migrations.0004_load_holidays", "load"),
    ("nomadcloud.incentives.migrations.0002_seed_policies", "seed"),
)


def _restore_reference_data() -> None:
    import importlib

    from django.apps import apps as django_apps

    for module, function in _REFERENCE_DATA:
        getattr(importlib.import_module(module), function)(django_apps, None)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Iterator[None]:
    yield
    # After the last test the session's databases are gone: nothing to restore. A test skipped
    # before any database was set up flushed nothing, and there is no test database to write to.
    if _commits(item) and nextitem is not None and _TEST_DATABASES["ready"]:
        from pytest_django.plugin import blocking_manager_key

        with item.config.stash[blocking_manager_key].unblock():
            _restore_reference_data()


def _uses_world(item: pytest.Item) -> bool:
    # ``_module_world`` directly: the permission matrix shares the world without loading it
    return bool({"world", "_module_world"} & set(getattr(item, "fixturenames", ())))


# Modules whose single tests run for many seconds (they crawl the demo zone, or hammer a
# ledger file). They go first, so that pytest-xdist hands them out while the other worker still
# has plenty to do: left to the end (their alphabetical place), one worker ran on alone for
# up to a minute while the other idled. Order only: every test still runs.
SLOW_FIRST = (
    "tests.test_raw_values",
    "tests.test_query_counts",
    "tests.test_workspace",
    "tests.test_points_stress",
    "tests.test_points_store",
    "tests.test_proofs_core_speedups",
    "tests.test_security_headers",
    "tests.test_demo_data",
)


def _slow_rank(item: pytest.Item) -> int:
    name = item.module.__name__ if item.module else ""
    return SLOW_FIRST.index(name) if name in SLOW_FIRST else len(SLOW_FIRST)


def _other_database(item: pytest.Item) -> bool:
    """True for a `one_database` test whose database is not this run's. Only the full suite
    (which sets NOMADCLOUD_TEST_DB) narrows; a bare `pytest tests/x.py` runs everything."""
    marker = item.get_closest_marker("one_database")
    here = os.environ.get("NOMADCLOUD_TEST_DB")
    return marker is not None and here is not None and marker.args[0] != here


def _module_marks(path: Path) -> dict[str, tuple[Any, ...]]:
    """The marks a test module puts on all its tests (``pytestmark``), read from its source
    without importing it: name → literal arguments."""
    text = path.read_text(encoding="utf-8")
    if "pytestmark" not in text:
        return {}
    marks: dict[str, tuple[Any, ...]] = {}
    for node in ast.parse(text).body:
        if not (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets)
        ):
            continue
        for sub in ast.walk(node.value):
            call = sub.func if isinstance(sub, ast.Call) else sub
            if (
                isinstance(call, ast.Attribute)
                and isinstance(call.value, ast.Attribute)
                and call.value.attr == "mark"
            ):
                args = sub.args if isinstance(sub, ast.Call) else []
                found = tuple(a.value for a in args if isinstance(a, ast.Constant))
                # ast.walk also meets a call's own ``pytest.mark.x`` without its arguments
                marks[call.attr] = found or marks.get(call.attr, ())
    return marks


def _excluded_marks(config: pytest.Config) -> set[str]:
    """The marks an ``-m "not a and not b"`` expression excludes outright (other expressions
    exclude nothing here: pytest's own deselection handles them)."""
    terms = [t.strip() for t in (config.option.markexpr or "").split(" and ")]
    if not terms or not all(t.startswith("not ") for t in terms):
        return set()
    return {t.removeprefix("not ").strip() for t in terms}


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    """Do not even import a module none of whose tests would run: a module marked for the
    other database in the full suite, or a fuzz/browser module under ``-m "not fuzz …"``.
    Collecting the API fuzz builds schemathesis' cases for every operation (~10 CPU-seconds
    per pytest process), which every xdist worker of both runs used to pay for nothing
    (decision 0056). pytest still deselects by marker whatever is collected."""
    if collection_path.suffix != ".py" or not collection_path.name.startswith("test_"):
        return None
    marks = _module_marks(collection_path)
    here = os.environ.get("NOMADCLOUD_TEST_DB")
    only = marks.get("one_database")
    if here is not None and only and only[0] != here:
        return True
    if set(marks) & _excluded_marks(config):
        return True
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    elsewhere = [item for item in items if _other_database(item)]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if not _other_database(item)]
    by_module: dict[str, list[pytest.Item]] = {}
    for item in items:
        by_module.setdefault(item.module.__name__ if item.module else "", []).append(item)
    sharing = {
        name
        for name, module_items in by_module.items()
        if any(_uses_world(i) for i in module_items) and not any(_commits(i) for i in module_items)
    }
    config.stash[_SHARED_WORLD] = sharing
    # Stable: within a sharing module the tests without the world go first (the shared world
    # exists from the first test that asks for it to the end of the module).
    position = {id(item): n for n, item in enumerate(items)}
    items.sort(
        key=lambda i: (
            _slow_rank(i),
            position[id(by_module[i.module.__name__ if i.module else ""][0])],
            (i.module.__name__ in sharing and _uses_world(i)) if i.module else False,
            position[id(i)],
        )
    )


@pytest.fixture(scope="module")
def _module_world(
    request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any
) -> Iterator[WorldKeys | None]:
    if request.module.__name__ not in request.config.stash.get(_SHARED_WORLD, set()):
        yield None
        return
    with django_db_blocker.unblock():
        outer = transaction.atomic(using=DEFAULT_DB_ALIAS)
        # As Django's TestCase marks its own: lets durable blocks run inside the tests.
        outer._from_testcase = True  # type: ignore[attr-defined]
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                keys = WorldKeys.of(build_world())
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield keys
    with django_db_blocker.unblock():
        transaction.set_rollback(True, using=DEFAULT_DB_ALIAS)
        outer.__exit__(None, None, None)
        connections[DEFAULT_DB_ALIAS].close_if_unusable_or_obsolete()


@pytest.fixture
def world(_module_world: WorldKeys | None, db: None) -> World:
    return build_world() if _module_world is None else _module_world.load()


def client_for(user: Any, **defaults: Any) -> Client:
    """A client signed in as ``user``. With HTTP_ACCEPT_LANGUAGE the person's saved language
    is set to it too, since a signed-in person's saved choice wins over the header."""
    client = Client(**defaults)
    if user is not None:
        language = defaults.get("HTTP_ACCEPT_LANGUAGE")
        if language and user.preferred_language != language:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
        client.force_login(user)
    return client


# Tables whose rows change as a side effect of any request, not as the effect of an action.
VOLATILE_TABLES = {
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
    "risk.Sighting",  # where a person acted from (risk/middleware.py), like axes' access log
}
# The audit log is in every scoped fingerprint: every action writes it.
AUDIT_APP = "core"
# Above this many rows a table is summarised (count, highest key, latest change) instead of
# hashed row by row; the tables tests write are far smaller.
FULL_HASH_LIMIT = 500


def _summary(model: Any) -> str:
    """A table above FULL_HASH_LIMIT rows: its count, highest key and latest change."""
    quote = connection.ops.quote_name
    table, key = quote(model._meta.db_table), quote(model._meta.pk.column)
    changed = next(
        (
            quote(f.column)
            for f in model._meta.concrete_fields
            if f.name in {"updated", "updated_at", "modified", "changed_at"}
        ),
        "NULL",
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*), MAX({key}), MAX({changed}) FROM {table}")
        return repr(cursor.fetchone())


# The columns of each table as the database has them (a child table of multi-table
# inheritance holds only its own fields), read once per process and database.
_COLUMNS: dict[tuple[str, str], list[str]] = {}


def _row_text(model: Any) -> str:
    """An SQL expression giving a whole row of ``_fp`` as one text value, unambiguously:
    PostgreSQL's record output, SQLite's ``quote()`` of each column (text quoted and
    escaped, blobs in hex, NULL as NULL)."""
    if connection.vendor == "postgresql":
        return "_fp::text"
    table = model._meta.db_table
    columns = _COLUMNS.get((connection.alias, table))
    if columns is None:
        with connection.cursor() as cursor:
            description = connection.introspection.get_table_description(cursor, table)
        columns = _COLUMNS[(connection.alias, table)] = [c.name for c in description]
    quote = connection.ops.quote_name
    return " || ',' || ".join(f"quote(_fp.{quote(column)})" for column in columns)


# The statements per scope, built once: (models, statements). SQLite allows at most 500
# terms in a compound SELECT, hence chunks.
_STATEMENTS: dict[tuple[str, frozenset[str] | None], tuple[list[Any], list[str]]] = {}
_CHUNK = 200


def _fingerprint_statements(labels: frozenset[str] | None) -> tuple[list[Any], list[str]]:
    cached = _STATEMENTS.get((connection.vendor, labels))
    if cached is not None:
        return cached
    models = [
        model
        for model in apps.get_models()
        if model._meta.label not in VOLATILE_TABLES
        and not model._meta.proxy
        and (labels is None or model._meta.app_label in labels or model._meta.label in labels)
    ]
    quote = connection.ops.quote_name
    parts = [
        f"SELECT {n} AS n, r FROM (SELECT {_row_text(model)} AS r"
        f" FROM {quote(model._meta.db_table)} _fp"
        f" ORDER BY _fp.{quote(model._meta.pk.column)} LIMIT {FULL_HASH_LIMIT + 1}) s{n}"
        for n, model in enumerate(models)
    ]
    statements = [
        " UNION ALL ".join(parts[start : start + _CHUNK]) for start in range(0, len(parts), _CHUNK)
    ]
    made = _STATEMENTS[(connection.vendor, labels)] = (models, statements)
    return made


def database_fingerprint(scope: Iterable[str] | None = None) -> dict[str, str]:
    """A digest per table: equal before and after means nothing changed (and a difference
    names the table). With ``scope`` (app labels such as ``"orders"`` or model labels such as
    ``"proofs.Credential"``), only those tables and the audit log.

    Every row of every table in scope (up to FULL_HASH_LIMIT a table; above it the table's
    count, highest key and latest change) is read in one statement, a ``UNION ALL`` of one
    ordered, limited sub-select per table, and hashed here: one round trip instead of one a
    table, which on PostgreSQL was most of a permission test's own time (decision 0060)."""
    labels = None if scope is None else frozenset({*scope, AUDIT_APP})
    models, statements = _fingerprint_statements(labels)
    rows: list[list[str]] = [[] for _ in models]
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
            for n, text in cursor.fetchall():
                rows[n].append(text)
    digests = {}
    for model, texts in zip(models, rows, strict=True):
        if len(texts) > FULL_HASH_LIMIT:
            digests[model._meta.label] = _summary(model)
        else:  # the rows carry their keys: sorted, the order they came in does not matter
            digest = hashlib.sha256("\n".join(sorted(texts)).encode()).hexdigest()[:16]
            digests[model._meta.label] = digest
    return digests


# Browser fixtures are defined once, here, for every browser test: each test process must
# start one Playwright only (a second sync_playwright() in the same thread fails).
from tests.browser_fixtures import (  # noqa: E402, F401
    audit_triggers_lifted_for_flush,
    browser,
    login,
    page,
)
