"""A migrated test database made once and copied, instead of migrating per test process
(docs/decisions/0028-test-time.md).

Running every migration costs each pytest-xdist worker seconds of CPU (Django renders the
model state of about 80 migrations), on SQLite and on PostgreSQL alike. Instead, the first
worker that needs the test database migrates it as Django always does and saves the result
as a *template*; every other worker, and every later run while the migrations are
unchanged, copies the template into its own, empty, test database:

- SQLite (an in-memory test database per worker): the template is a database file, copied
  with SQLite's online backup API into the worker's in-memory database;
- PostgreSQL: the template is a plain ``pg_dump`` of the migrated database, replayed with
  ``psql`` into the worker's freshly created test database.

The template's name is a digest of everything a migration run depends on: the migration
files of every installed app (Django's and third-party ones too), the project modules those
migrations import, the Django version and the database server's version. A changed
migration therefore makes a new template; nothing stale is ever copied. Templates live under
``$NOMADCLOUD_DATA_DIR/db-templates`` (``var/test`` for tests). A lock file makes one worker
build while the others wait for it.

Everything else of Django's test-database set-up (creation, ``createcachetable``,
serialisation, teardown) is Django's own: only its ``migrate`` call is replaced, and only
while the test databases are being set up (``migrated_from_templates``).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import django
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

_IMPORT = re.compile(r"^\s*import\s+(nomadcloud(?:\.\w+)*)", re.MULTILINE)
_FROM = re.compile(r"^\s*from\s+(nomadcloud(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n]+)", re.MULTILINE)


def directory() -> Path:
    return Path(os.environ.get("NOMADCLOUD_DATA_DIR", "var/test")) / "db-templates"


def _module_file(module: str) -> Path | None:
    root = Path(__file__).resolve().parent.parent.parent
    base = root / module.replace(".", "/")
    for candidate in (base.with_suffix(".py"), base / "__init__.py"):
        if candidate.exists():
            return candidate
    return None


def migration_sources() -> list[Path]:
    """Every file a migration run reads: the migration modules of each installed app and the
    project modules they import (e.g. the trigger SQL of core and points)."""
    files: set[Path] = set()
    for app in apps.get_app_configs():
        folder = Path(app.path) / "migrations"
        if folder.is_dir():
            files.update(p for p in folder.glob("*.py"))
    imported: set[Path] = set()
    for path in files:
        text = path.read_text(encoding="utf-8")
        modules = set(_IMPORT.findall(text))
        for package, names in _FROM.findall(text):
            # ``from nomadcloud.core import triggers`` reads the module nomadcloud.core.triggers
            modules.add(package)
            for name in names.strip("()").split(","):
                if name.split():
                    modules.add(f"{package}.{name.split()[0]}")
        for module in modules:
            found = _module_file(module)
            if found is not None:
                imported.add(found)
    return sorted(files | imported)


def key(connection: BaseDatabaseWrapper) -> str:
    """The template's name: changes whenever what migrating produces may change."""
    digest = hashlib.sha256()
    server = ""
    if connection.vendor == "sqlite":
        server = sqlite3.sqlite_version
    elif connection.vendor == "postgresql":
        server = str(getattr(connection, "pg_version", ""))
    digest.update(f"{django.__version__}|{connection.vendor}|{server}|".encode())
    digest.update("|".join(settings.INSTALLED_APPS).encode())
    for path in migration_sources():
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes())
    return f"{connection.vendor}-{digest.hexdigest()[:20]}"


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_suffix(".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


# --- SQLite ---------------------------------------------------------------------------------------


def _sqlite_save(connection: BaseDatabaseWrapper, path: Path) -> None:
    connection.ensure_connection()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        connection.connection.backup(target)
    finally:
        target.close()
    partial.replace(path)


def _sqlite_load(connection: BaseDatabaseWrapper, path: Path) -> None:
    connection.ensure_connection()
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        source.backup(connection.connection)
    finally:
        source.close()


# --- PostgreSQL -----------------------------------------------------------------------------------


def _pg_command(connection: BaseDatabaseWrapper, program: str) -> tuple[list[str], dict[str, str]]:
    from nomadcloud.testing.pgcluster import _bin_dir

    found = shutil.which(program)
    try:
        binary = str(_bin_dir() / program)
    except RuntimeError:
        binary = found or program
    s = connection.settings_dict
    command = [binary, "-h", str(s["HOST"] or "localhost"), "-U", str(s["USER"])]
    if s.get("PORT"):
        command += ["-p", str(s["PORT"])]
    env = {**os.environ}
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = str(s["PASSWORD"])
    return command, env


def _pg_save(connection: BaseDatabaseWrapper, path: Path) -> None:
    command, env = _pg_command(connection, "pg_dump")
    partial = path.with_suffix(".partial")
    subprocess.run(
        [
            *command,
            "--no-owner",
            "--no-privileges",
            "--format=plain",
            "--file",
            str(partial),
            str(connection.settings_dict["NAME"]),
        ],
        check=True,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    partial.replace(path)


def _pg_load(connection: BaseDatabaseWrapper, path: Path) -> None:
    command, env = _pg_command(connection, "psql")
    connection.close()  # the replay runs in its own session
    subprocess.run(
        [
            *command,
            "-X",
            "-q",
            "-v",
            "ON_ERROR_STOP=1",
            "--single-transaction",
            "-d",
            str(connection.settings_dict["NAME"]),
            "-f",
            str(path),
        ],
        check=True,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


_SAVE: dict[str, Callable[[BaseDatabaseWrapper, Path], None]] = {
    "sqlite": _sqlite_save,
    "postgresql": _pg_save,
}
_LOAD: dict[str, Callable[[BaseDatabaseWrapper, Path], None]] = {
    "sqlite": _sqlite_load,
    "postgresql": _pg_load,
}
_SUFFIX = {"sqlite": ".sqlite3", "postgresql": ".sql"}


def migrate_from_template(migrate: Callable[[], Any], connection: BaseDatabaseWrapper) -> str:
    """Bring ``connection``'s empty test database to the migrated state: copy the template
    when there is one, else run ``migrate`` and save the result as the template. Answers
    ``"copied"`` or ``"migrated"``."""
    if connection.vendor not in _SAVE:
        migrate()
        return "migrated"
    connection.ensure_connection()
    path = directory() / (key(connection) + _SUFFIX[connection.vendor])
    with _locked(path):
        if path.exists():
            _LOAD[connection.vendor](connection, path)
            return "copied"
        migrate()
        for stale in directory().glob(f"{connection.vendor}-*{_SUFFIX[connection.vendor]}"):
            stale.unlink(missing_ok=True)
        _SAVE[connection.vendor](connection, path)
        return "migrated"


@contextmanager
def migrated_from_templates(*, enabled: bool = True) -> Iterator[None]:
    """While the test databases are set up, Django's ``migrate`` of a test database is
    answered from the template (see the module's docstring). ``enabled=False``: Django's own
    ``migrate`` as usual."""
    import django.core.management as management

    if not enabled:
        yield
        return

    original = management.call_command

    def call_command(name: Any, *args: Any, **options: Any) -> Any:
        if name != "migrate" or args:
            return original(name, *args, **options)
        connection = connections[options.get("database", "default")]
        migrate_from_template(lambda: original(name, **options), connection)
        return None

    management.call_command = call_command  # type: ignore[assignment]
    try:
        yield
    finally:
        management.call_command = original
