"""The payment adapter seam: how a payout order reaches a bank. The adapter in use is named
by the ``PAYMENT_ADAPTER`` setting (a dotted path to a class); the default is the fake bank
below, used by tests and the demo. A real adapter (a bank's corporate payment API) answers
the same way: accepted with the bank's order number, or rejected with its error. It never
reports money as paid: the bank's later statement or callback does, through
``services.mark_paid``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from django.conf import settings
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class PaymentOrder:
    payout_id: str  # the payout's public id: the bank's idempotency key
    attempt: int
    payee_kind: str
    payee_id: str
    amount: Decimal


@dataclass(frozen=True)
class SendResult:
    accepted: bool
    bank_order: str = ""
    error: str = ""


class PaymentAdapter(Protocol):
    def send(self, order: PaymentOrder) -> SendResult: ...


class FakeBank:
    """Accepts every order, except to payees whose id starts with ``reject-`` (so tests and
    the demo can show a failure). Orders it was sent are kept in ``sent`` (class-wide, for
    tests). The order number is derived from the payout and attempt, so it is stable."""

    sent: list[PaymentOrder] = []

    def send(self, order: PaymentOrder) -> SendResult:
        FakeBank.sent.append(order)
        if order.payee_id.startswith("reject-"):
            return SendResult(accepted=False, error="FAKE-BANK: payee account closed")
        digest = hashlib.sha256(f"{order.payout_id}:{order.attempt}".encode()).hexdigest()
        return SendResult(accepted=True, bank_order=f"FAKE-{digest[:16].upper()}")


def adapter() -> PaymentAdapter:
    path = getattr(settings, "PAYMENT_ADAPTER", "nomadcloud.payouts.adapters.FakeBank")
    adapter_class = import_string(path)
    instance: PaymentAdapter = adapter_class()
    return instance
