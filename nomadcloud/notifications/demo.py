"""Demo notifications: a welcome message for each demo persona who has none yet. The other
apps' demo data sends their own notifications through ``notify``. Idempotent."""

from __future__ import annotations

from nomadcloud.accounts.demo import PERSONAS
from nomadcloud.accounts.models import User
from nomadcloud.notifications.models import Notification
from nomadcloud.notifications.services import notify


def seed() -> dict[str, int]:
    created = 0
    for persona in PERSONAS:
        user = User.objects.filter(email=persona.email).first()
        if (
            user is None
            or Notification.objects.filter(recipient=user, kind="notifications.welcome").exists()
        ):
            continue
        notify(
            user,
            "notifications.welcome",
            params={"name": user.display_name},
            url="/notifications/preferences/",
        )
        created += 1
    return {"notifications": created}
