"""The points ledger under concurrency and crashes (docs/points.md, "Ledger performance /
stress"). Used by ``tests/test_points_stress.py`` (small) and ``benchmarks/points/stress``
(full size, ``benchmarks/points/stress_lib.py``); never imported by the product. It lives
here, not under ``benchmarks/``, because a test imports it.

Worker processes (forked, each with its own database connection) send random traffic through
``DatabaseLedger``: exchanges (a linked pair: work units to the exchange account, points
issued to the holder's lot account, some lots expiring within seconds), payments (direct, or
a hold with a timeout later posted in full or in part, or voided, or left to time out),
refunds (reversals, in part or in full), expiry runs (lots and holds), retries of their own
earlier requests — unchanged (must answer ``exists`` once applied) and with a changed amount
(must be refused, naming the field) — and requests with ids shared by all workers (the same
fields from everyone: applied at most once). The parent kills workers at random moments with
SIGKILL and starts them again; a restarted worker first re-sends what it had in flight, as a
client that lost its connection would.

Every worker journals each batch before sending it and its results after (``*.jsonl``, one
line each, appended with a single ``write``). The check then compares the database with the
journals and runs the ledger's invariants (``check_invariants``) and the same rules in SQL:
per asset the total is conserved; no constrained account is beyond its limit; every client id
is applied at most once and only as sent; every balance equals the sum of its entries; the
lots add up to the balances.

One module per part: ``model`` (Config, Report, names), ``world``, ``workers``, ``runner``
and ``checks``.
"""

from nomadcloud.testing.points_stress.checks import check, sql_violations
from nomadcloud.testing.points_stress.model import (
    CLIENT_KINDS,
    PTS,
    WU,
    Config,
    Report,
    holder,
    merchant,
    pts,
    wu,
)
from nomadcloud.testing.points_stress.runner import run
from nomadcloud.testing.points_stress.world import setup

__all__ = [
    "CLIENT_KINDS",
    "PTS",
    "WU",
    "Config",
    "Report",
    "check",
    "holder",
    "merchant",
    "pts",
    "run",
    "setup",
    "sql_violations",
    "wu",
]
