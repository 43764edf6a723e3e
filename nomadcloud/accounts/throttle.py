"""Throttles on signing up, signing in, resetting a password and re-authenticating,
counted in the ``throttle`` cache (settings ``THROTTLES``; docs/security.md, "Privacy
rights").

django-axes locks out a *person* after failed sign-ins, whichever identifier was typed
(``backends.lockout_identifier``). The counters here add the rest: failed sign-ins per client
address (many accounts tried from one address), sign-ups and password-reset requests per
client address, a global ceiling on sign-ins and sign-ups (a distributed attack), and failed
re-authentications per person (the password asked for before an export or an erasure).
Counters are fixed windows: a key per limit, subject and window number, added with a
time-out of one window and incremented.
"""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.http import HttpRequest
from django.utils.translation import gettext as _

from nomadcloud.core.errors import DomainError

SIGN_IN_ADDRESS = "sign_in_failures_per_address"
SIGN_IN_GLOBAL = "sign_in_global"
SIGN_UP_ADDRESS = "sign_up_per_address"
SIGN_UP_GLOBAL = "sign_up_global"
RESET_ADDRESS = "password_reset_per_address"
REAUTH_PERSON = "reauthentication_failures_per_person"


class Throttled(DomainError):
    status = 429
    code = "too_many_requests"


def _limit(name: str) -> tuple[int, int]:
    count, seconds = settings.THROTTLES[name]
    return int(count), int(seconds)


def _key(name: str, subject: str) -> str:
    _count, seconds = _limit(name)
    return f"throttle:{name}:{subject}:{int(time.time()) // seconds}"


def _cache() -> Any:
    return caches["throttle"]


def count(name: str, subject: str = "*") -> int:
    """Count one more event of ``name`` for ``subject``; the count in this window."""
    _count, seconds = _limit(name)
    key = _key(name, subject)
    cache = _cache()
    if cache.add(key, 1, timeout=seconds):
        return 1
    try:
        return int(cache.incr(key))
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=seconds)
        return 1


def exceeded(name: str, subject: str = "*") -> bool:
    """Has ``subject`` used up ``name`` in this window (without counting)?"""
    limit, _seconds = _limit(name)
    return int(_cache().get(_key(name, subject), 0)) >= limit


def allow(name: str, subject: str = "*") -> bool:
    """Count one event; False once it goes over the limit."""
    limit, _seconds = _limit(name)
    return count(name, subject) <= limit


def client_address(request: HttpRequest) -> str:
    """The client's address as django-axes resolves it (proxy settings shared)."""
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(request) or "unknown"


def refusal() -> Throttled:
    return Throttled(
        _("Too many attempts from here or overall right now. Please wait a while and try again.")
    )


def check_sign_up(request: HttpRequest) -> None:
    """Counts one sign-up attempt against its address, then (if the address may) against the
    global ceiling; raises ``Throttled`` over either. An address over its limit does not use
    up everyone's allowance."""
    if not allow(SIGN_UP_ADDRESS, client_address(request)) or not allow(SIGN_UP_GLOBAL):
        raise refusal()


def check_sign_in(request: HttpRequest) -> None:
    """Before a sign-in attempt: counts it globally, and refuses an address that failed too
    often."""
    over_global = not allow(SIGN_IN_GLOBAL)
    if over_global or exceeded(SIGN_IN_ADDRESS, client_address(request)):
        raise refusal()


def note_failed_sign_in(request: HttpRequest) -> None:
    count(SIGN_IN_ADDRESS, client_address(request))


def check_password_reset(request: HttpRequest) -> None:
    if not allow(RESET_ADDRESS, client_address(request)):
        raise refusal()


def check_reauthentication(user: Any) -> None:
    if exceeded(REAUTH_PERSON, str(user.public_id)):
        raise Throttled(
            _("Too many wrong passwords. Please wait %(minutes)d minutes and try again.")
            % {"minutes": _limit(REAUTH_PERSON)[1] // 60}
        )


def note_failed_reauthentication(user: Any) -> None:
    count(REAUTH_PERSON, str(user.public_id))
