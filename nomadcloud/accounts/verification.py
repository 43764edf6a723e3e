"""Proving an e-mail address or mobile number with a one-time code, before an account can earn
work units or exchange them (docs/security.md, docs/risk.md).

- A code is six ASCII digits from ``secrets``; only HMAC-SHA256(secret key, user, channel,
  target, code) is stored.
- It expires after ``CODE_TTL``; ``MAX_ATTEMPTS`` wrong tries spend it; a newer code
  supersedes every older one.
- Sending is throttled per person: one code per ``RESEND_AFTER``, at most ``MAX_PER_HOUR``
  an hour.
- E-mail goes through Django's mail backend (``EMAIL_BACKEND``), text messages through the
  SMS seam (``accounts/sms.py``, ``SMS_BACKEND``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts import sms
from nomadcloud.accounts.models import ContactCode, User
from nomadcloud.accounts.throttle import Throttled
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, InvalidInput, invalid_field

CODE_TTL = timedelta(minutes=10)
MAX_ATTEMPTS = 5
RESEND_AFTER = timedelta(seconds=60)
MAX_PER_HOUR = 5
CODE = re.compile(r"^[0-9]{6}$", re.ASCII)


def _hash(user: User, channel: str, target: str, code: str) -> str:
    message = f"contact-code:{user.pk}:{channel}:{target}:{code}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def target_of(user: User, channel: str) -> str:
    return (user.email if channel == ContactCode.Channel.EMAIL else user.phone) or ""


def default_channel(user: User) -> str:
    return ContactCode.Channel.EMAIL if user.email else ContactCode.Channel.SMS


# The refusals, shared with the registration page's stand-in for a taken identifier
# (accounts/signup.py), so both answer with the same words and codes.


def too_soon() -> Throttled:
    return Throttled(_("A code was sent a moment ago. Please wait before asking for another."))


def throttled(sent: list[datetime], now: datetime) -> bool:
    """Whether another code may not be sent yet, given when the last hour's codes were sent."""
    recent = [t for t in sent if t >= now - timedelta(hours=1)]
    return len(recent) >= MAX_PER_HOUR or any(t > now - RESEND_AFTER for t in recent)


def no_valid_code() -> Conflict:
    return Conflict(_("There is no valid code. Ask for a new one."), code="code_expired")


def too_many_wrong() -> Conflict:
    return Conflict(_("Too many wrong codes. Ask for a new one."), code="code_attempts")


def wrong_code() -> InvalidInput:
    return invalid_field("code", _("That code is not right."), code="code_wrong")


def check_format(code: str) -> str:
    code = (code or "").strip()
    if not CODE.match(code):
        raise invalid_field("code", _("Enter the six digits of the code."))
    return code


def _deliver(user: User, channel: str, target: str, code: str) -> None:
    with translation.override(user.preferred_language):
        text = _(
            "Your NomadCloud verification code is %(code)s. It expires in %(minutes)s minutes."
        ) % {
            "code": code,
            "minutes": int(CODE_TTL.total_seconds() // 60),
        }
        if channel == ContactCode.Channel.EMAIL:
            send_mail(_("Your NomadCloud verification code"), text, None, [target])
        else:
            sms.send_sms(target, text)


@transaction.atomic
def send_code(user: User, channel: str = "", *, now: datetime | None = None) -> ContactCode:
    """Send a new code to the person's e-mail address or mobile number (``channel``: email
    or sms; by default the e-mail address if there is one)."""
    now = now or timezone.now()
    channel = channel or default_channel(user)
    if channel not in ContactCode.Channel.values:
        raise invalid_field("channel", _("Choose e-mail or text message."))
    target = target_of(user, channel)
    if not target:
        raise invalid_field(
            "channel",
            _("Add an e-mail address first.")
            if channel == ContactCode.Channel.EMAIL
            else _("Add a mobile number first."),
        )
    User.objects.select_for_update().filter(pk=user.pk).first()  # one sender at a time
    recent = list(
        ContactCode.objects.filter(user=user, created_at__gte=now - timedelta(hours=1)).values_list(
            "created_at", flat=True
        )
    )
    if throttled(recent, now):
        raise too_soon()
    code = f"{secrets.randbelow(10**6):06d}"
    ContactCode.objects.filter(user=user, used_at__isnull=True).update(expires_at=now)
    row = ContactCode.objects.create(
        user=user,
        channel=channel,
        target=target,
        code_hash=_hash(user, channel, target, code),
        created_at=now,
        expires_at=now + CODE_TTL,
    )
    _deliver(user, channel, target, code)
    audit.record(
        actor=user, action="accounts.contact.code_sent", obj=user, after={"channel": channel}
    )
    return row


def confirm_code(user: User, code: str, *, now: datetime | None = None) -> User:
    """Check a code against the person's latest one. A wrong code counts an attempt (kept
    even though the answer is an error); the right one marks the contact verified."""
    now = now or timezone.now()
    code = check_format(code)
    with transaction.atomic():
        row = (
            ContactCode.objects.select_for_update()
            .filter(user=user, used_at__isnull=True, expires_at__gt=now)
            .order_by("-created_at", "-id")
            .first()
        )
        if row is None:
            raise no_valid_code()
        if row.attempts >= MAX_ATTEMPTS:
            raise too_many_wrong()
        if row.target != target_of(user, row.channel):
            raise no_valid_code()
        expected = _hash(user, row.channel, row.target, code)
        if not hmac.compare_digest(expected, row.code_hash):
            row.attempts += 1
            row.save(update_fields=["attempts"])
            wrong = True
        else:
            wrong = False
            row.used_at = now
            row.save(update_fields=["used_at"])
            user.contact_verified_at = now
            user.save(update_fields=["contact_verified_at"])
            audit.record(
                actor=user,
                action="accounts.contact.verified",
                obj=user,
                after={"channel": row.channel},
            )
    if wrong:  # raised after the attempt is committed
        raise wrong_code()
    return user


def mark_verified(user: User, *, now: datetime | None = None) -> User:
    """Mark a person's contact as verified without a code: for people created by the zone
    operator's tools (demo personas, test builders), never reachable from a request."""
    user.contact_verified_at = now or timezone.now()
    user.save(update_fields=["contact_verified_at"])
    return user


def is_verified(user: User) -> bool:
    return user.contact_verified_at is not None
