"""``Idempotency-Key`` on API POSTs: a retry with the same key and body replays the first
successful response instead of doing the work again; the same key with a different body is
refused. Only successful responses are stored, so a failed request can be retried."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"


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
        existing = IdempotencyRecord.objects.filter(owner=owner, key=key).first()
        if existing is not None and not _credential_still_valid(request):
            return self.get_response(request)  # let authentication refuse it as usual
        if existing is not None:
            if existing.fingerprint != fingerprint:
                return _error(
                    422,
                    "idempotency_key_reused",
                    _("This Idempotency-Key was used for a different request."),
                )
            replay = HttpResponse(
                bytes(existing.response_body),
                status=existing.status_code,
                content_type=existing.content_type,
            )
            replay["Idempotent-Replayed"] = "true"
            return replay
        response = self.get_response(request)
        if 200 <= response.status_code < 300 and not response.streaming:
            try:
                with transaction.atomic():
                    IdempotencyRecord.objects.create(
                        owner=owner,
                        key=key,
                        method="POST",
                        path=request.path[:512],
                        fingerprint=fingerprint,
                        status_code=response.status_code,
                        response_body=response.content,
                        content_type=response.get("Content-Type", "application/json")[:100],
                    )
            except IntegrityError:
                pass  # a concurrent twin stored it first; both did the same request
        return response
