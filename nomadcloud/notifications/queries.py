"""Reads, scoped to the person asking."""

from __future__ import annotations

from django.db.models import QuerySet

from nomadcloud.accounts.models import User
from nomadcloud.notifications.models import Notification


def notifications_of(user: User, *, unread_only: bool = False) -> QuerySet[Notification]:
    rows = Notification.objects.filter(recipient=user)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    return rows.order_by("-id")
