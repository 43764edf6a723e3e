"""Dataspace Protocol 2025-1 endpoints for connectors of other zones (docs/datapools.md,
decision 0049): the catalogue (DCAT with ODRL offers), contract negotiation and transfer
process, provider side, under ``/dsp/2025-1/`` (advertised at
``/.well-known/dspace-version``).

- **Who.** Every request carries ``Authorization: Bearer nco_…``, an API key of a
  *verified* organisation (write scope to send messages). Missing or bad: 401; an unverified
  organisation: 403; a negotiation or transfer of another organisation: 404, as the
  protocol asks.
- **Messages.** JSON-LD in the 2025-1 context, terms without prefix; the older prefixed
  form (``dspace:consumerPid``, ``odrl:permission``) is read too. The platform's own state
  machine does the work (negotiation.py): the connector's messages are the consumer's moves,
  the steward answers on the pages and the lead department confirms the agreement (核定).
  Our changes are sent to the connector's ``callbackAddress`` (dsp_callbacks.py); it may
  also read the negotiation's state and the agreement by GET.
- **Errors.** ``ContractNegotiationError`` / ``TransferError`` / ``CatalogError`` with
  ``code`` and ``reason`` (the localized message, e.g. naming the failed ODRL constraint);
  a move the state machine does not allow is 400.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nomadcloud.accounts.models import ApiToken, Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.services import authenticate_token
from nomadcloud.core import audit
from nomadcloud.core.errors import DomainError
from nomadcloud.core.jsonsafe import loads_limited
from nomadcloud.datapools import catalogue, dsp_callbacks, negotiation
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import (
    IN_FORCE,
    Charter,
    Negotiation,
    Pool,
    Transfer,
    TransferEvent,
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


# --- catalogue ----------------------------------------------------------------------------


def _base(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("dsp:version")).rsplit("/.well-known", 1)[0]


def offer(pool: Pool, mode: str, charter: Charter) -> dict[str, Any]:
    return {
        "@id": f"urn:nomadcloud:offer:{pool.public_id}:{mode}",
        "@type": "Offer",
        "target": f"urn:nomadcloud:pool:{pool.public_id}",
        "assigner": f"urn:nomadcloud:org:{pool.steward.public_id}",
        "permission": [
            {
                "action": "use",
                "constraint": [
                    {
                        "leftOperand": "purpose",
                        "operator": "isAnyOf",
                        "rightOperand": charter.purposes,
                    },
                    {"leftOperand": "spatial", "operator": "eq", "rightOperand": "CN"},
                    {
                        "leftOperand": "elapsedTime",
                        "operator": "lteq",
                        "rightOperand": f"P{negotiation.MAX_DAYS}D",
                    },
                ],
                "duty": [{"action": "attribute"}],
            }
        ],
        "prohibition": [{"action": "https://nomadcloud.cn/ns/datapools#reidentify"}],
        "https://nomadcloud.cn/ns/datapools#accessMode": mode,
    }


def dataset(pool: Pool, service: dict[str, Any], charter: Charter | None = None) -> dict[str, Any]:
    charter = charter or current_charter(pool)
    modes = list(charter.access_modes) if pool.status == Pool.Status.OPEN else []
    out: dict[str, Any] = {
        "@id": f"urn:nomadcloud:pool:{pool.public_id}",
        "@type": "Dataset",
        "title": [
            {"@value": pool.title.get("zh-Hans", ""), "@language": "zh"},
            {"@value": pool.title.get("en", ""), "@language": "en"},
        ],
        "description": [
            {"@value": pool.description.get("zh-Hans", ""), "@language": "zh"},
            {"@value": pool.description.get("en", ""), "@language": "en"},
        ],
        "keyword": [pool.kind],
        "hasPolicy": [offer(pool, mode, charter) for mode in modes],
        "distribution": [
            {"@type": "Distribution", "format": FORMATS[mode], "accessService": service["@id"]}
            for mode in modes
        ],
    }
    if pool.registration_code:
        out["identifier"] = pool.registration_code
    return out


def _service(request: HttpRequest) -> dict[str, Any]:
    return {
        "@id": f"{_base(request)}/dsp/{VERSION}",
        "@type": "DataService",
        "endpointURL": f"{_base(request)}/dsp/{VERSION}",
    }


@require_GET
def version(request: HttpRequest) -> HttpResponse:
    """``/.well-known/dspace-version``: the protocol versions served here."""
    return JsonResponse(
        {"protocolVersions": [{"version": VERSION, "path": f"/dsp/{VERSION}/", "binding": "HTTPS"}]}
    )


@require_POST
@endpoint("CatalogError")
def catalog_request(request: HttpRequest, principal: Principal) -> HttpResponse:
    _message(request, "CatalogRequestMessage")
    service = _service(request)
    pools = list(catalogue.public_pools()[:1000])
    newest: dict[int, Charter] = {}  # each pool's newest charter, in one query
    for charter in Charter.objects.filter(pool__in=pools).order_by("pool_id", "version"):
        newest[charter.pool_id] = charter
    return JsonResponse(
        {
            "@context": CONTEXT,
            "@id": f"{_base(request)}/catalog.jsonld",
            "@type": "Catalog",
            "participantId": _base(request),
            "service": [service],
            "dataset": [dataset(pool, service, newest.get(pool.pk)) for pool in pools],
        }
    )


@require_GET
@endpoint("CatalogError")
def catalog_dataset(request: HttpRequest, principal: Principal, dataset_id: str) -> HttpResponse:
    found = (
        catalogue.public_pools()
        .filter(public_id=_uuid_of(dataset_id, "urn:nomadcloud:pool:"))
        .first()
    )
    if found is None:
        raise ProtocolError(404, "not_found", _("No such dataset."))
    return JsonResponse({"@context": CONTEXT, **dataset(found, _service(request))})


# --- contract negotiation -----------------------------------------------------------------

STATES = {state: state.upper() for state in Negotiation.State.values}


def protocol_state(made: Negotiation) -> str:
    """The DSP 2025-1 state the other connector sees. ``confirming`` (the department's 核定
    awaited) is the provider's own step: ``ACCEPTED`` when the consumer accepted the
    steward's offer (the policy on the table is the Offer), ``REQUESTED`` when the steward
    agreed to the consumer's request (decision 0062)."""
    if made.state == Negotiation.State.CONFIRMING:
        return "ACCEPTED" if made.policy.get("@type") == "Offer" else "REQUESTED"
    return STATES[made.state]


