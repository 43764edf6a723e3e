"""Settings for running on several hosts (docs/operations.md, "Running on several hosts"):
the shared cache, the read replica, connection pooling, object storage and the job queues,
each parsed from the environment here so that settings.py stays a list of assignments and
the parsing can be tested without reloading the settings.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from nomadcloud.env import ConfigurationError

# --- Shared cache ------------------------------------------------------------------------------
# The cache table made by `nomadcloud createcachetable` (run by `migrate`, core/apps.py).
DEFAULT_CACHE_URL = "db://nomadcloud_cache"

_REDIS_SCHEMES = {"redis": "redis", "rediss": "rediss", "valkey": "redis", "valkeys": "rediss"}


def cache_config(url: str) -> dict[str, dict[str, Any]]:
    """``CACHE_URL`` → Django's CACHES: one shared store for the "default" cache and the
    "throttle" counters (kept apart by key prefix).

    - ``db://TABLE`` (default ``db://nomadcloud_cache``): Django's database cache, shared by
      every process using the database;
    - ``redis://``/``rediss://`` or ``valkey://``/``valkeys://`` host URLs: Django's Redis
      cache (Valkey speaks the same protocol; needs the ``redis`` package);
    - ``locmem://``: each process's memory (one process only: development and tests).
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme == "db":
        table = (parts.netloc + parts.path).strip("/") or "nomadcloud_cache"
        if not table.replace("_", "").isalnum():
            raise ConfigurationError(f"CACHE_URL: {table!r} is not a table name")
        base: dict[str, Any] = {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": table,
            # A quarter of the rows are culled when the table holds more than this.
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    elif scheme in _REDIS_SCHEMES:
        location = url.strip().replace(f"{parts.scheme}://", f"{_REDIS_SCHEMES[scheme]}://", 1)
        base = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}
    elif scheme == "locmem":
        base = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    else:
        raise ConfigurationError(
            f"CACHE_URL must start with db://, redis://, rediss://, valkey:// or locmem://,"
            f" got {url!r}"
        )
    caches = {"default": {**base, "KEY_PREFIX": "nc"}, "throttle": {**base, "KEY_PREFIX": "thr"}}
    if scheme == "locmem":
        caches["default"]["LOCATION"] = "default"
        caches["throttle"]["LOCATION"] = "throttle"
    return caches


# --- Connection pooling --------------------------------------------------------------------------
POOL_MODES = ("none", "psycopg", "pgbouncer")


def pooling_options(
    config: dict[str, Any], *, mode: str, pool_min: int, pool_max: int, pool_timeout: int
) -> dict[str, Any]:
    """Apply ``DB_POOL`` to a PostgreSQL DATABASES entry (SQLite is left as it is).

    - ``none``: one connection per process, kept ``DB_CONN_MAX_AGE`` seconds;
    - ``psycopg``: Django 5.1+'s psycopg pool in each process (``OPTIONS["pool"]``);
      ``CONN_MAX_AGE`` must then be 0 (Django refuses otherwise);
    - ``pgbouncer``: PgBouncer in transaction mode in front of PostgreSQL: no server-side
      cursors (a cursor would outlive the transaction on another server connection) and no
      prepared statements (psycopg ``prepare_threshold=None``).
    """
    if mode not in POOL_MODES:
        raise ConfigurationError(f"DB_POOL must be one of {', '.join(POOL_MODES)}, got {mode!r}")
    if config["ENGINE"] != "django.db.backends.postgresql":
        return config
    options = config.setdefault("OPTIONS", {})
    if mode == "psycopg":
        options["pool"] = {"min_size": pool_min, "max_size": pool_max, "timeout": pool_timeout}
    elif mode == "pgbouncer":
        config["DISABLE_SERVER_SIDE_CURSORS"] = True
        options["prepare_threshold"] = None
    return config


# --- Read replica ------------------------------------------------------------------------------
REPLICA_ALIAS = "replica"


def replica_config(primary: dict[str, Any], replica: dict[str, Any]) -> dict[str, Any]:
    """The replica's DATABASES entry: read-only work only (core/replicas.py); in tests it is
    a mirror of the primary's test database."""
    entry = dict(replica)
    entry["TEST"] = {"MIRROR": "default"}
    if primary.get("ENGINE") != entry.get("ENGINE"):
        raise ConfigurationError("DATABASE_REPLICA_URL must use the same engine as DATABASE_URL")
    return entry


# --- Object storage ------------------------------------------------------------------------------
S3_BACKEND = "storages.backends.s3.S3Storage"
_S3_OPTIONS = {
    "bucket_name",
    "endpoint_url",
    "region_name",
    "access_key",
    "secret_key",
    "addressing_style",
    "signature_version",
    "querystring_auth",
    "querystring_expire",
    "default_acl",
    "location",
    "custom_domain",
    "file_overwrite",
    "max_memory_size",
    "use_ssl",
    "verify",
    "object_parameters",
    "url_protocol",
}


def storage_options(backend: str, raw: str) -> dict[str, Any]:
    """``STORAGE_OPTIONS`` (a JSON object) → the OPTIONS of the "default" storage. For the
    S3 backend the keys are django-storages' S3 settings and ``bucket_name`` is required."""
    if not raw.strip():
        options: Any = {}
    else:
        try:
            options = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise ConfigurationError(f"STORAGE_OPTIONS is not valid JSON: {exc}") from exc
    if not isinstance(options, dict):
        raise ConfigurationError("STORAGE_OPTIONS must be a JSON object")
    if backend == S3_BACKEND:
        unknown = sorted(set(options) - _S3_OPTIONS)
        if unknown:
            raise ConfigurationError(f"STORAGE_OPTIONS: unknown S3 option(s) {', '.join(unknown)}")
        if not options.get("bucket_name"):
            raise ConfigurationError("STORAGE_OPTIONS must name the bucket (bucket_name)")
    return options


# --- Background jobs --------------------------------------------------------------------------
# Named queues (core/jobs.py): each has its own workers (`nomadcloud db_worker --queue-name`).
QUEUES = ["default", "adapters", "notifications", "compute", "exports", "pools"]
TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
    # Redis/Valkey queues (django-tasks-rq); needs TASK_REDIS_URL and the package installed.
    "rq": "django_tasks_rq.RQBackend",
}


def tasks_config(backend: str) -> dict[str, dict[str, Any]]:
    """``TASK_BACKEND`` → Django's TASKS. Switching to Redis/Valkey queues is this setting
    alone (``rq`` or the dotted path): the tasks and their queue names do not change."""
    return {"default": {"BACKEND": TASK_BACKENDS.get(backend, backend), "QUEUES": list(QUEUES)}}


def rq_queues(backend: str, redis_url: str) -> dict[str, dict[str, Any]]:
    """django-rq's RQ_QUEUES for the ``rq`` backend: every named queue on one Redis/Valkey
    server (django-tasks-rq requires each of TASKS' QUEUES there); empty otherwise."""
    if TASK_BACKENDS.get(backend, backend) != TASK_BACKENDS["rq"]:
        return {}
    if not redis_url:
        raise ConfigurationError("TASK_BACKEND=rq needs TASK_REDIS_URL")
    scheme = urlsplit(redis_url).scheme.lower()
    if scheme not in _REDIS_SCHEMES:
        raise ConfigurationError(
            f"TASK_REDIS_URL must be a redis:// or valkey:// URL, got {redis_url!r}"
        )
    url = redis_url.replace(f"{urlsplit(redis_url).scheme}://", f"{_REDIS_SCHEMES[scheme]}://", 1)
    return {name: {"URL": url} for name in QUEUES}
