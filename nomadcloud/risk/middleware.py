"""Remember where people act from (hashed client address and device), for the risk rules
on shared addresses and devices and on many identities per address. Only successful
changes (POST, PUT, PATCH, DELETE) and sign-ins count; reads write nothing. Each person,
address, device and day is written once (remembered in the cache so that repeats cost no
query)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.risk import services

SAFE = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def note(request: HttpRequest, user: Any) -> None:
    """Record a sighting of ``user`` making ``request`` (at most once a day per address and
    device)."""
    if not isinstance(user, User) or not user.pk:
        return
    address, device = services.fingerprint(request)
    day = timezone.localdate()
    key = (
        "risk:seen:"
        + hashlib.sha256(f"{user.public_id}|{address}|{device}|{day}".encode()).hexdigest()
    )
    if cache.get(key):
        return
    services.record_sighting(user, address, device)
    cache.set(key, 1, 60 * 60 * 24)


class SightingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE and response.status_code < 400:
            token = getattr(request, "api_token", None)
            user = token.user if token is not None else getattr(request, "user", None)
            if user is not None and getattr(user, "is_authenticated", False):
                note(request, user)
        return response


def on_signed_in(
    sender: Any, request: HttpRequest | None = None, user: Any = None, **kw: Any
) -> None:
    """``user_logged_in`` (an authentication signal, not a model signal)."""
    if request is not None and request.META.get("REMOTE_ADDR"):
        note(request, user)
