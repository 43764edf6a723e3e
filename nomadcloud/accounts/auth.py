"""API authentication: the credentials are accounts' (personal tokens, organisation keys,
browser sessions), so the ninja auth classes live here, not in core."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, SessionAuth

from nomadcloud.accounts.services import authenticate_token
from nomadcloud.core.errors import Forbidden


class BearerTokenAuth(APIKeyHeader):
    """``Authorization: Bearer ncp_…`` (personal token) or ``nco_…`` (organisation key)."""

    param_name = "Authorization"
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not key:
            return None
        scheme, _sep, raw = key.partition(" ")
        if scheme.lower() != "bearer" or not raw:
            return None
        token = authenticate_token(raw.strip())
        if token is None:
            return None
        if token.scope != "write" and request.method not in {"GET", "HEAD", "OPTIONS"}:
            # One place for the rule: a read-scoped token never changes anything.
            raise Forbidden(
                _("This token may only read; use a token with write scope."), code="scope"
            )
        request.api_token = token  # type: ignore[attr-defined]
        if token.user is not None:
            request.user = token.user
        return token


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser session (CSRF-checked on unsafe methods)."""

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        request.api_token = None  # type: ignore[attr-defined]
        return super().authenticate(request, key)


AUTH = [BearerTokenAuth(), BrowserSessionAuth()]


def _anyone(request: HttpRequest) -> bool:
    """Public reads need no sign-in; a token or session, when given, still widens them."""
    request.api_token = getattr(request, "api_token", None)  # type: ignore[attr-defined]
    return True


# For public operations: ``@router.get(…, **PUBLIC)``. django-ninja appends ``openapi_extra``
# lists to the generated ones, so the document lists no-auth (``{}``) after the two schemes:
# clients and the fuzzer see that a credential is optional there.
PUBLIC: dict[str, Any] = {"auth": [*AUTH, _anyone], "openapi_extra": {"security": [{}]}}


def bearer_token_is_valid(raw: str) -> bool:
    """Could this bearer secret authenticate now? (registered with core's idempotency)"""
    return authenticate_token(raw) is not None
