"""Encryption of personal data at rest (passport numbers and the like).

Keys come from NOMADCLOUD_FIELD_KEYS (Fernet keys, newest first, so that old values stay
readable during rotation; ``nomadcloud rotate_field_keys`` re-encrypts). In DEBUG without keys,
a key is derived from SECRET_KEY so that development works; check nomadcloud.E002 refuses
that outside DEBUG.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


@cache
def _fernet(keys: tuple[str, ...], secret_key: str) -> MultiFernet:
    if keys:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    derived = base64.urlsafe_b64encode(
        hashlib.sha256(b"nomadcloud-field-key:" + secret_key.encode()).digest()
    )
    return MultiFernet([Fernet(derived)])


def _current() -> MultiFernet:
    return _fernet(tuple(settings.FIELD_ENCRYPTION_KEYS), settings.SECRET_KEY)


def encrypt_text(plain: str) -> str:
    if plain == "":
        return ""
    return _current().encrypt(plain.encode()).decode()


def decrypt_text(token: str) -> str:
    if token == "":
        return ""
    try:
        return _current().decrypt(token.encode()).decode()
    except InvalidToken as exc:
        raise ValueError("cannot decrypt: the field keys do not match this value") from exc


def rotate_text(token: str) -> str:
    return _current().rotate(token.encode()).decode() if token else ""


def mask(value: str, *, keep_start: int = 1, keep_end: int = 2) -> str:
    """``E12345678`` → ``E******78``: enough for a person to recognise their own document."""
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    hidden = len(value) - keep_start - keep_end
    return value[:keep_start] + "*" * hidden + value[len(value) - keep_end :]
