"""The audit log: every state-changing service records what it did here.

Summaries name what changed; personal information is kept out of them (fields listed in
``PERSONAL_FIELDS`` are recorded as changed, never with their values), so that erasing a
person leaves the log intact and free of their data.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import models

from nomadcloud.core.models import AuditEvent
from nomadcloud.core.request_context import current_channel, current_request_id

PERSONAL_FIELDS = frozenset(
    {
        "email",
        "phone",
        "display_name",
        "passport_number",
        "passport_number_encrypted",
        "password",
        "legal_name",
        "date_of_birth",
        "nationality",
        "permit_kind",
        "permit_valid_from",
        "permit_valid_until",
    }
)


def redact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: ("[personal]" if k in PERSONAL_FIELDS else _plain(v)) for k, v in values.items()}


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


def record(
    *,
    actor: AbstractBaseUser | None,
    action: str,
    obj: models.Model,
    organisation: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    token: models.Model | None = None,
) -> AuditEvent:
    """``organisation`` and ``token`` are an accounts Organisation and ApiToken (the log's
    foreign keys name them by string, so that core imports no app)."""
    summary: dict[str, Any] = {}
    if before:
        summary["before"] = redact(before)
    if after:
        summary["after"] = redact(after)
    return AuditEvent.objects.create(
        actor_id=actor.pk if actor is not None and actor.is_authenticated else None,
        organisation_id=organisation.pk if organisation is not None else None,
        api_token_id=token.pk if token is not None else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        summary=summary,
        request_id=current_request_id()[:64],
        channel=current_channel(),
    )


def changes(obj: models.Model, new_values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Before/after dicts for the fields whose value actually changes."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for field, value in new_values.items():
        old = getattr(obj, field)
        if old != value:
            before[field] = old
            after[field] = value
    return before, after
