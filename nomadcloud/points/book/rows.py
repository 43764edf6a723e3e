"""Conversions between the database's rows (``points.models``) and the ledger core's values,
and transfer requests to and from JSON (as ``Transfer.request`` keeps them). Used by
``DatabaseStore`` (store.py) and the raw SQL of its transfer path (sql.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from nomadcloud.points import models as m
from nomadcloud.points.ledger import (
    Account,
    AccountFlags,
    Asset,
    ExpiryRule,
    Hold,
    HoldStatus,
    Kind,
    Lot,
    Transfer,
    TransferRequest,
)
from nomadcloud.points.ledger.model import Allocation

BALANCES = ("debits_pending", "debits_posted", "credits_pending", "credits_posted")
FLAG_COLUMNS = (
    (AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS, "debits_must_not_exceed_credits"),
    (AccountFlags.CREDITS_MUST_NOT_EXCEED_DEBITS, "credits_must_not_exceed_debits"),
    (AccountFlags.LOTS, "lots"),
    (AccountFlags.CLOSED, "closed"),
)


# ---- conversions ------------------------------------------------------------------------


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def request_to_json(r: TransferRequest) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind.value,
        "debit_account": r.debit_account,
        "credit_account": r.credit_account,
        "amount": r.amount,
        "asset": r.asset,
        "pending_id": r.pending_id,
        "reverses": r.reverses,
        "timeout": r.timeout,
        "lot_expires_at": r.lot_expires_at.isoformat() if r.lot_expires_at else None,
        "linked": r.linked,
        "code": r.code,
        "reference": r.reference,
    }


def request_from_json(d: dict[str, Any]) -> TransferRequest:
    return TransferRequest(
        id=d["id"],
        kind=Kind(d["kind"]),
        debit_account=d["debit_account"],
        credit_account=d["credit_account"],
        amount=d["amount"],
        asset=d["asset"],
        pending_id=d["pending_id"],
        reverses=d["reverses"],
        timeout=d["timeout"],
        lot_expires_at=_dt(d["lot_expires_at"]),
        linked=d["linked"],
        code=d["code"],
        reference=d["reference"],
    )


def allocation_of(value: Any) -> Allocation:
    return tuple((str(lot), int(n)) for lot, n in value)


def asset_of(row: m.Asset) -> Asset:
    at_end_of: Any = row.expiry_at_end_of or None
    return Asset(
        code=row.code,
        scale=row.scale,
        max_amount=row.max_amount,
        expiry=ExpiryRule(row.expiry_months, row.expiry_days, at_end_of),
        shards=row.shards,
    )


def _combine(bits: tuple[bool, bool, bool, bool]) -> AccountFlags:
    flags = AccountFlags.NONE
    for (flag, _column), on in zip(FLAG_COLUMNS, bits, strict=True):
        if on:
            flags |= flag
    return flags


_FLAG_SETS = {
    bits: _combine(bits)
    for bits in (
        (a, b, c, d)
        for a in (False, True)
        for b in (False, True)
        for c in (False, True)
        for d in (False, True)
    )
}


def flags_of(must_not_be_negative: Any, must_not_be_positive: Any, lots: Any, closed: Any) -> Any:
    """The flags of the four boolean columns (looked up: combining Flags is slow)."""
    return _FLAG_SETS[
        (bool(must_not_be_negative), bool(must_not_be_positive), bool(lots), bool(closed))
    ]


def account_of(row: m.Account) -> Account:
    return Account(
        id=row.id,
        asset=row.asset_id,
        holder=row.holder,
        flags=flags_of(
            row.debits_must_not_exceed_credits,
            row.credits_must_not_exceed_debits,
            row.lots,
            row.closed,
        ),
        system_role=row.system_role,
        debits_pending=row.debits_pending,
        debits_posted=row.debits_posted,
        credits_pending=row.credits_pending,
        credits_posted=row.credits_posted,
    )


def transfer_of(row: m.Transfer) -> Transfer:
    return Transfer(
        id=row.tid,
        kind=Kind(row.kind),
        debit_account=row.debit_account_id,
        credit_account=row.credit_account_id,
        asset=row.asset_id,
        amount=row.amount,
        timestamp=row.timestamp,
        request=request_from_json(row.request),
        pending_id=row.pending_id,
        reverses=row.reverses,
        expires_at=row.expires_at,
        lot_id=row.lot_id,
        allocation=allocation_of(row.allocation),
        code=row.code,
        reference=row.reference,
    )


def hold_of(row: m.Hold) -> Hold:
    return Hold(
        id=row.id,
        debit_account=row.debit_account_id,
        credit_account=row.credit_account_id,
        asset=row.asset_id,
        amount=row.amount,
        expires_at=row.expires_at,
        reservation=allocation_of(row.reservation),
        lot_expires_at=row.lot_expires_at,
        status=HoldStatus(row.status),
        posted_amount=row.posted_amount,
        resolved_by=row.resolved_by,
    )


def lot_of(row: m.Lot) -> Lot:
    return Lot(
        id=row.id,
        account=row.account_id,
        asset=row.asset_id,
        amount=row.amount,
        remaining=row.remaining,
        created_at=row.created_at,
        expires_at=row.expires_at,
        expired_count=row.expired_count,
    )
