"""Template context: the unread count for the bell in the site header.

Register ``nomadcloud.notifications.context.unread_count`` in TEMPLATES' context processors;
templates then have ``notifications_unread`` (0 for visitors who are not signed in)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from nomadcloud.notifications.models import Notification


def unread_count(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notifications_unread": 0}
    return {
        "notifications_unread": Notification.objects.filter(
            recipient=user, read_at__isnull=True
        ).count()
    }
