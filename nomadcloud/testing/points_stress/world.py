"""The accounts a stress run starts from: holders, merchants and the exchange, funded."""

from __future__ import annotations

from nomadcloud.testing.points_stress.model import PTS, WU, Config, holder, merchant, pts, wu

# ---- the world ----------------------------------------------------------------------------


def setup(using: str, config: Config) -> None:
    """Assets and accounts through the ledger's API; every holder gets work units (as the
    proof-of-work issue credits them)."""
    from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore
    from nomadcloud.points.ledger import (
        AccountFlags,
        Asset,
        ExpiryRule,
        Kind,
        SystemRole,
        TransferRequest,
    )

    lots = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.LOTS
    lg = DatabaseLedger(DatabaseStore(using))
    lg.create_asset(Asset(PTS, scale=2, expiry=ExpiryRule(days=365), shards=4))
    lg.create_asset(Asset(WU, scale=2, shards=4))
    for i in range(config.holders):
        lg.open_account(pts(i), PTS, holder(i), lots)
        lg.open_account(wu(i), WU, holder(i), lots)
    for j in range(config.merchants):
        lg.open_account(merchant(j), PTS, f"m{j}")
    results = lg.submit(
        [
            TransferRequest(
                f"setup-wu-{i}",
                Kind.TRANSFER,
                lg.system_account(SystemRole.ISSUANCE, WU, wu(i)),
                wu(i),
                1_000_000,
                code="proof_of_work",
            )
            for i in range(config.holders)
        ]
    )
    assert all(r.ok for r in results), results
