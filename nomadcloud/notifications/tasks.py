"""Background jobs of the notifications app (run by `nomadcloud db_worker` in production)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django_tasks import task

from nomadcloud.notifications import queries
from nomadcloud.notifications.models import Notification


@task(queue_name="notifications")
def send_notification_email(notification_id: int) -> bool:
    """E-mail one notification in the recipient's language. Sent at most once (claimed with
    a conditional UPDATE); skipped when the person opted out since it was created."""
    notification = (
        Notification.objects.select_related("recipient").filter(pk=notification_id).first()
    )
    if notification is None:
        return False
    user = notification.recipient
    if not (
        user.email
        and user.is_active
        and user.erased_at is None
        and queries.wants_email(user, notification.kind)
    ):
        return False
    claimed = Notification.objects.filter(pk=notification.pk, emailed_at__isnull=True).update(
        emailed_at=timezone.now()
    )
    if not claimed:
        return False
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        context = {
            "title": notification.title(language),
            "body": notification.body(language),
            "url": settings.SITE_URL + notification.url if notification.url else "",
            "preferences_url": settings.SITE_URL + reverse("notifications:preferences"),
            "user": user,
        }
        subject = render_to_string("notifications/email/subject.txt", context).strip()
        text = render_to_string("notifications/email/notification.txt", context)
    send_mail(subject, text, None, [user.email])
    return True
