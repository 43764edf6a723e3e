"""Per-request facts (request id, channel) that the audit log and the logs pick up.

Kept in context variables so services need not pass them around; outside a request (commands,
workers) the defaults apply.
"""

from __future__ import annotations

import contextvars
import uuid

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
channel_var: contextvars.ContextVar[str] = contextvars.ContextVar("channel", default="system")


def new_request_id() -> str:
    return uuid.uuid4().hex


def current_request_id() -> str:
    return request_id_var.get()


def current_channel() -> str:
    return channel_var.get()
