"""System checks that catch misconfiguration before the platform serves anyone."""

from __future__ import annotations

from typing import Any

from cryptography.fernet import Fernet
from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=False)
def check_secrets(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    if not settings.DEBUG and not settings.SECRET_KEY_FROM_ENV:
        errors.append(
            checks.Error(
                "SECRET_KEY is not set in the environment.",
                hint="Set SECRET_KEY to a long random value (docs/configuration.md).",
                id="nomadcloud.E001",
            )
        )
    if not settings.DEBUG and not settings.FIELD_ENCRYPTION_KEYS:
        errors.append(
            checks.Error(
                "NOMADCLOUD_FIELD_KEYS is not set: personal data would be encrypted with a key "
                "derived from SECRET_KEY.",
                hint="Generate one with `nomadcloud generate_field_key` and set it.",
                id="nomadcloud.E002",
            )
        )
    for position, key in enumerate(settings.FIELD_ENCRYPTION_KEYS, start=1):
        try:
            Fernet(key.encode())
        except ValueError:
            errors.append(
                checks.Error(
                    f"NOMADCLOUD_FIELD_KEYS entry {position} is not a valid Fernet key.",
                    id="nomadcloud.E003",
                )
            )
    return errors


@checks.register(checks.Tags.database)
def check_database(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    engine = settings.DATABASES["default"]["ENGINE"]
    supported = {"django.db.backends.sqlite3", "django.db.backends.postgresql"}
    messages: list[checks.CheckMessage] = []
    if engine not in supported:
        messages.append(
            checks.Error(
                f"DATABASE_URL selects {engine}, which NomadCloud does not support.",
                hint="Use sqlite:///path or postgres://user:pass@host/db.",
                id="nomadcloud.E004",
            )
        )
    if engine == "django.db.backends.sqlite3" and not settings.DEBUG and settings.HTTPS:
        messages.append(
            checks.Warning(
                "Serving over HTTPS in production on SQLite: use PostgreSQL for more than one "
                "web worker.",
                id="nomadcloud.W001",
            )
        )
    return messages


@checks.register(checks.Tags.security)
def check_hosts(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if not settings.DEBUG and "*" in settings.ALLOWED_HOSTS:
        return [
            checks.Error(
                "ALLOWED_HOSTS contains '*' outside DEBUG.",
                hint="List the host names the platform is served under.",
                id="nomadcloud.E005",
            )
        ]
    if settings.TIME_ZONE != "Asia/Shanghai":
        return [
            checks.Warning(
                f"TIME_ZONE is {settings.TIME_ZONE}; the zone's rules are dated in Asia/Shanghai.",
                id="nomadcloud.W002",
            )
        ]
    return []


@checks.register()
def check_task_backend(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.TASK_BACKEND not in {"database", "immediate"} and "." not in settings.TASK_BACKEND:
        return [
            checks.Error(
                f"TASK_BACKEND={settings.TASK_BACKEND!r} is not known.",
                hint="Use 'database' (production) or 'immediate' (development).",
                id="nomadcloud.E006",
            )
        ]
    return []
