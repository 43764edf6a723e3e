"""Read replicas (settings DATABASE_REPLICA_URL, docs/operations.md "Read replicas").

Only work marked read-only goes to the replica: a view decorated with ``@read_only_view``
or code inside ``with read_only():`` (public feeds and catalogues, dashboard snapshot
computation, exports). Everything else, and above all state transitions, ledgers and
budgets, reads and writes the primary, as without a replica.

A replica lags its primary. So that nobody misses their own change, a person who has just
changed something reads from the primary for REPLICA_PIN_SECONDS: ``ReplicaPinningMiddleware``
sets a cookie after every unsafe request, and any write in a request pins the rest of it.
"""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse

from nomadcloud.settings_scale import REPLICA_ALIAS

PIN_COOKIE = "nomadcloud_primary"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_read_only: contextvars.ContextVar[bool] = contextvars.ContextVar("read_only", default=False)
_pinned: contextvars.ContextVar[bool] = contextvars.ContextVar("pinned", default=False)
# Inside a request or a read_only() block a write pins the rest of it; elsewhere (a worker
# between jobs) a write pins nothing, so a later read-only job may still use the replica.
_scoped: contextvars.ContextVar[bool] = contextvars.ContextVar("scoped", default=False)

# Models that are read and written in one go (the database cache): always the primary.
_PRIMARY_ONLY_APPS = frozenset({"django_cache"})

F = TypeVar("F", bound=Callable[..., Any])


def replica_configured() -> bool:
    return REPLICA_ALIAS in connections.settings


@contextmanager
def read_only(*, pin_on_write: bool = True) -> Iterator[None]:
    """Reads inside go to the replica (when one is configured and the person is not
    pinned to the primary). Writes inside still go to the primary and pin the rest of the
    block, unless ``pin_on_write`` is off: a batch computation (the dashboard's snapshots)
    that reads settled data and writes its results keeps reading from the replica."""
    token = _read_only.set(True)
    scope = _scoped.set(pin_on_write)
    pin = _pinned.set(_pinned.get())
    try:
        yield
    finally:
        _pinned.reset(pin)
        _scoped.reset(scope)
        _read_only.reset(token)


@contextmanager
def primary() -> Iterator[None]:
    """Reads inside go to the primary even within ``read_only()``."""
    token = _pinned.set(True)
    try:
        yield
    finally:
        _pinned.reset(token)


def read_only_view(view: F) -> F:
    """Mark a view as explicitly read-only: its queries may be answered by the replica."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        with read_only():
            return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def reading_from() -> str:
    """The alias a read would use now (for tests and diagnostics)."""
    if _read_only.get() and not _pinned.get() and replica_configured():
        return REPLICA_ALIAS
    return DEFAULT_DB_ALIAS


class ReplicaRouter:
    """Django database router: the replica only for marked reads, never for writes."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if model._meta.app_label in _PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        return reading_from()

    def db_for_write(self, model: Any, **hints: Any) -> str:
        if _scoped.get():
            _pinned.set(True)  # read your own write for the rest of this request or block
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # one database, two connections to it

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        # The replica receives the primary's changes itself; any other alias (a second
        # SQLite file of the stress tests and benchmarks) is a database of its own.
        return db != REPLICA_ALIAS


class ReplicaPinningMiddleware:
    """Pins a person to the primary after a change: a request carrying the cookie, or any
    unsafe request, reads from the primary; an unsafe request's response sets the cookie
    for REPLICA_PIN_SECONDS."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        writes = request.method not in SAFE_METHODS
        cookie = PIN_COOKIE in request.COOKIES
        token = _pinned.set(writes or cookie)
        scope = _scoped.set(True)
        marked = _read_only.set(False)
        try:
            response = self.get_response(request)
            wrote = _pinned.get() and not cookie
        finally:
            _read_only.reset(marked)
            _scoped.reset(scope)
            _pinned.reset(token)
        if (writes or wrote) and replica_configured():
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response

    def process_view(
        self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        """The views named in REPLICA_READ_ONLY_VIEWS are read-only work when read (GET)."""
        match = request.resolver_match
        if (
            request.method in SAFE_METHODS
            and match is not None
            and match.view_name in settings.REPLICA_READ_ONLY_VIEWS
        ):
            _read_only.set(True)
