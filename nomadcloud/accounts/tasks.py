"""Background jobs of the accounts app (run by `nomadcloud db_worker` in production)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


@task()
def send_invitation_email(invitation_id: int, token: str) -> None:
    """The invitation goes out in both languages: the invitee's preference is not known yet."""
    from nomadcloud.accounts.models import Invitation

    invitation = Invitation.objects.select_related("organisation", "invited_by").get(
        pk=invitation_id
    )
    url = settings.SITE_URL + reverse("accounts:accept_invitation", args=[token])
    parts = []
    for language in ("zh-hans", "en"):
        with translation.override(language):
            parts.append(
                render_to_string(
                    "accounts/email/invitation.txt",
                    {"invitation": invitation, "url": url},
                )
            )
    with translation.override("zh-hans"):
        subject = render_to_string(
            "accounts/email/invitation_subject.txt", {"invitation": invitation}
        ).strip()
    send_mail(subject, "\n\n----\n\n".join(parts), None, [invitation.email])


@task()
def send_rendered_email(subject: str, body: str, to: str) -> None:
    """A message rendered in the request (the password-reset link), sent in the background so
    that the request takes as long whether or not it found an account."""
    send_mail(subject, body, None, [to])
