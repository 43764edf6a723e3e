from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from nomadcloud.accounts.models import User
from nomadcloud.accounts.validators import looks_like_phone, normalise_phone
from nomadcloud.core.errors import InvalidInput


class EmailOrPhoneBackend(ModelBackend):
    """Sign in with an e-mail address or a mobile number (any common notation)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        if not username or password is None:
            return None
        user = find_user_by_identifier(username)
        if user is None:
            User().set_password(password)  # same work as a real check: no timing oracle
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None


def find_user_by_identifier(identifier: str) -> User | None:
    identifier = identifier.strip()
    if "@" in identifier:
        return User.objects.filter(email=identifier.lower()).first()
    if looks_like_phone(identifier):
        try:
            phone = normalise_phone(identifier)
        except InvalidInput:
            return None
        return User.objects.filter(phone=phone).first()
    return None


def person_key(user: User) -> str:
    """The key failed sign-ins of a person are counted under, whichever identifier was typed."""
    return f"person:{user.public_id}"


def normalise_identifier(raw: str) -> str:
    """E-mail addresses in lower case, mobile numbers in E.164; anything else as typed."""
    raw = raw.strip()
    if "@" in raw:
        return raw.lower()
    if looks_like_phone(raw):
        try:
            return normalise_phone(raw)
        except InvalidInput:
            return raw
    return raw


def lockout_identifier(request: HttpRequest | None, credentials: dict[str, Any]) -> str:
    """What failed sign-ins are counted against (django-axes): the person, so that the e-mail
    address and the mobile number of one account share one counter (and ``13812345678`` and
    ``+86 138 1234 5678`` too); an identifier that belongs to nobody counts under itself,
    normalised. Per client address, ``throttle.py`` counts on its own."""
    raw = str((credentials or {}).get("username", ""))
    user = find_user_by_identifier(raw) if raw.strip() else None
    if user is not None:
        return person_key(user)
    return normalise_identifier(raw)
