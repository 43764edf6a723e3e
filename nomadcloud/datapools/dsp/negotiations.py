"""Contract negotiation: the platform's own state machine seen through the protocol (states,
messages, the connector's moves as the consumer's)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError
from nomadcloud.datapools import dsp_callbacks, negotiation
from nomadcloud.datapools.access import PUBLIC_STATES
from nomadcloud.datapools.models import (
    IN_FORCE,
    Negotiation,
    Pool,
)

from .messages import (
    CONTEXT,
    DEFAULT_DAYS,
    ProtocolError,
    _callback,
    _message,
    _text,
    _uuid_of,
    endpoint,
    pid,
)

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
