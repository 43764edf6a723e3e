"""Reads, scoped to the person asking."""

from __future__ import annotations

from django.db.models import QuerySet

from nomadcloud.accounts.models import User
from nomadcloud.notifications import kinds
from nomadcloud.notifications.models import Notification, NotificationPreference


def notifications_of(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-id")


def wants_email(user: User, kind: str) -> bool:
    choice = (
        NotificationPreference.objects.filter(user=user, kind=kind)
        .values_list("email", flat=True)
        .first()
    )
    if choice is not None:
        return bool(choice)
    spec = kinds.get(kind)
    return spec.email_default if spec else False


def preferences_for(user: User) -> list[tuple[kinds.Kind, bool]]:
    """Every registered kind with the person's e-mail choice (or the kind's default)."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "email"))
    return [(spec, bool(chosen.get(spec.key, spec.email_default))) for spec in kinds.all_kinds()]


def preferences_for_keys(user: User) -> list[tuple[str, bool]]:
    return [(spec.key, on) for spec, on in preferences_for(user)]