def negotiation_body(made: Negotiation) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "ContractNegotiation",
        "providerPid": pid(made.public_id),
        "consumerPid": made.consumer_pid,
        "state": protocol_state(made),
    }
    if made.state in (Negotiation.State.OFFERED, *IN_FORCE):
        if made.state == Negotiation.State.OFFERED:
            body["offer"] = dsp_callbacks.offer(made)
        else:
            body["agreement"] = dsp_callbacks.agreement(made)
    if made.state == Negotiation.State.TERMINATED:
        body["reason"] = [made.reason]
    return body


def _mine(principal: Principal, provider_pid: str) -> Negotiation:
    made = (
        Negotiation.objects.filter(public_id=_uuid_of(provider_pid, "urn:uuid:"))
        .select_related("pool__steward", "consumer")
        .first()
    )
    if made is None or made.consumer != principal.key_organisation:
        raise ProtocolError(404, "not_found", _("No such negotiation."))
    return made


def _check_consumer_pid(made: Negotiation, body: dict[str, Any]) -> None:
    given = _text(body, "consumerPid", required=False)
    if given and made.consumer_pid and given != made.consumer_pid:
        raise ProtocolError(400, "invalid_message", _("The consumerPid does not match."))


def _terms(body: dict[str, Any]) -> tuple[Pool, dict[str, Any]]:
    """The pool and the terms an offer in a ContractRequestMessage asks for."""
    wanted = body.get("offer")
    if not isinstance(wanted, dict):
        raise ProtocolError(400, "invalid_message", _("offer is missing or not valid."))
    target = _text(wanted, "target")
    pool = Pool.objects.filter(public_id=_uuid_of(target, "urn:nomadcloud:pool:")).first()
    if pool is None or pool.status not in PUBLIC_STATES:
        raise ProtocolError(404, "not_found", _("No such dataset."))
    offer_id = _text(wanted, "@id", required=False)
    mode = offer_id.rsplit(":", 1)[-1] if offer_id.startswith("urn:nomadcloud:offer:") else ""
    mode = str(wanted.get("https://nomadcloud.cn/ns/datapools#accessMode", mode) or "aggregate")
    constraints: dict[str, Any] = {}
    permissions = wanted.get("permission") or []
    for permission in permissions if isinstance(permissions, list) else [permissions]:
        listed = permission.get("constraint", []) if isinstance(permission, dict) else []
        for c in listed if isinstance(listed, list) else [listed]:
            if isinstance(c, dict) and isinstance(c.get("leftOperand"), str):
                constraints[c["leftOperand"]] = c.get("rightOperand")
    purpose = constraints.get("purpose")
    if isinstance(purpose, list) and len(purpose) == 1:
        purpose = purpose[0]
    if not isinstance(purpose, str):
        raise ProtocolError(
            400, "constraint_failed", _("Name one purpose (constraint 'purpose' eq …).")
        )
    days = DEFAULT_DAYS
    elapsed = constraints.get("elapsedTime")
    if elapsed is not None:
        match = re.fullmatch(r"P(\d{1,4})D", str(elapsed))
        if match is None:
            raise ProtocolError(
                400, "invalid_message", _("elapsedTime must be a duration in days, like P90D.")
            )
        days = int(match.group(1))
    spatial = constraints.get("spatial", "CN")
    return pool, {
        "purpose": purpose,
        "access_mode": mode,
        "duration_days": days,
        "spatial": str(spatial).rsplit("/", 1)[-1][:2] or "CN",
    }


