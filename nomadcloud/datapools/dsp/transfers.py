"""The transfer process of an agreement in force: requests, start/suspend/complete/terminate, and
transfers ended with their agreements."""

from __future__ import annotations

import re
from typing import Any

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.datapools import dsp_callbacks
from nomadcloud.datapools.models import (
    Negotiation,
    Transfer,
    TransferEvent,
)

from .messages import (
    CONTEXT,
    FORMATS,
    MESSAGE_TYPES,
    TRANSFER_MOVES,
    ProtocolError,
    T,
    _callback,
    _message,
    _text,
    _uuid_of,
    endpoint,
    pid,
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
