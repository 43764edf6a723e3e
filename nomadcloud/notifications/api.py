"""The notifications part of /api/v1/: your notifications (newest first), the unread count,
marking read, and e-mail preferences per kind. Only people have notifications; an
organisation API key is refused."""

from typing import Any

from django.http import HttpRequest
from ninja import Router
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.notifications import access, queries, services
from nomadcloud.notifications.schemas import (
    MarkedOut,
    NotificationOut,
    PreferenceOut,
    PreferencesIn,
    UnreadOut,
)

router = Router(tags=["notifications"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("", response=_errors({200: list[NotificationOut]}))
@paginate(CursorPagination)
def list_notifications(request: HttpRequest, unread: bool = False, **kwargs: Any) -> Any:
    """Your notifications, newest first; `unread=true` for unread ones only."""
    user = require_person(Principal.of(request))
    return queries.notifications_of(user, unread_only=unread)


@router.get("/unread-count", response=_errors({200: UnreadOut}))
def unread_count(request: HttpRequest) -> Any:
    user = require_person(Principal.of(request))
    return {"unread": services.unread_count(user)}


@router.post("/read-all", response=_errors({200: MarkedOut}))
def read_all(request: HttpRequest) -> Any:
    return {"marked": services.mark_all_read(principal=Principal.of(request))}


@router.post("/{notification_id}/read", response=_errors({200: NotificationOut}))
def mark_read(request: HttpRequest, notification_id: int) -> Any:
    principal = Principal.of(request)
    notification = access.notification_for(principal, notification_id)
    return services.mark_read(principal=principal, notification=notification)


def _preferences(request: HttpRequest) -> list[dict[str, Any]]:
    user = require_person(Principal.of(request))
    return [
        {"kind": spec.key, "label": spec.describe(), "email": on}
        for spec, on in queries.preferences_for(user)
    ]


@router.get("/preferences", response=_errors({200: list[PreferenceOut]}))
def get_preferences(request: HttpRequest) -> Any:
    return _preferences(request)


@router.put("/preferences", response=_errors({200: list[PreferenceOut]}))
def set_preferences(request: HttpRequest, payload: PreferencesIn) -> Any:
    services.set_email_preferences(principal=Principal.of(request), email=payload.email)
    return _preferences(request)
