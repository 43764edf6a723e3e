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

from .catalog import catalog_dataset, catalog_request, dataset, offer, version
from .messages import (
    CONTEXT,
    DEFAULT_DAYS,
    FORMATS,
    MAX_BODY,
    MESSAGE_TYPES,
    TRANSFER_MOVES,
    VERSION,
    ProtocolError,
    T,
    agreement_id,
    endpoint,
    pid,
)
from .negotiations import (
    STATES,
    negotiation_body,
    negotiation_counter,
    negotiation_event,
    negotiation_get,
    negotiation_request,
    negotiation_termination,
    negotiation_verification,
    protocol_state,
)
from .transfers import (
    data_address,
    end_transfers_of_ended_agreements,
    move_transfer,
    request_transfer,
    transfer_body,
    transfer_get,
    transfer_message,
    transfer_request,
)

__all__ = [
    "CONTEXT",
    "DEFAULT_DAYS",
    "FORMATS",
    "MAX_BODY",
    "MESSAGE_TYPES",
    "STATES",
    "TRANSFER_MOVES",
    "VERSION",
    "ProtocolError",
    "T",
    "agreement_id",
    "catalog_dataset",
    "catalog_request",
    "data_address",
    "dataset",
    "end_transfers_of_ended_agreements",
    "endpoint",
    "move_transfer",
    "negotiation_body",
    "negotiation_counter",
    "negotiation_event",
    "negotiation_get",
    "negotiation_request",
    "negotiation_termination",
    "negotiation_verification",
    "offer",
    "pid",
    "protocol_state",
    "request_transfer",
    "transfer_body",
    "transfer_get",
    "transfer_message",
    "transfer_request",
    "version",
]
