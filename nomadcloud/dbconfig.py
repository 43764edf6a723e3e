"""DATABASE_URL → Django's DATABASES entry, with the per-engine tuning NomadCloud relies on."""

from __future__ import annotations

from typing import Any

import dj_database_url

from nomadcloud.env import ConfigurationError


def database_config(url: str, *, conn_max_age: int = 0, sqlite_timeout: int = 20) -> dict[str, Any]:
    try:
        config: dict[str, Any] = dict(dj_database_url.parse(url, conn_max_age=conn_max_age))
    except ValueError as exc:  # unknown scheme
        raise ConfigurationError(f"DATABASE_URL cannot be used: {exc}") from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets readers proceed while one writer writes; IMMEDIATE takes the write lock
            # at BEGIN so that two writers queue on the busy timeout instead of failing
            # mid-transaction with "database is locked".
            "transaction_mode": "IMMEDIATE",
            "timeout": sqlite_timeout,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
            ),
        }
    elif config["ENGINE"] == "django.db.backends.postgresql":
        config.setdefault("OPTIONS", {})
        config["CONN_HEALTH_CHECKS"] = True
    return config
