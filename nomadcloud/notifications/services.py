"""Use cases for notifications. ``notify`` is the one interface other apps call:

    from nomadcloud.notifications.services import notify
    notify(recipient, "orders.delivered", params={"order": "…"}, url="/orders/…/")

It stores the in-app notification and, unless the person opted out of e-mail for that kind,
sends an e-mail from a background job after the surrounding transaction commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import invalid_field
from nomadcloud.core.jobs import enqueue_after_commit
from nomadcloud.notifications import kinds, queries, tasks
from nomadcloud.notifications.models import Notification, NotificationPreference

MAX_PARAM_LENGTH = 500
MAX_PARAMS = 20


def _clean_url(url: str) -> str:
    url = url.strip()
    if url and (not url.startswith("/") or url.startswith("//") or len(url) > 500):
        raise ValueError(f"a notification link must be a path on this site: {url!r}")
    return url


def notify(
    recipient: User,
    kind: str,
    *,
    params: Mapping[str, Any] | None = None,
    url: str = "",
) -> Notification:
    """Tell a person something: an in-app notification, and an e-mail after commit unless
    they opted out of e-mail for this kind (or have no usable e-mail address).

    ``kind`` must be registered (``kinds.register``); ``url`` is a path on this site. Both
    are programming errors when wrong, so they raise ValueError."""
    spec = kinds.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind {kind!r}; register it in kinds.py first")
    values = {str(k)[:40]: str(v)[:MAX_PARAM_LENGTH] for k, v in (params or {}).items()}
    if len(values) > MAX_PARAMS:
        raise ValueError("too many notification parameters")
    notification = Notification.objects.create(
        recipient=recipient, kind=kind, params=values, url=_clean_url(url)
    )
    if _can_email(recipient) and queries.wants_email(recipient, kind):
        enqueue_after_commit(tasks.send_notification_email, notification.pk)
    return notification


def _can_email(user: User) -> bool:
    return bool(user.email) and user.is_active and user.erased_at is None


def unread_count(user: User) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def mark_read(*, principal: Principal, notification: Notification) -> Notification:
    require_write(principal)
    if notification.read_at is None:
        now = timezone.now()
        # Conditional, so that two tabs marking it at once keep the first time.
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.refresh_from_db(fields=["read_at"])
    return notification


def mark_all_read(*, principal: Principal) -> int:
    user = require_person(principal)
    require_write(principal)
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


@transaction.atomic
def set_email_preferences(*, principal: Principal, email: Mapping[str, bool]) -> dict[str, bool]:
    """Save the person's e-mail choice per kind; kinds not named keep their setting."""
    user = require_person(principal)
    require_write(principal)
    for kind in email:
        if kinds.get(kind) is None:
            raise invalid_field(
                f"email.{kind[:60]}",
                _("Unknown kind of notification: %(kind)s.") % {"kind": kind[:60]},
            )
    current = dict(queries.preferences_for_keys(user))
    changed: dict[str, bool] = {}
    for kind, wanted in email.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": bool(wanted)}
        )
        if current.get(kind) != bool(wanted):
            changed[kind] = bool(wanted)
    if changed:
        audit.record(
            actor=user,
            action="notifications.preferences.update",
            obj=user,
            after={"email": changed},
            token=principal.token,
        )
    return {spec.key: wanted for spec, wanted in queries.preferences_for(user)}
