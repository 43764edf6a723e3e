"""The shared cache (settings CACHE_URL, docs/operations.md "Shared cache").

Everything that must agree between web and worker processes is in the database (sessions,
lock-outs, idempotency records, jobs, the matching index's stamps) or in this cache (throttle
counters, "seen today" marks, rendered figures). The database cache's table is created by
``migrate`` (a post-migrate hook), so a new installation needs no extra step.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command


def uses_database_cache() -> bool:
    return any(
        entry["BACKEND"] == "django.core.cache.backends.db.DatabaseCache"
        for entry in settings.CACHES.values()
    )


def create_cache_table(using: str = "default", **kwargs: Any) -> None:
    """post_migrate: create the database cache's table if it is missing (idempotent)."""
    if using == "default" and uses_database_cache():
        call_command("createcachetable", database=using, verbosity=0)
