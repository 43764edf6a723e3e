"""The protocol's constants and errors, reading its JSON-LD messages (both the 2025-1 and the older
prefixed form), and who asks: the connector's API key and the endpoint wrapper that answers in
the protocol's error shapes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from nomadcloud.accounts.models import ApiToken, Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.services import authenticate_token
from nomadcloud.core.errors import DomainError
from nomadcloud.core.jsonsafe import loads_limited
from nomadcloud.datapools import dsp_callbacks
from nomadcloud.datapools.models import (
    Transfer,
)

VERSION = "2025-1"
CONTEXT = ["https://w3id.org/dspace/2025/1/context.jsonld"]
MAX_BODY = 64 * 1024
DEFAULT_DAYS = 90
# The transfer format of each access mode (the data is pulled from the platform's API).
FORMATS = {
    "aggregate": "HttpData-PULL+aggregate",
    "query_template": "HttpData-PULL+query",
    "download": "HttpData-PULL+download",
}
T = Transfer.State
# Transfer process moves: (state, message) → next state.
TRANSFER_MOVES: dict[tuple[str, str], str] = {
    (T.STARTED, "suspension"): T.SUSPENDED,
    (T.SUSPENDED, "start"): T.STARTED,
    (T.STARTED, "completion"): T.COMPLETED,
    (T.SUSPENDED, "completion"): T.COMPLETED,
    (T.REQUESTED, "termination"): T.TERMINATED,
    (T.STARTED, "termination"): T.TERMINATED,
    (T.SUSPENDED, "termination"): T.TERMINATED,
}
MESSAGE_TYPES = {
    "start": "TransferStartMessage",
    "completion": "TransferCompletionMessage",
    "suspension": "TransferSuspensionMessage",
    "termination": "TransferTerminationMessage",
}


class ProtocolError(Exception):
    def __init__(self, status: int, code: str, reason: str) -> None:
        super().__init__(reason)
        self.status, self.code, self.reason = status, code, reason


pid = dsp_callbacks.pid
agreement_id = dsp_callbacks.agreement_id


def _uuid_of(value: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(value.removeprefix("urn:uuid:").removeprefix(what))
    except (ValueError, AttributeError):
        raise ProtocolError(404, "not_found", _("No such process.")) from None


# --- reading messages ---------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A message with the ``dspace:``/``odrl:``/``dct:`` prefixes dropped from its keys (and
    from the ODRL vocabulary values), so both the 2025-1 form and the prefixed one read."""
    if isinstance(value, dict):
        return {re.sub(r"^(dspace|odrl|dct|dcat):", "", k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return re.sub(r"^(dspace|odrl):", "", value)
    return value


def _message(request: HttpRequest, expected: str) -> dict[str, Any]:
    if len(request.body) > MAX_BODY:
        raise ProtocolError(400, "invalid_message", _("The message is too large."))
    try:
        body = _plain(loads_limited(request.body.decode("utf-8"), max_bytes=MAX_BODY))
    except (ValueError, UnicodeDecodeError):
        raise ProtocolError(400, "invalid_message", _("The message is not JSON.")) from None
    if not isinstance(body, dict) or body.get("@type") != expected:
        raise ProtocolError(400, "invalid_message", _("Expected a %(type)s.") % {"type": expected})
    return body


def _text(body: dict[str, Any], name: str, *, required: bool = True, limit: int = 200) -> str:
    value = body.get(name, "")
    if isinstance(value, dict):
        value = value.get("@id", "")
    if not isinstance(value, str) or len(value) > limit or (required and not value.strip()):
        raise ProtocolError(
            400, "invalid_message", _("%(name)s is missing or not valid.") % {"name": name}
        )
    return value.strip()


def _callback(body: dict[str, Any]) -> str:
    address = _text(body, "callbackAddress", required=False, limit=500)
    if address and not re.match(r"^https?://[^\s]+$", address):
        raise ProtocolError(
            400, "invalid_message", _("The callback address must be an http(s) URL.")
        )
    return address


# --- who asks -----------------------------------------------------------------------------


def _connector(request: HttpRequest) -> Principal:
    """The verified organisation whose API key signed the request."""
    header = request.headers.get("Authorization", "")
    scheme, _sep, raw = header.partition(" ")
    token = authenticate_token(raw.strip()) if scheme.lower() == "bearer" and raw else None
    if token is None or token.kind != ApiToken.Kind.ORGANISATION or token.organisation is None:
        raise ProtocolError(
            401, "unauthorized", _("Send an API key of your organisation (Bearer nco_…).")
        )
    if request.method == "POST" and token.scope != ApiToken.Scope.WRITE:
        raise ProtocolError(
            403, "scope", _("This token may only read; use a token with write scope.")
        )
    if token.organisation.verification_status != Organisation.Verification.VERIFIED:
        raise ProtocolError(
            403,
            "organisation_not_verified",
            _("Only a verified organisation may use the Dataspace Protocol endpoints."),
        )
    return Principal(user=None, token=token)


def _error_body(kind: str, exc: ProtocolError, **pids: str) -> dict[str, Any]:
    return {
        "@context": CONTEXT,
        "@type": kind,
        **{k: v for k, v in pids.items() if v},
        "code": exc.code,
        "reason": [exc.reason],
    }


def endpoint(kind: str) -> Callable[[Callable[..., HttpResponse]], Callable[..., HttpResponse]]:
    """A DSP endpoint: CSRF-exempt (a bearer key, never a session), errors in the protocol's
    shape ``kind`` (ContractNegotiationError, TransferError, CatalogError)."""

    def wrap(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return view(request, _connector(request), *args, **kwargs)
            except ProtocolError as exc:
                return JsonResponse(_error_body(kind, exc), status=exc.status)
            except DomainError as exc:
                status = exc.status if exc.status in (403, 404) else 400
                reason = ProtocolError(status, exc.code, exc.message)
                return JsonResponse(_error_body(kind, reason), status=status)

        return run

    return wrap
