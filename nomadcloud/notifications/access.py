"""The access chokepoint for notifications: a person sees only their own; anyone else is
told the notification does not exist."""

from __future__ import annotations

from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import NotFound
from nomadcloud.notifications.models import Notification


def notification_for(principal: Principal, notification_id: object) -> Notification:
    user = require_person(principal)
    try:
        key = int(str(notification_id))
    except ValueError:
        raise NotFound(_("No such notification.")) from None
    notification = Notification.objects.filter(pk=key, recipient=user).first()
    if notification is None:
        raise NotFound(_("No such notification."))
    return notification
