"""``Idempotency-Key`` on API POSTs: a retry with the same key and body replays the first
successful response instead of doing the work again; the same key with a different body is
refused.

The key is claimed before the handler runs: a pending record (``status_code`` 0) is inserted
under the unique constraint on (owner, key) and committed, so of concurrent requests with the
same key exactly one runs the handler. The others wait up to ``WAIT_FOR_TWIN`` for it and
replay its answer, or answer 409 ``idempotency_in_progress``. A handler that does not succeed
(any non-2xx answer, or an exception) releases the claim, so a failed request can be retried
(docs/decisions/0002-api-conventions.md §4). An answer marked ``Cache-Control: no-store`` (the
personal-data export) is never stored: the claim is released and a retry runs again."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"

PENDING = 0
"""``status_code`` of a claimed key whose first request is still running."""

WAIT_FOR_TWIN = 5.0
"""Seconds a duplicate waits for the running first request before answering 409."""

POLL = 0.05

STALE_CLAIM = timedelta(minutes=5)
"""A claim this old belongs to a request whose process died (requests time out long before):
it is taken over, and the request runs again."""


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"code": code, "message": message, "fields": {HEADER: [message]}}, status=status
    )


def _owner(request: HttpRequest) -> str | None:
    authorization = request.headers.get("Authorization", "")
    if authorization:
        return "auth:" + hashlib.sha256(authorization.encode()).hexdigest()[:40]
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return f"user:{user.pk}"
    return None


# Whether a bearer secret would authenticate now. The credentials belong to accounts, which
# registers its check when the apps are ready, so that core imports no app; until then no
# bearer request is replayed.
_bearer_check: Callable[[str], bool] | None = None


def register_bearer_check(check: Callable[[str], bool]) -> None:
    global _bearer_check  # one process-wide hook, set once at start-up
    _bearer_check = check


def _credential_still_valid(request: HttpRequest) -> bool:
    """A stored response is replayed only to a caller who could make the request now."""
    scheme, _sep, raw = request.headers.get("Authorization", "").partition(" ")
    if scheme:
        check = _bearer_check
        return scheme.lower() == "bearer" and check is not None and check(raw.strip())
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


def prune_expired() -> int:
    """Delete stored responses past their TTL (run daily: `nomadcloud prune_idempotency`)."""
    cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
    deleted, _by_model = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def _claim(owner: str, key: str, fingerprint: str, path: str) -> IdempotencyRecord | None:
    """Insert the pending record (committed at once outside a request transaction, so
    concurrent twins see it); ``None`` if the key is already taken."""
    try:
        with transaction.atomic():
            return IdempotencyRecord.objects.create(
                owner=owner,
                key=key,
                method="POST",
                path=path[:512],
                fingerprint=fingerprint,
                status_code=PENDING,
                response_body=b"",
            )
    except IntegrityError:
        return None


def _release(claim: IdempotencyRecord) -> None:
    IdempotencyRecord.objects.filter(pk=claim.pk, status_code=PENDING).delete()


def _replay(record: IdempotencyRecord) -> HttpResponse:
    replay = HttpResponse(
        bytes(record.response_body), status=record.status_code, content_type=record.content_type
    )
    replay["Idempotent-Replayed"] = "true"
    return replay


class IdempotencyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        key = request.headers.get(HEADER)
        if request.method != "POST" or key is None or not request.path.startswith("/api/"):
            return self.get_response(request)
        if not 1 <= len(key) <= 255 or not key.isprintable():
            return _error(
                422,
                "invalid_idempotency_key",
                _("The Idempotency-Key must be 1 to 255 printable characters."),
            )
        owner = _owner(request)
        if owner is None:
            return self.get_response(request)
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.body
        ).hexdigest()
        cutoff = timezone.now() - settings.IDEMPOTENCY_KEY_TTL
        IdempotencyRecord.objects.filter(owner=owner, key=key, created_at__lt=cutoff).delete()
        deadline = time.monotonic() + WAIT_FOR_TWIN
        while True:
            claim = _claim(owner, key, fingerprint, request.path)
            if claim is not None:
                return self._run(request, claim)
            existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
            if existing is not None:
                if not _credential_still_valid(request):
                    return self.get_response(request)  # let authentication refuse it as usual
                if existing.fingerprint != fingerprint:
                    return _error(
                        422,
                        "idempotency_key_reused",
                        _("This Idempotency-Key was used for a different request."),
                    )
                if existing.status_code != PENDING:
                    return _replay(existing)
                if existing.created_at < timezone.now() - STALE_CLAIM:
                    _release(existing)
                    continue
            if time.monotonic() >= deadline:
                return _error(
                    409,
                    "idempotency_in_progress",
                    _(
                        "A request with this Idempotency-Key is still being processed; "
                        "retry it in a moment to get its answer."
                    ),
                )
            time.sleep(POLL)

    def _run(self, request: HttpRequest, claim: IdempotencyRecord) -> HttpResponse:
        try:
            response = self.get_response(request)
        except BaseException:
            _release(claim)
            raise
        storable = "no-store" not in response.get("Cache-Control", "")  # e.g. personal data
        if 200 <= response.status_code < 300 and not response.streaming and storable:
            IdempotencyRecord.objects.filter(pk=claim.pk).update(
                status_code=response.status_code,
                response_body=response.content,
                content_type=response.get("Content-Type", "application/json")[:100],
            )
        else:
            _release(claim)
        return response
