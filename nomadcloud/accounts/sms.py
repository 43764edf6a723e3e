"""The SMS seam: one interface for sending a text message, a backend chosen by the
``SMS_BACKEND`` setting (a dotted path). ``ConsoleBackend`` writes messages to the log (for
development), ``MemoryBackend`` keeps them in ``outbox`` (for tests); a production backend
wraps the operator's SMS gateway behind the same ``send``."""

from __future__ import annotations

import logging
from typing import ClassVar, Protocol

from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger("nomadcloud.sms")


class SmsBackend(Protocol):
    def send(self, to: str, text: str) -> None: ...


class ConsoleBackend:
    """Writes each message to the ``nomadcloud.sms`` log (development)."""

    def send(self, to: str, text: str) -> None:
        log.info("SMS to %s: %s", to, text)


class MemoryBackend:
    """Keeps messages in ``MemoryBackend.outbox`` as (to, text) pairs (tests)."""

    outbox: ClassVar[list[tuple[str, str]]] = []

    def send(self, to: str, text: str) -> None:
        MemoryBackend.outbox.append((to, text))


def backend() -> SmsBackend:
    path = getattr(settings, "SMS_BACKEND", "nomadcloud.accounts.sms.ConsoleBackend")
    instance: SmsBackend = import_string(path)()
    return instance


def send_sms(to: str, text: str) -> None:
    backend().send(to, text)
