"""What core holds about a person (core/privacy.py): the audit events of what they did, the
stored answers of their idempotent API requests, and the objections (异议) they filed.

Erasure keeps the audit events (the trail stays, under the pseudonymous person; summaries
hold changed values, never contacts — see accounts' erasure) and deletes the stored answers
of requests made from their sessions (these can hold personal data; those made with a token
expire with ``IDEMPOTENCY_KEY_TTL``). Objections are kept: their decision is a public record
that others relied on; they then refer only to the pseudonymous person."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.core.models import AuditEvent, IdempotencyRecord, Objection


def export(user: Any) -> dict[str, Any]:
    return {
        "audit_events": privacy.dump(
            AuditEvent.objects.filter(actor=user).order_by("created_at", "id"),
            exclude=["actor", "api_token", "organisation"],
        ),
        "objections": privacy.dump(
            Objection.objects.filter(filed_by=user).order_by("filed_at", "id"),
            exclude=["filed_by", "decided_by"],
        ),
    }


def erase(user: Any) -> None:
    IdempotencyRecord.objects.filter(owner=f"user:{user.pk}").delete()
