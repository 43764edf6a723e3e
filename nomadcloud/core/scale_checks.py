"""System checks for running on several hosts (docs/configuration.md, "System checks"):
pooling combinations that cannot work, the shared cache's client, and the object storage
bucket answering."""

from __future__ import annotations

import importlib.util
from typing import Any

from django.conf import settings
from django.core import checks

from nomadcloud.settings_scale import S3_BACKEND

POSTGRESQL = "django.db.backends.postgresql"
PGBOUNCER_PORT = "6432"


@checks.register()
def check_pooling(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    return pooling_problems(settings.DB_POOL, settings.DATABASES)


def pooling_problems(mode: str, databases: dict[str, Any]) -> list[checks.CheckMessage]:
    """Refuse pooling settings that break at the first query or behind PgBouncer."""
    errors: list[checks.CheckMessage] = []
    for alias, config in databases.items():
        engine = config["ENGINE"]
        options = config.get("OPTIONS", {})
        if mode != "none" and engine != POSTGRESQL:
            errors.append(
                checks.Error(
                    f"DB_POOL={mode!r} needs PostgreSQL; database {alias!r} is {engine}.",
                    hint="Use DB_POOL=none with SQLite.",
                    id="nomadcloud.E210",
                )
            )
            continue
        if options.get("pool") and config.get("CONN_MAX_AGE", 0):
            errors.append(
                checks.Error(
                    "The psycopg pool (DB_POOL=psycopg) cannot be combined with persistent"
                    f" connections (DB_CONN_MAX_AGE={config['CONN_MAX_AGE']}).",
                    hint="Set DB_CONN_MAX_AGE=0: the pool keeps the connections.",
                    id="nomadcloud.E211",
                )
            )
        if options.get("pool") and importlib.util.find_spec("psycopg_pool") is None:
            errors.append(
                checks.Error(
                    "DB_POOL=psycopg needs the psycopg_pool package.",
                    hint="pip install 'psycopg[pool]', or use DB_POOL=none or pgbouncer.",
                    id="nomadcloud.E212",
                )
            )
        if (
            engine == POSTGRESQL
            and str(config.get("PORT", "")) == PGBOUNCER_PORT
            and not (config.get("DISABLE_SERVER_SIDE_CURSORS") and "prepare_threshold" in options)
        ):
            errors.append(
                checks.Error(
                    f"Database {alias!r} is on port {PGBOUNCER_PORT} (PgBouncer's) but server-side"
                    " cursors and prepared statements are on: both fail behind PgBouncer in"
                    " transaction mode.",
                    hint="Set DB_POOL=pgbouncer.",
                    id="nomadcloud.E213",
                )
            )
    return errors


@checks.register()
def check_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    backends = {entry["BACKEND"] for entry in settings.CACHES.values()}
    if (
        "django.core.cache.backends.redis.RedisCache" in backends
        and importlib.util.find_spec("redis") is None
    ):
        errors.append(
            checks.Error(
                "CACHE_URL names Redis/Valkey but the redis package is not installed.",
                hint="pip install redis (it speaks to Valkey too).",
                id="nomadcloud.E214",
            )
        )
    return errors


def bucket_answers(options: dict[str, Any]) -> str | None:
    """HEAD the configured bucket; the reason it does not answer, or None."""
    import boto3
    from botocore.config import Config
    from botocore.exceptions import BotoCoreError, ClientError

    client = boto3.client(
        "s3",
        endpoint_url=options.get("endpoint_url"),
        region_name=options.get("region_name"),
        aws_access_key_id=options.get("access_key"),
        aws_secret_access_key=options.get("secret_key"),
        use_ssl=options.get("use_ssl", True),
        verify=options.get("verify"),
        config=Config(
            connect_timeout=3,
            read_timeout=5,
            retries={"max_attempts": 1},
            s3={"addressing_style": options.get("addressing_style", "auto")},
            signature_version=options.get("signature_version", "s3v4"),
        ),
    )
    try:
        client.head_bucket(Bucket=options["bucket_name"])
    except (BotoCoreError, ClientError) as exc:
        return str(exc)
    return None


@checks.register()
def check_storage(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    storage: dict[str, Any] = getattr(settings, "STORAGES")["default"]  # noqa: B009
    if storage["BACKEND"] != S3_BACKEND:
        return []
    if importlib.util.find_spec("storages") is None:
        return [
            checks.Error(
                "STORAGE_BACKEND is S3 but django-storages is not installed.",
                id="nomadcloud.E215",
            )
        ]
    options: dict[str, Any] = storage.get("OPTIONS", {})
    reason = bucket_answers(options)
    if reason is None:
        return []
    return [
        checks.Error(
            f"The object storage bucket {options.get('bucket_name')!r} at"
            f" {options.get('endpoint_url') or 'AWS'} does not answer: {reason}",
            hint="Check STORAGE_OPTIONS (endpoint_url, region_name, bucket_name) and the keys.",
            id="nomadcloud.E216",
        )
    ]
