"""pytest plugin (loaded with ``-p``): test settings from the environment, and — when
NOMADCLOUD_TEST_DB=postgres — a real PostgreSQL server started for the run and stopped after.

It runs before pytest-django reads the settings, so DATABASE_URL points at the new server.
xdist workers inherit DATABASE_URL from the controller and start nothing themselves.
"""

from __future__ import annotations

import os

import pytest

from nomadcloud.testing.pgcluster import PostgresCluster

# Test-only secrets: never used outside the test run.
TEST_SECRET_KEY = "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
TEST_FIELD_KEY = "dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI="

_cluster: PostgresCluster | None = None


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(
    early_config: pytest.Config, parser: pytest.Parser, args: list[str]
) -> None:
    global _cluster
    os.environ.setdefault("SECRET_KEY", TEST_SECRET_KEY)
    os.environ.setdefault("NOMADCLOUD_FIELD_KEYS", TEST_FIELD_KEY)
    os.environ.setdefault("TASK_BACKEND", "immediate")
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    # One process: the cache in memory (query counts do not include cache reads); the
    # two-process tests (tests/test_scale_processes.py) set a shared cache themselves.
    os.environ.setdefault("CACHE_URL", "locmem://")
    os.environ.setdefault("NOMADCLOUD_DATA_DIR", os.path.join(os.getcwd(), "var", "test"))
    os.makedirs(os.path.join(os.environ["NOMADCLOUD_DATA_DIR"], "static"), exist_ok=True)
    if (
        os.environ.get("NOMADCLOUD_TEST_DB") == "postgres"
        and "PYTEST_XDIST_WORKER" not in os.environ
    ):
        _cluster = PostgresCluster().start()
        os.environ["DATABASE_URL"] = _cluster.url


def pytest_unconfigure(config: pytest.Config) -> None:
    global _cluster
    if _cluster is not None:
        _cluster.stop()
        _cluster = None


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get("DATABASE_URL", "sqlite (in memory)")
    return f"nomadcloud database: {url}"
