"""Shared by the points benchmark and the stress test: Django set up outside the test suite
on a throwaway PostgreSQL server and a temporary SQLite file, and the ledger's world (assets,
accounts, funding). Never imported by the product."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# Benchmark-only settings (the same throwaway values the test suite uses).
_ENV = {
    "SECRET_KEY": "benchmark-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "NOMADCLOUD_FIELD_KEYS": "dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI=",
    "TASK_BACKEND": "immediate",
    "LOG_LEVEL": "ERROR",
    "DJANGO_SETTINGS_MODULE": "nomadcloud.settings",
}

SQLITE_ALIAS = "points_sqlite"


def setup_django(database_url: str, data_dir: Path) -> None:
    """Configure and set up Django with ``database_url`` as the default database."""
    for key, value in _ENV.items():
        os.environ.setdefault(key, value)
    os.environ["DATABASE_URL"] = database_url
    os.environ["NOMADCLOUD_DATA_DIR"] = str(data_dir)
    (data_dir / "static").mkdir(parents=True, exist_ok=True)
    import django

    django.setup()


def add_sqlite(path: Path, alias: str = SQLITE_ALIAS) -> str:
    """Register a SQLite file database (the project's settings: WAL, IMMEDIATE) as ``alias``
    and migrate the points app on it."""
    from django.core.management import call_command
    from django.db import connections

    from nomadcloud.dbconfig import database_config

    config: dict[str, Any] = database_config(f"sqlite:///{path}")
    config.update(
        ATOMIC_REQUESTS=False,
        AUTOCOMMIT=True,
        CONN_MAX_AGE=0,
        CONN_HEALTH_CHECKS=False,
        TIME_ZONE=None,
        TEST={"NAME": None},
    )
    connections.settings[alias] = config
    call_command("migrate", "points", database=alias, verbosity=0)
    return alias


def migrate(alias: str = "default") -> None:
    from django.core.management import call_command

    call_command("migrate", "points", database=alias, verbosity=0)


@contextmanager
def postgres() -> Iterator[Any]:
    """A throwaway PostgreSQL cluster (as the tests start it), stopped afterwards."""
    from nomadcloud.testing.pgcluster import PostgresCluster

    cluster = PostgresCluster().start()
    try:
        yield cluster
    finally:
        cluster.stop()


@contextmanager
def workdir() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="nomadcloud-points-") as d:
        yield Path(d)
