"""Builders for notifications tests (moved from tests/permissions/notifications.py): the
objects the permission matrix and tests/test_notifications*.py start from."""

from __future__ import annotations

from nomadcloud.accounts.models import User
from nomadcloud.notifications.models import Notification
from nomadcloud.notifications.services import notify
from tests.builders.world import PERSONA_USERS, World


def welcome(user: User) -> Notification:
    return notify(user, "notifications.welcome", params={"name": user.display_name})


def for_everyone(w: World) -> None:
    """An unread notification for every persona, so that "mark all read" changes something."""
    for attribute in PERSONA_USERS.values():
        welcome(getattr(w, attribute))