@require_GET
@endpoint("ContractNegotiationError")
def negotiation_get(request: HttpRequest, principal: Principal, provider_pid: str) -> HttpResponse:
    return JsonResponse(negotiation_body(_mine(principal, provider_pid)))


@require_POST
@endpoint("ContractNegotiationError")
def negotiation_request(request: HttpRequest, principal: Principal) -> HttpResponse:
    """A new negotiation from the connector's first ContractRequestMessage."""
    body = _message(request, "ContractRequestMessage")
    consumer_pid = _text(body, "consumerPid")
    callback = _callback(body)
    pool, terms = _terms(body)
    consumer = principal.key_organisation
    assert consumer is not None
    try:
        made = negotiation.request_access(
            principal=principal,
            pool=pool,
            consumer=consumer,
            consumer_pid=consumer_pid,
            callback_address=callback,
            **terms,
        )
    except DomainError as exc:
        raise ProtocolError(400, exc.code, exc.message) from exc
    return JsonResponse(negotiation_body(made), status=201)


def _move(
    request: HttpRequest,
    principal: Principal,
    provider_pid: str,
    message: str,
    action: Callable[[dict[str, Any]], tuple[str, dict[str, Any]]],
) -> HttpResponse:
    body = _message(request, message)
    made = _mine(principal, provider_pid)
    _check_consumer_pid(made, body)
    name, extra = action(body)
    if (made.state, name) not in negotiation.MOVES:
        raise ProtocolError(
            400,
            "transition_not_allowed",
            _("A negotiation that is “%(state)s” cannot take this message.")
            % {"state": Negotiation.State(made.state).label},
        )
    try:
        made = negotiation.move(principal=principal, negotiation=made, action=name, **extra)
    except DomainError as exc:
        raise ProtocolError(400, exc.code, exc.message) from exc
    return JsonResponse(negotiation_body(made))


