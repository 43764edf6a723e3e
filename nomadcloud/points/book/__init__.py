"""The zone's chart of accounts on the ledger: which assets exist, how holder and merchant
accounts are named, and opening them on first use. Everything in the points app that needs
an account id asks here, so the naming lives in one place.

- ``WU``: work units, issued with proofs of work (scale 2: 1250 reads 12.50), never expire.
- ``ZP``: the zone's unified points (scale 0); lots expire by the programme's rules.
- A scenario that runs its own points has its own asset (code ``S-<SCENARIO>``).

Account ids: ``u:<person public id>:<asset>`` for a person (keeps lots),
``o:<organisation public id>:<asset>`` for a merchant (must not go negative, no lots: a
refund's reversal gives the person back the lots the payment took).
"""

from __future__ import annotations

from typing import Any

from nomadcloud.points import models as m
from nomadcloud.points.book.store import DatabaseLedger
from nomadcloud.points.ledger import AccountFlags, Asset, ExpiryRule

WORK_UNITS = "WU"
WORK_UNIT_SCALE = 2
ZONE_POINTS = "ZP"

HOLDER_FLAGS = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.LOTS
MERCHANT_FLAGS = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS

BUILT_IN_ASSETS = (
    Asset(WORK_UNITS, scale=WORK_UNIT_SCALE, max_amount=10**11),
    Asset(ZONE_POINTS, scale=0, max_amount=10**9, expiry=ExpiryRule(months=12, at_end_of="month")),
)


def ledger() -> DatabaseLedger:
    return DatabaseLedger()


def ensure_assets() -> None:
    """Define the built-in assets (idempotent; run by the data migration and the demo)."""
    book = ledger()
    for asset in BUILT_IN_ASSETS:
        if not m.Asset.objects.filter(code=asset.code).exists():
            book.create_asset(asset)


def scenario_asset_code(scenario_code: str) -> str:
    return "S-" + scenario_code.upper()


def person_account(user: Any, asset: str) -> str:
    """The person's account in ``asset``, opened on first use."""
    account_id = f"u:{user.public_id.hex}:{asset}"
    if not m.Account.objects.filter(pk=account_id).exists():
        ledger().open_account(
            account_id, asset, holder=f"u:{user.public_id.hex}", flags=HOLDER_FLAGS
        )
    return account_id


def organisation_account(organisation: Any, asset: str) -> str:
    """A merchant organisation's account in ``asset``, opened on first use."""
    account_id = f"o:{organisation.public_id.hex}:{asset}"
    if not m.Account.objects.filter(pk=account_id).exists():
        ledger().open_account(
            account_id, asset, holder=f"o:{organisation.public_id.hex}", flags=MERCHANT_FLAGS
        )
    return account_id


def person_holder(user: Any) -> str:
    return f"u:{user.public_id.hex}"


def organisation_holder(organisation: Any) -> str:
    return f"o:{organisation.public_id.hex}"
