"""Background jobs of the accounts app (run by `nomadcloud db_worker` in production)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


@task(queue_name="notifications")
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


@task(queue_name="notifications")
def send_registration_notice(user_id: int) -> None:
    """Someone tried to register with this person's e-mail address or mobile number: tell
    the owner (the registration itself answered as for a new account, so as not to reveal
    that the identifier is registered). By e-mail when the person has an address."""
    from nomadcloud.accounts.models import User

    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not user.email:
        return
    with translation.override(user.preferred_language):
        context = {
            "user": user,
            "login_url": settings.SITE_URL + reverse("accounts:login"),
            "reset_url": settings.SITE_URL + reverse("accounts:password_reset"),
        }
        subject = render_to_string("accounts/email/registration_notice_subject.txt", context)
        body = render_to_string("accounts/email/registration_notice.txt", context)
    send_mail(subject.strip(), body, None, [user.email])


@task(queue_name="notifications")
def send_rendered_email(subject: str, body: str, to: str) -> None:
    """A message rendered in the request (the password-reset link), sent in the background so
    that the request takes as long whether or not it found an account."""
    send_mail(subject, body, None, [to])