@require_POST
@endpoint("ContractNegotiationError")
def negotiation_counter(
    request: HttpRequest, principal: Principal, provider_pid: str
) -> HttpResponse:
    """The consumer's counter-request to the steward's offer."""

    def terms(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        _pool, wanted = _terms(body)
        return "request", {
            "access_mode": wanted["access_mode"],
            "duration_days": wanted["duration_days"],
        }

    return _move(request, principal, provider_pid, "ContractRequestMessage", terms)


@require_POST
@endpoint("ContractNegotiationError")
def negotiation_event(
    request: HttpRequest, principal: Principal, provider_pid: str
) -> HttpResponse:
    """ACCEPTED: the consumer accepts the steward's offer (the agreement follows once the
    lead department has confirmed it, sent to the callback address)."""

    def accepted(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        if _text(body, "eventType") != "ACCEPTED":
            raise ProtocolError(
                400, "invalid_message", _("A consumer can only send the ACCEPTED event.")
            )
        return "accept", {}

    return _move(request, principal, provider_pid, "ContractNegotiationEventMessage", accepted)


@require_POST
@endpoint("ContractNegotiationError")
def negotiation_verification(
    request: HttpRequest, principal: Principal, provider_pid: str
) -> HttpResponse:
    """The consumer verifies the agreement; the platform finalizes it at once."""
    return _move(
        request,
        principal,
        provider_pid,
        "ContractAgreementVerificationMessage",
        lambda body: ("verify", {}),
    )


@require_POST
@endpoint("ContractNegotiationError")
def negotiation_termination(
    request: HttpRequest, principal: Principal, provider_pid: str
) -> HttpResponse:
    def terminate(body: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        reasons = body.get("reason") or []
        texts = [r if isinstance(r, str) else json.dumps(r)[:200] for r in reasons][:5]
        code = _text(body, "code", required=False, limit=100)
        why = "; ".join([code, *texts] if code else texts)[:500]
        return "terminate", {"reason": why or _("Terminated by the consumer's connector.")}

    return _move(
        request, principal, provider_pid, "ContractNegotiationTerminationMessage", terminate
    )


# --- transfer process ---------------------------------------------------------------------


def data_address(request: HttpRequest, made: Negotiation) -> dict[str, Any]:
    """Where the agreed mode is used: the platform's API under the agreement, with the
    organisation's own API key."""
    return dsp_callbacks.data_address(request.build_absolute_uri("/").rstrip("/"), made)


def transfer_body(request: HttpRequest, transfer: Transfer) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@context": CONTEXT,
        "@type": "TransferProcess",
        "providerPid": pid(transfer.public_id),
        "consumerPid": transfer.consumer_pid,
        "state": transfer.state.upper(),
    }
    if transfer.state == T.STARTED:
        body["dataAddress"] = data_address(request, transfer.negotiation)
    if transfer.reason:
        body["reason"] = [transfer.reason]
    return body


def _transfer_event(transfer: Transfer, action: str, principal: Principal | None) -> None:
    TransferEvent.objects.create(
        transfer=transfer, action=action, to_state=transfer.state, reason=transfer.reason
    )
    audit.record(
        actor=None,
        action=f"datapools.transfer.{action}",
        obj=transfer,
        organisation=transfer.negotiation.consumer,
        after={"state": transfer.state},
        token=principal.token if principal is not None else None,
    )


@transaction.atomic
def request_transfer(
    *, principal: Principal, agreement: str, consumer_pid: str, fmt: str, callback: str
) -> Transfer:
    """A transfer under a finalized agreement in force, in the agreed mode's format; the
    platform starts it at once (the data is pulled through the data address)."""
    match = re.fullmatch(r"urn:nomadcloud:agreement:([0-9a-f-]{36})", agreement)
    made = (
        Negotiation.objects.select_for_update()
        .filter(public_id=match.group(1) if match else None)
        .select_related("pool", "consumer")
        .first()
        if match
        else None
    )
    if made is None or made.consumer != principal.key_organisation:
        raise ProtocolError(404, "not_found", _("No such agreement."))
    now = timezone.now()
    if made.state != Negotiation.State.FINALIZED or (
        made.expires_at is not None and made.expires_at <= now
    ):
        raise ProtocolError(
            400,
            "no_agreement",
            _("The agreement is not finalized or has ended: verify it first."),
        )
    agreed = FORMATS[str(made.policy.get("nc:accessMode"))]
    if fmt != agreed:
        raise ProtocolError(
            400,
            "format_not_agreed",
            _("The agreement allows the format %(format)s only.") % {"format": agreed},
        )
    transfer = Transfer.objects.create(
        negotiation=made,
        consumer_pid=consumer_pid,
        format=fmt,
        callback_address=callback,
        state=T.REQUESTED,
    )
    _transfer_event(transfer, "request", principal)
    transfer.state = T.STARTED
    transfer.save(update_fields=["state"])
    _transfer_event(transfer, "start", None)
    dsp_callbacks.transfer_changed(transfer, "start")
    return transfer


@transaction.atomic
def move_transfer(
    *, principal: Principal, transfer: Transfer, message: str, reason: str = ""
) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update()
        .select_related("negotiation__consumer")
        .get(pk=transfer.pk)
    )
    target = TRANSFER_MOVES.get((transfer.state, message))
    if target is None:
        raise ProtocolError(
            400,
            "transition_not_allowed",
            _("A transfer that is “%(state)s” cannot take this message.")
            % {"state": T(transfer.state).label},
        )
    negotiation_ = transfer.negotiation
    if target == T.STARTED and (
        negotiation_.state != Negotiation.State.FINALIZED
        or (negotiation_.expires_at is not None and negotiation_.expires_at <= timezone.now())
    ):
        raise ProtocolError(400, "no_agreement", _("The agreement has ended."))
    transfer.state = target
    transfer.reason = reason[:500]
    transfer.save(update_fields=["state", "reason"])
    _transfer_event(transfer, message, principal)
    return transfer


def _my_transfer(principal: Principal, provider_pid: str) -> Transfer:
    transfer = (
        Transfer.objects.filter(public_id=_uuid_of(provider_pid, "urn:uuid:"))
        .select_related("negotiation__consumer")
        .first()
    )
    if transfer is None or transfer.negotiation.consumer != principal.key_organisation:
        raise ProtocolError(404, "not_found", _("No such transfer process."))
    return transfer


@require_GET
@endpoint("TransferError")
def transfer_get(request: HttpRequest, principal: Principal, provider_pid: str) -> HttpResponse:
    return JsonResponse(transfer_body(request, _my_transfer(principal, provider_pid)))


@require_POST
@endpoint("TransferError")
def transfer_request(request: HttpRequest, principal: Principal) -> HttpResponse:
    body = _message(request, "TransferRequestMessage")
    transfer = request_transfer(
        principal=principal,
        agreement=_text(body, "agreementId"),
        consumer_pid=_text(body, "consumerPid"),
        fmt=_text(body, "format", limit=100),
        callback=_callback(body),
    )
    return JsonResponse(transfer_body(request, transfer), status=201)


@require_http_methods(["POST"])
@endpoint("TransferError")
def transfer_message(
    request: HttpRequest, principal: Principal, provider_pid: str, message: str
) -> HttpResponse:
    if message not in MESSAGE_TYPES:
        raise ProtocolError(404, "not_found", _("No such endpoint."))
    body = _message(request, MESSAGE_TYPES[message])
    transfer = _my_transfer(principal, provider_pid)
    given = _text(body, "consumerPid", required=False)
    if given and given != transfer.consumer_pid:
        raise ProtocolError(400, "invalid_message", _("The consumerPid does not match."))
    reasons = body.get("reason") or []
    reason = "; ".join(str(r)[:200] for r in reasons[:5]) if isinstance(reasons, list) else ""
    code = _text(body, "code", required=False, limit=100)
    transfer = move_transfer(
        principal=principal,
        transfer=transfer,
        message=message,
        reason="; ".join(x for x in (code, reason) if x),
    )
    return JsonResponse(transfer_body(request, transfer))


def end_transfers_of_ended_agreements(now: Any = None) -> int:
    """Terminate the open transfers of agreements that ended or were terminated (run by the
    negotiation expiry job); how many."""
    now = now or timezone.now()
    ended = Transfer.objects.filter(state__in=[T.REQUESTED, T.STARTED, T.SUSPENDED]).filter(
        negotiation__expires_at__lte=now
    ) | Transfer.objects.filter(
        state__in=[T.REQUESTED, T.STARTED, T.SUSPENDED],
        negotiation__state=Negotiation.State.TERMINATED,
    )
    count = 0
    for transfer in ended.select_related("negotiation__consumer"):
        with transaction.atomic():
            transfer.state = T.TERMINATED
            transfer.reason = _("The agreement ended.")
            transfer.save(update_fields=["state", "reason"])
            _transfer_event(transfer, "termination", None)
            dsp_callbacks.transfer_changed(transfer, "termination")
            count += 1
    return count
