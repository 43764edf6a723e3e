"""Permission cases for notifications: each person sees and marks only their own."""

from __future__ import annotations

from collections.abc import Callable

from tests.builders.notifications import (
    for_everyone,
    welcome,
)
from tests.conftest import World
from tests.permissions import (
    AUTHENTICATED,
    Case,
    expect,
)


def _everyone_then(path: str) -> Callable[[World], str]:
    def build(w: World) -> str:
        for_everyone(w)
        return path

    return build


N = "/api/v1/notifications"

API_CASES = [
    Case("api list notifications", "GET", lambda w: N, AUTHENTICATED, api=True),
    Case("api unread count", "GET", lambda w: f"{N}/unread-count", AUTHENTICATED, api=True),
    Case(
        "api mark all read",
        "POST",
        _everyone_then(f"{N}/read-all"),
        AUTHENTICATED,
        api=True,
        route=f"{N}/read-all",
    ),
    Case(
        "api mark read",
        "POST",
        lambda w: f"{N}/{welcome(w.wendy).pk}/read",
        expect("reviewer"),
        api=True,
        route=f"{N}/{{notification_id}}/read",
    ),
    Case("api preferences", "GET", lambda w: f"{N}/preferences", AUTHENTICATED, api=True),
    Case(
        "api set preferences",
        "PUT",
        lambda w: f"{N}/preferences",
        AUTHENTICATED,
        lambda w: {"email": {"notifications.welcome": True}},
        api=True,
    ),
]

PAGE_CASES = [
    Case(
        "notifications",
        "GET",
        lambda w: "/notifications/",
        AUTHENTICATED,
        url_name="notifications:list",
    ),
    Case(
        "mark all read",
        "POST",
        _everyone_then("/notifications/read-all/"),
        AUTHENTICATED,
        url_name="notifications:read_all",
    ),
    Case(
        "open notification",
        "POST",
        lambda w: f"/notifications/{welcome(w.wendy).pk}/open/",
        expect("reviewer"),
        url_name="notifications:open",
    ),
    Case(
        "e-mail settings",
        "GET",
        lambda w: "/notifications/preferences/",
        AUTHENTICATED,
        url_name="notifications:preferences",
    ),
    Case(
        "save e-mail settings",
        "POST",
        lambda w: "/notifications/preferences/",
        AUTHENTICATED,
        lambda w: {"email": ["notifications.welcome"]},
        url_name="notifications:preferences",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

# The apps whose tables these requests write (notifications): the fingerprint covers them and the
# audit log.
APPS = ("notifications",)
