"""Pages for remote orders and conversions: the market and my orders, the enterprise's
orders and the order form, each order's page (milestones, applications, deliverables, the
thread, history, dispute, settlement, ratings) with the moves the asker may make, the
operators' dispute queue, conversions with their documents, the operators' report and CSV
export. Views fetch objects through the access chokepoints, parse input with a form and call
one service."""

from __future__ import annotations

from nomadcloud.orders.views.conversions import (
    conversion_add_document,
    conversion_create,
    conversion_detail,
    conversion_document,
    conversion_export,
    conversion_list,
    conversion_report,
)
from nomadcloud.orders.views.form import (
    create,
    edit,
)
from nomadcloud.orders.views.lists import (
    order_list,
    organisation_orders,
)
from nomadcloud.orders.views.moves import (
    accept_milestone,
    add_deliverable,
    apply,
    assign,
    deliverable,
    dispute,
    disputes,
    message,
    rate,
    resolve,
    settle,
    transition,
    withdraw_application,
)
from nomadcloud.orders.views.page import (
    detail,
)

__all__ = [
    "accept_milestone",
    "add_deliverable",
    "apply",
    "assign",
    "conversion_add_document",
    "conversion_create",
    "conversion_detail",
    "conversion_document",
    "conversion_export",
    "conversion_list",
    "conversion_report",
    "create",
    "deliverable",
    "detail",
    "dispute",
    "disputes",
    "edit",
    "message",
    "order_list",
    "organisation_orders",
    "rate",
    "resolve",
    "settle",
    "transition",
    "withdraw_application",
]
