"""Use cases for remote orders, one module per part: ``creation`` (create, directly or from a
demand, and edit), ``market`` (open, apply, withdraw, assign), ``delivery`` (start,
deliverables, deliver, revise), ``acceptance`` (by the enterprise or automatically after the
review window, and a nomad's record of accepted orders), ``money`` (settle, cancel, dispute
and decide), ``contracting`` (an order made for the nomad of an application or an
invitation), ``ratings`` (ratings and messages), ``reminders`` and ``dispatch`` (the moves
that need only a reason); ``_common`` holds what they share.

Every change of state goes through ``_common.move``, which asks the transition table
(``transitions.py``) and records an ``OrderEvent`` and an audit event in the same
transaction; a refusal raises before anything is written. Amounts are exact Decimals: the
order's total is the sum of its milestones, and settlements add up to the cent.

Callers import this package (``services.create_order(...)``); the names below are its public
face.
"""

from nomadcloud.orders.services._common import DISPUTE_RULES_VERSION, EDITABLE, RATABLE, THREAD_OPEN
from nomadcloud.orders.services.acceptance import (
    AcceptancePreview,
    AcceptedOrder,
    accept_delivery,
    accept_milestone,
    accepted_orders_for,
    auto_accept_due,
    delivered_milestone,
    preview_acceptance,
)
from nomadcloud.orders.services.contracting import contract_nomad
from nomadcloud.orders.services.creation import (
    create_order,
    current_fields,
    fields_from_demand,
    update_order,
)
from nomadcloud.orders.services.delivery import (
    add_deliverable,
    deliver,
    request_revision,
    start_work,
)
from nomadcloud.orders.services.dispatch import transition
from nomadcloud.orders.services.market import (
    apply_for_order,
    assign,
    publish_order,
    withdraw_application,
)
from nomadcloud.orders.services.money import cancel, open_dispute, resolve_dispute, settle
from nomadcloud.orders.services.ratings import post_message, rate
from nomadcloud.orders.services.reminders import send_reminders

__all__ = [
    "DISPUTE_RULES_VERSION",
    "EDITABLE",
    "RATABLE",
    "THREAD_OPEN",
    "AcceptancePreview",
    "AcceptedOrder",
    "accept_delivery",
    "accept_milestone",
    "accepted_orders_for",
    "add_deliverable",
    "apply_for_order",
    "assign",
    "auto_accept_due",
    "cancel",
    "contract_nomad",
    "create_order",
    "current_fields",
    "deliver",
    "delivered_milestone",
    "fields_from_demand",
    "open_dispute",
    "post_message",
    "preview_acceptance",
    "publish_order",
    "rate",
    "request_revision",
    "resolve_dispute",
    "send_reminders",
    "settle",
    "start_work",
    "transition",
    "update_order",
    "withdraw_application",
]
