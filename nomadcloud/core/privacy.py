"""The personal-data registry: each app says what it holds about a person, how to export it
and how to erase it (PIPL art. 45 and 47; docs/security.md, "Privacy rights").

An app registers once, from its ``AppConfig.ready``::

    from nomadcloud.core import privacy
    from nomadcloud.talent import personal_data

    privacy.register(
        "talent",
        exporter=personal_data.export,  # (person) -> JSON-safe dict or list
        eraser=personal_data.erase,  # (person) -> None, inside the erasure's transaction
        holds=_("profile, skills, projects, certification applications"),
    )

``export_for(person)`` gives one section per app; ``erase_for(person)`` runs every eraser in
the order of registration (apps are ready in ``INSTALLED_APPS`` order, accounts first), inside
the caller's transaction, before accounts blanks the person's own row. An eraser removes what
only describes the person (texts, profile, preferences) and keeps what others rely on (ledger
transfers, orders, answers paid for, credentials, audit events), which then refer only to the
pseudonymous row. ``tests/test_privacy.py`` fails for an app that holds a reference to a
person without registering, so a new app cannot forget.

core imports no app: the person is ``Any`` here (``accounts.User`` in practice).
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.functional import Promise

Exporter = Callable[[Any], Any]
Eraser = Callable[[Any], None]


@dataclass(frozen=True)
class Holder:
    app_label: str
    exporter: Exporter
    eraser: Eraser
    holds: str | Promise
    """What it holds, in words (lazily translated)."""


_holders: dict[str, Holder] = {}


def register(
    app_label: str, *, exporter: Exporter, eraser: Eraser, holds: str | Promise = ""
) -> None:
    """Declare the personal data ``app_label`` holds (called once from AppConfig.ready; a
    second call replaces the first, so a reloaded app does not register twice)."""
    _holders[app_label] = Holder(app_label, exporter, eraser, holds)


def holders() -> list[Holder]:
    return list(_holders.values())


def registered(app_label: str) -> bool:
    return app_label in _holders


def export_for(person: Any) -> dict[str, Any]:
    """One JSON-safe section per registered app, in registration order."""
    return {h.app_label: json_safe(h.exporter(person)) for h in _holders.values()}


def erase_for(person: Any) -> list[str]:
    """Run every app's eraser (inside the caller's transaction); the apps that ran."""
    done = []
    for holder in _holders.values():
        holder.eraser(person)
        done.append(holder.app_label)
    return done


# ---- helpers for exporters ---------------------------------------------------------------


def rows(
    queryset: Iterable[models.Model], fields: Iterable[str], **extra: Callable[[Any], Any]
) -> list[dict[str, Any]]:
    """The given fields of each row (a foreign key as its primary key), plus computed
    ``extra`` columns (``name=lambda row: …``), JSON-safe."""
    names = list(fields)
    out = []
    for row in queryset:
        item: dict[str, Any] = {}
        for name in names:
            field = row._meta.get_field(name)
            attname = getattr(field, "attname", name)
            item[name] = json_safe(getattr(row, attname))
        for name, compute in extra.items():
            item[name] = json_safe(compute(row))
        out.append(item)
    return out


def dump(
    queryset: Iterable[models.Model], *, exclude: Iterable[str] = (), **extra: Callable[[Any], Any]
) -> list[dict[str, Any]]:
    """Every concrete field of each row but ``exclude`` (the internal ``id`` always left
    out; a foreign key as its primary key, a file as its stored name), plus ``extra``."""
    skipped = {"id", *exclude}
    out = []
    for row in queryset:
        item = {
            f.name: json_safe(getattr(row, f.attname))
            for f in row._meta.concrete_fields
            if f.name not in skipped
        }
        for name, compute in extra.items():
            item[name] = json_safe(compute(row))
        out.append(item)
    return out


def json_safe(value: Any) -> Any:
    """Dates and times as ISO 8601, UUIDs and decimals as strings, bytes as base64."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [json_safe(v) for v in value]
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID | Decimal):
        return str(value)
    if isinstance(value, bytes | memoryview):
        return base64.b64encode(bytes(value)).decode()
    return str(value)
