"""The dynamic personal QR code of the one card: a signed token naming the holder, one
purpose and a random nonce, valid for 60 seconds and accepted once.

- ``issue_token(user, purpose)``: the token to draw (and its expiry); nothing is stored.
- ``verify_scan(token, purpose)``: the holder, or a ``DomainError`` naming the problem
  (``qr_invalid``, ``qr_wrong_purpose``, ``qr_expired``, ``qr_used``). The nonce is recorded
  in the same transaction, so a second scan of the same code is refused even when two scans
  race (the nonce is unique in the database).

Purposes: ``checkin`` (a community operator checks the holder in), ``window`` (a government
window opens the holder's cases: showing that code is the holder's consent for that one
look), ``points`` (a merchant takes points). A code made for one purpose is refused for
another, so a code shown to a merchant cannot open one's cases at a window.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import DomainError
from nomadcloud.onecard.models import QrScan

SALT = "nomadcloud.onecard.qr"
LIFETIME = timedelta(seconds=60)
PURPOSES = ("checkin", "window", "points")


@dataclass(frozen=True)
class QrToken:
    token: str
    purpose: str
    expires_at: datetime

    @property
    def svg(self) -> str:
        """The token as an inline SVG QR code (drawn on the server with segno)."""
        import segno

        code = segno.make(self.token, error="m", micro=False)
        svg: str = code.svg_inline(scale=5, border=2, dark="#111", light="#fff", omitsize=True)
        return svg


def _check_purpose(purpose: str) -> None:
    if purpose not in PURPOSES:
        raise DomainError(
            _("Unknown QR code purpose %(purpose)s.") % {"purpose": str(purpose)[:20]},
            code="qr_unknown_purpose",
        )


def issue_token(user: User, purpose: str) -> QrToken:
    """A fresh code for ``user`` and one ``purpose``, valid for 60 seconds."""
    _check_purpose(purpose)
    if not user.is_active:
        raise DomainError(_("This account is closed."), code="account_closed")
    payload = {"u": str(user.public_id), "p": purpose, "n": secrets.token_hex(12)}
    token = signing.dumps(payload, salt=SALT, compress=False)
    return QrToken(token=token, purpose=purpose, expires_at=timezone.now() + LIFETIME)


def verify_scan(token: str, purpose: str) -> User:
    """The holder of a scanned code, once; refused when forged, made for another purpose,
    older than 60 seconds or already scanned."""
    _check_purpose(purpose)
    raw = str(token or "").strip()[:400]
    try:
        payload = signing.loads(raw, salt=SALT, max_age=LIFETIME)
    except signing.SignatureExpired:
        raise DomainError(
            _("This QR code has expired: ask the holder to show a fresh one."), code="qr_expired"
        ) from None
    except signing.BadSignature:
        raise DomainError(_("This is not a valid one-card QR code."), code="qr_invalid") from None
    if not isinstance(payload, dict) or not {"u", "p", "n"} <= payload.keys():
        raise DomainError(_("This is not a valid one-card QR code."), code="qr_invalid")
    if payload["p"] != purpose:
        raise DomainError(
            _("This QR code was made for another purpose; ask the holder for a code for this one."),
            code="qr_wrong_purpose",
        )
    holder = get_user_model().objects.filter(public_id=payload["u"], is_active=True).first()
    if holder is None:
        raise DomainError(_("This is not a valid one-card QR code."), code="qr_invalid")
    try:
        with transaction.atomic():
            QrScan.objects.create(
                nonce=str(payload["n"])[:32],
                holder=holder,
                purpose=purpose,
                scanned_at=timezone.now(),
            )
    except IntegrityError:
        raise DomainError(
            _("This QR code has already been scanned: ask the holder to show a fresh one."),
            code="qr_used",
        ) from None
    assert isinstance(holder, User)
    return holder


def forget_old_scans(*, now: datetime | None = None) -> int:
    """Scans older than a day are no longer needed to refuse a replay (the code expired)."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _rows = QrScan.objects.filter(scanned_at__lt=cutoff).delete()
    return deleted
