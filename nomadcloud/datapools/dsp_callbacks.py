"""Dataspace Protocol 2025-1 callbacks: the provider's messages to the other connector
(decision 0062). When a negotiation or transfer started through the protocol changes state on
our side — a counter-offer, the agreement (after the department's 核定), the finalisation, a
termination; a transfer started or terminated — the use case writes a ``DspCallback`` row in
its own transaction (an outbox) with the message for the connector's ``callbackAddress``:

- offered → ContractOfferMessage, ``POST negotiations/{c}/offers``;
- agreed (once confirmed) → ContractAgreementMessage, ``negotiations/{c}/agreement``;
- finalized → ContractNegotiationEventMessage FINALIZED, ``negotiations/{c}/events``;
- terminated → ContractNegotiationTerminationMessage, ``negotiations/{c}/termination``;
- transfer started → TransferStartMessage (with the data address), ``transfers/{c}/start``;
- transfer terminated → TransferTerminationMessage, ``transfers/{c}/termination``.

(``{c}`` is the connector's ``consumerPid``.) A change the connector made itself (its own
message) is not reported back: it has the answer in the response. A job (``deliver``, queue
``adapters``, after the commit) sends the process's waiting messages in order, through the
demands app's outbound guard (``demands.fetch.post_json``: public addresses only, one deadline,
no redirects); a failure waits 1, 5, 30 minutes, 2, 6, 12 and 24 hours before the next try
(the ``dsp_callbacks`` periodic job picks up those due), and after ``MAX_ATTEMPTS`` the
message is given up (shown on the negotiation page). Later messages of the same process wait
behind an earlier one, so the connector never sees the agreement before the offer.
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import task

from nomadcloud import __version__
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.jobs import enqueue_after_commit
from nomadcloud.datapools.models import DspCallback, Negotiation, Transfer

CONTEXT = ["https://w3id.org/dspace/2025/1/context.jsonld"]
BACKOFF = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
    timedelta(hours=12),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(BACKOFF) + 1
N = Negotiation.State


def pid(public_id: uuid.UUID) -> str:
    return f"urn:uuid:{public_id}"


def agreement_id(made: Negotiation) -> str:
    return f"urn:nomadcloud:agreement:{made.public_id}"


def agreement(made: Negotiation) -> dict[str, Any]:
    """The ODRL Agreement as the protocol carries it (``@id``, ``timestamp``)."""
    policy = {k: v for k, v in made.policy.items() if k != "@context"}
    return {**policy, "@id": agreement_id(made), "timestamp": made.policy.get("dateTime")}


def offer(made: Negotiation) -> dict[str, Any]:
    policy = {k: v for k, v in made.policy.items() if k != "@context"}
    return {**policy, "@id": policy.get("uid") or f"urn:uuid:{uuid.uuid4()}"}


def data_address(base: str, made: Negotiation) -> dict[str, Any]:
    """Where the agreed mode is used: the platform's API under the agreement, with the
    organisation's own API key."""
    path = {
        "aggregate": f"/api/v1/datapools/negotiations/{made.public_id}/aggregate",
    }.get(str(made.policy.get("nc:accessMode")), f"/api/v1/datapools/negotiations/{made.public_id}")
    return {
        "@type": "DataAddress",
        "endpointType": "https://w3id.org/idsa/v4.1/HTTP",
        "endpoint": f"{base}{path}",
        "endpointProperties": [
            {"@type": "EndpointProperty", "name": "authType", "value": "bearer"},
            {
                "@type": "EndpointProperty",
                "name": "authorization",
                "value": "your organisation's API key",
            },
        ],
    }


def _url(base: str, *parts: str) -> str:
    from urllib.parse import quote

    return base.rstrip("/") + "/" + "/".join(quote(p, safe=":") for p in parts)


def _queue(
    *,
    url: str,
    message: dict[str, Any],
    negotiation: Negotiation | None = None,
    transfer: Transfer | None = None,
) -> DspCallback:
    callback = DspCallback.objects.create(
        negotiation=negotiation,
        transfer=transfer,
        message_type=message["@type"],
        url=url[:800],
        body=message,
        next_attempt_at=timezone.now(),
    )
    enqueue_after_commit(deliver_dsp_callback, callback.pk)
    return callback


def negotiation_changed(made: Negotiation, principal: Principal | None) -> DspCallback | None:
    """Queue the message for a negotiation's new state, when it came through the protocol
    and the connector did not make the change itself (the finalisation that follows its
    verification is ours and is reported)."""
    if not (made.callback_address and made.consumer_pid):
        return None
    by_connector = principal is not None and principal.key_organisation == made.consumer
    if by_connector and made.state != N.FINALIZED:
        return None
    base = {
        "@context": CONTEXT,
        "providerPid": pid(made.public_id),
        "consumerPid": made.consumer_pid,
    }
    cp = made.consumer_pid
    if made.state == N.OFFERED:
        message = {**base, "@type": "ContractOfferMessage", "offer": offer(made)}
        path = ("negotiations", cp, "offers")
    elif made.state == N.AGREED:
        message = {**base, "@type": "ContractAgreementMessage", "agreement": agreement(made)}
        path = ("negotiations", cp, "agreement")
    elif made.state == N.FINALIZED:
        message = {**base, "@type": "ContractNegotiationEventMessage", "eventType": "FINALIZED"}
        path = ("negotiations", cp, "events")
    elif made.state == N.TERMINATED:
        message = {
            **base,
            "@type": "ContractNegotiationTerminationMessage",
            "code": "terminated",
            "reason": [made.reason or "terminated"],
        }
        path = ("negotiations", cp, "termination")
    else:
        return None
    return _queue(url=_url(made.callback_address, *path), message=message, negotiation=made)


