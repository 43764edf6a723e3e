"""The registration page's second step, which answers alike whether or not the e-mail address
or mobile number was registered already (issue 15 item 5; docs/security.md, privacy).

A valid registration form always leads to the same "enter the code we sent" page. The session
keeps one signed entry (``SESSION_KEY``), never a sign-in:

- a new person: their id; the first one-time code went to their address
  (accounts/verification.py), and the right code verifies the contact and signs them in;
- a taken identifier: no id; nothing is sent to the requester (the owner got a notice from
  ``services.register_or_notify``), and no code is right. The entry keeps when "codes" were
  "sent" and how many wrong tries were made, so "send again", a wrong code, too many wrong
  codes and an expired code answer exactly as they do for a new person.

The entry lasts ``MAX_AGE``; after that the page sends the visitor back to the form.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from datetime import datetime

from django.core import signing
from django.http import HttpRequest
from django.utils import timezone

from nomadcloud.accounts import verification
from nomadcloud.accounts.models import ContactCode, User
from nomadcloud.core.errors import DomainError

SESSION_KEY = "nomadcloud.signup"
SALT = "nomadcloud.accounts.signup"
MAX_AGE = 3600  # seconds a registration may wait for its code


@dataclass
class Pending:
    """One registration waiting for its code. ``user`` is None for a taken identifier."""

    user: User | None
    channel: str
    sent: list[datetime] = field(default_factory=list)  # stand-in only
    attempts: int = 0  # stand-in only


def channel_for(email: str, phone: str) -> str:
    """Where the first code goes: the e-mail address if one was given (as
    ``verification.default_channel`` decides for a person)."""
    return ContactCode.Channel.EMAIL if email.strip() else ContactCode.Channel.SMS


def _save(request: HttpRequest, pending: Pending) -> None:
    request.session[SESSION_KEY] = signing.dumps(
        {
            "user": pending.user.pk if pending.user is not None else None,
            "channel": pending.channel,
            "sent": [t.isoformat() for t in pending.sent],
            "attempts": pending.attempts,
        },
        salt=SALT,
    )


def start(request: HttpRequest, user: User | None, channel: str) -> None:
    """Keep the registration for the code step; send the first code to a new person."""
    pending = Pending(user=user, channel=channel)
    if user is None:
        pending.sent.append(timezone.now())  # as if the first code had gone out
    else:
        # A refusal cannot happen for a new person's first code; the answer stays the same.
        with contextlib.suppress(DomainError):
            verification.send_code(user, channel)
    _save(request, pending)


def current(request: HttpRequest) -> Pending | None:
    """The registration waiting for its code, or None (none, expired or tampered with)."""
    value = request.session.get(SESSION_KEY)
    if not isinstance(value, str):
        return None
    try:
        data = signing.loads(value, salt=SALT, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    user = None
    if data.get("user") is not None:
        user = User.objects.filter(pk=data["user"], is_active=True).first()
        if user is None:
            return None
    return Pending(
        user=user,
        channel=str(data.get("channel", "")),
        sent=[datetime.fromisoformat(t) for t in data.get("sent", [])],
        attempts=int(data.get("attempts", 0)),
    )


def forget(request: HttpRequest) -> None:
    request.session.pop(SESSION_KEY, None)


def send_again(request: HttpRequest, pending: Pending) -> None:
    """Another code (throttled as ``verification.send_code``)."""
    now = timezone.now()
    if pending.user is not None:
        verification.send_code(pending.user, pending.channel, now=now)
        return
    if verification.throttled(pending.sent, now):
        raise verification.too_soon()
    pending.sent = [*pending.sent, now][-verification.MAX_PER_HOUR :]
    pending.attempts = 0  # a new code starts with no wrong tries
    _save(request, pending)


def confirm(request: HttpRequest, pending: Pending, code: str) -> User:
    """The new person whose code this is; else the same errors ``confirm_code`` raises."""
    if pending.user is not None:
        return verification.confirm_code(pending.user, code)
    verification.check_format(code)
    now = timezone.now()
    if not pending.sent or pending.sent[-1] + verification.CODE_TTL <= now:
        raise verification.no_valid_code()
    if pending.attempts >= verification.MAX_ATTEMPTS:
        raise verification.too_many_wrong()
    pending.attempts += 1
    _save(request, pending)
    raise verification.wrong_code()
