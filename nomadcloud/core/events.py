"""Named domain events with typed payloads.

A use case states its consequences as lines of code. Where the consequence belongs to an
app above it (datatasks must not import proofs; proofs must not import points), the use
case sends one named event with a typed, immutable payload instead, once per service call.
Handlers run synchronously, in the sender's transaction, so what they do commits or rolls
back with the change that caused it. Handlers are connected in an ``AppConfig.ready`` and
receive the payload only: they never read the sender's rows back. Model signals
(``post_save`` …) are not used for business logic (docs/decisions/0004).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

P = TypeVar("P")


class Event(Generic[P]):
    """``batch_accepted = Event[BatchAccepted]("datatasks.batch_accepted")``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._handlers: dict[str, Callable[[P], None]] = {}

    def connect(self, handler: Callable[[P], None], *, uid: str) -> None:
        """Register ``handler`` under ``uid``; connecting the same uid again replaces it."""
        self._handlers[uid] = handler

    def disconnect(self, uid: str) -> None:
        self._handlers.pop(uid, None)

    def send(self, payload: P) -> None:
        for handler in list(self._handlers.values()):
            handler(payload)

    @property
    def handlers(self) -> tuple[str, ...]:
        return tuple(self._handlers)

    def __repr__(self) -> str:
        return f"Event({self.name!r})"