def transfer_changed(transfer: Transfer, message: str) -> DspCallback | None:
    """Queue a TransferStartMessage (``start``) or TransferTerminationMessage
    (``termination``) for a change of ours to a transfer with a callback address."""
    if not (transfer.callback_address and transfer.consumer_pid):
        return None
    body: dict[str, Any] = {
        "@context": CONTEXT,
        "providerPid": pid(transfer.public_id),
        "consumerPid": transfer.consumer_pid,
    }
    if message == "start":
        body["@type"] = "TransferStartMessage"
        body["dataAddress"] = data_address(settings.SITE_URL, transfer.negotiation)
    elif message == "termination":
        body["@type"] = "TransferTerminationMessage"
        body["code"] = "terminated"
        body["reason"] = [transfer.reason or "terminated"]
    else:
        return None
    return _queue(
        url=_url(transfer.callback_address, "transfers", transfer.consumer_pid, message),
        message=body,
        transfer=transfer,
    )


# --- delivery ---------------------------------------------------------------------------------


def _same_process(callback: DspCallback) -> Q:
    if callback.negotiation_id is not None:
        return Q(negotiation_id=callback.negotiation_id)
    return Q(transfer_id=callback.transfer_id)


def _send(callback: DspCallback, now: datetime) -> bool:
    """One attempt; the row records the outcome. True when delivered (any 2xx)."""
    from nomadcloud.demands.fetch import FetchError, post_json

    callback.attempts += 1
    try:
        status = post_json(
            callback.url,
            json.dumps(callback.body, ensure_ascii=False).encode(),
            user_agent=f"NomadCloud/{__version__} (Dataspace Protocol 2025-1)",
        )
        error = "" if 200 <= status < 300 else f"HTTP {status}"
    except FetchError as exc:
        status, error = 0, f"{exc.code}: {exc.message}"
    callback.last_status = status or None
    callback.last_error = error[:300]
    if not error:
        callback.state = DspCallback.State.SENT
        callback.sent_at = now
        callback.next_attempt_at = None
    elif callback.attempts >= MAX_ATTEMPTS:
        callback.state = DspCallback.State.FAILED
        callback.next_attempt_at = None
    else:
        callback.next_attempt_at = now + BACKOFF[callback.attempts - 1]
    callback.save(
        update_fields=[
            "attempts",
            "last_status",
            "last_error",
            "state",
            "sent_at",
            "next_attempt_at",
        ]
    )
    return not error


def deliver(pk: int, now: datetime | None = None) -> int:
    """Send the waiting messages of the callback's process, oldest first, those due; stop at
    the first failure (the rest wait behind it). How many were delivered."""
    first = DspCallback.objects.filter(pk=pk).first()
    if first is None:
        return 0
    sent = 0
    while True:
        moment = now or timezone.now()
        with transaction.atomic():
            # Not skip_locked: a second worker waits for the first rather than sending the
            # next message of the process ahead of the one being sent.
            callback = (
                DspCallback.objects.select_for_update()
                .filter(_same_process(first), state=DspCallback.State.PENDING)
                .order_by("id")
                .first()
            )
            if callback is None or (
                callback.next_attempt_at is not None and callback.next_attempt_at > moment
            ):
                return sent
            if not _send(callback, moment):
                return sent
            sent += 1


def deliver_due(now: datetime | None = None) -> int:
    """The periodic sweep: every process whose oldest waiting message is due."""
    moment = now or timezone.now()
    heads: dict[tuple[int | None, int | None], Any] = {}
    for row in (
        DspCallback.objects.filter(state=DspCallback.State.PENDING)
        .order_by("id")
        .values("pk", "negotiation_id", "transfer_id", "next_attempt_at")
    ):
        heads.setdefault((row["negotiation_id"], row["transfer_id"]), row)
    return sum(
        deliver(row["pk"], moment)
        for row in heads.values()
        if row["next_attempt_at"] is None or row["next_attempt_at"] <= moment
    )


# The job is defined beside what it runs (not in tasks.py, which imports the modules that
# queue it): a module queueing its own job imports nothing above it.
@task(queue_name="adapters")
def deliver_dsp_callback(pk: int) -> int:
    """Send a Dataspace Protocol message to the other connector (and any waiting before it
    in the same process); a failure is retried by ``retry_dsp_callbacks`` (decision 0062)."""
    return deliver(pk)
