"""The benchmark's world and traffic: many holders with a points account that keeps lots and
a work-unit account, merchants, programmes, and random transfers between them.

- Single transfers: holder to holder, holder to merchant, work units to the (sharded)
  exchange account, points issued to a holder (the two legs of an exchange).
- Batches, as the batch endpoint carries them (``points/programme/batch.py``): a programme
  awarding points to many holders, from its own account or from the issuance account."""

from __future__ import annotations

import os
import random
from datetime import UTC, datetime, timedelta

from nomadcloud.points.ledger import (
    AccountFlags,
    Asset,
    ExpiryRule,
    Kind,
    Ledger,
    SystemRole,
    TransferRequest,
    system_account_id,
)

PTS = "PTS"
WU = "WU"
LOTS = AccountFlags.DEBITS_MUST_NOT_EXCEED_CREDITS | AccountFlags.LOTS
SHARDS = int(os.environ.get("POINTS_BENCH_SHARDS", "8"))


def holder_pts(i: int) -> str:
    return f"n{i}:{PTS}"


def holder_wu(i: int) -> str:
    return f"n{i}:{WU}"


def merchant(j: int) -> str:
    return f"m{j}:{PTS}"


PROGRAMMES = 4


def programme(k: int) -> str:
    return f"o:prog{k}:{PTS}"


def create_world(lg: Ledger, using: str, holders: int, merchants: int, *, funding: int = 3) -> None:
    """Assets, accounts (inserted in bulk: zero balances, no history) and ``funding`` lots of
    points plus one lot of work units per holder, issued through the ledger's batch path."""
    from nomadcloud.points import models as m

    lg.create_asset(
        Asset(PTS, scale=2, max_amount=10**9, expiry=ExpiryRule(months=12), shards=SHARDS)
    )
    lg.create_asset(Asset(WU, scale=0, max_amount=10**9, shards=SHARDS))
    rows = []
    for i in range(holders):
        for account, asset in ((holder_pts(i), PTS), (holder_wu(i), WU)):
            rows.append(
                m.Account(
                    id=account,
                    asset_id=asset,
                    holder=f"n{i}",
                    debits_must_not_exceed_credits=True,
                    credits_must_not_exceed_debits=False,
                    lots=True,
                    closed=False,
                )
            )
    for account in [programme(k) for k in range(PROGRAMMES)]:
        rows.append(
            m.Account(
                id=account,
                asset_id=PTS,
                holder=account.rsplit(":", 1)[0],
                debits_must_not_exceed_credits=True,
                credits_must_not_exceed_debits=False,
                lots=False,
                closed=False,
            )
        )
    for j in range(merchants):
        rows.append(
            m.Account(
                id=merchant(j),
                asset_id=PTS,
                holder=f"m{j}",
                debits_must_not_exceed_credits=True,
                credits_must_not_exceed_debits=False,
                lots=False,
                closed=False,
            )
        )
    m.Account.objects.using(using).bulk_create(rows, batch_size=2000)
    requests = [
        TransferRequest(
            f"fund-{account}",
            Kind.TRANSFER,
            lg.system_account(SystemRole.ISSUANCE, PTS, account),
            account,
            10**9,
        )
        for account in [programme(k) for k in range(PROGRAMMES)]
    ]
    for i in range(holders):
        for k in range(funding):
            requests.append(
                TransferRequest(
                    f"fund-{k}-{i}",
                    Kind.TRANSFER,
                    lg.system_account(SystemRole.ISSUANCE, PTS, holder_pts(i)),
                    holder_pts(i),
                    100_000,
                )
            )
        requests.append(
            TransferRequest(
                f"fund-wu-{i}",
                Kind.TRANSFER,
                lg.system_account(SystemRole.ISSUANCE, WU, holder_wu(i)),
                holder_wu(i),
                1_000_000,
            )
        )
    for start in range(0, len(requests), 4000):
        results = lg.submit(requests[start : start + 4000])
        assert all(r.ok for r in results), [r for r in results if not r.ok][:3]


def random_transfer(rng: random.Random, tid: str, holders: int, merchants: int) -> TransferRequest:
    """One single-transfer request of the benchmark's mix."""
    a = rng.randrange(holders)
    op = rng.random()
    if op < 0.4:
        b = rng.randrange(holders - 1)
        b += b >= a
        return TransferRequest(tid, Kind.TRANSFER, holder_pts(a), holder_pts(b), rng.randint(1, 50))
    if op < 0.6:
        j = rng.randrange(merchants)
        return TransferRequest(tid, Kind.TRANSFER, holder_pts(a), merchant(j), rng.randint(1, 50))
    if op < 0.8:
        shard = system_account_id(SystemRole.EXCHANGE, WU, rng.randrange(SHARDS))
        return TransferRequest(tid, Kind.TRANSFER, holder_wu(a), shard, rng.randint(1, 20))
    shard = system_account_id(SystemRole.ISSUANCE, PTS, rng.randrange(SHARDS))
    return TransferRequest(
        tid,
        Kind.TRANSFER,
        shard,
        holder_pts(a),
        rng.randint(1, 60),
        lot_expires_at=datetime.now(UTC) + timedelta(days=rng.randint(30, 365)),
    )


def batch_transfer(rng: random.Random, tid: str, holders: int) -> TransferRequest:
    """One request of a programme's batch: points awarded to a holder, from the programme's own
    account or issued (from a shard of the issuance account)."""
    to = holder_pts(rng.randrange(holders))
    if rng.random() < 0.5:
        source = programme(rng.randrange(PROGRAMMES))
    else:
        source = system_account_id(SystemRole.ISSUANCE, PTS, rng.randrange(SHARDS))
    return TransferRequest(tid, Kind.TRANSFER, source, to, rng.randint(1, 500), code="award")
