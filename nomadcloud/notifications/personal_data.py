"""What notifications holds about a person (core/privacy.py): their notifications and their
e-mail preferences. Erasure deletes both."""

from __future__ import annotations

from typing import Any

from nomadcloud.core import privacy
from nomadcloud.notifications.models import Notification, NotificationPreference


def export(user: Any) -> dict[str, Any]:
    return {
        "notifications": privacy.dump(
            Notification.objects.filter(recipient=user), exclude=["recipient"]
        ),
        "preferences": privacy.dump(
            NotificationPreference.objects.filter(user=user), exclude=["user"]
        ),
    }


def erase(user: Any) -> None:
    Notification.objects.filter(recipient=user).delete()
    NotificationPreference.objects.filter(user=user).delete()
