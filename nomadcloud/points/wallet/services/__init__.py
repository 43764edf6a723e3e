"""Work units from proofs of work, and their exchange (互换) for the points of a scenario.

**Work units.** When proof-of-work credentials are issued (``proofs.events.credentials_issued``,
inside the issuing transaction) the work units each carries arrive as typed values
(``WorkUnitsEarned``: holder, credential id, ``Decimal`` units; docs/decisions/0005) and are
credited, in hundredths, to the nomad's ``WU`` account from a shard of the ``WU`` issuance
account: transfer ``pow:<credential uuid>`` (idempotent), reason ``proof_of_work``,
reference the credential id. No credential is parsed. When one is revoked
(``credential_revoked``), what is still in the account is taken back by a reversal
``pow-revoked:<uuid>`` — at most the amount credited — and what has already been exchanged is
recorded as the credit's ``shortfall``, listed on the operator's page. Exchanged points are not
taken back: they may already be spent.

**Exchange.** ``exchange`` debits work units and credits points at the rate in force, in one
linked chain: ``x:<person>:<key>:wu`` (WU → the exchange account), ``…:pts`` (issuance → the
person) and, with a campaign, ``…:bonus``. All apply or none. Points are ``floor(work units ×
rate)`` in the asset's smallest unit; a percentage bonus is ``floor(points × percent / 100)``.
With a lock period the points are credited as a pending transfer (a hold with no timeout):
they count in no balance until the release job posts it, and they form their lot then, with
the expiry computed at the exchange.
"""

from .base import KEY_PATTERN, WU, WU_SCALE, ledger
from .exchanges import check_key, exchange, exchanges_of, transfer_ids
from .jobs import release_locked, run_jobs
from .quotes import (
    PERIODS,
    CapLine,
    Quote,
    available_work_units,
    earned,
    parse_work_units,
    period_label,
    period_start,
    points_for,
    quote,
)
from .workunits import (
    credit_work_units,
    hundredths,
    on_credential_revoked,
    on_credentials_issued,
    on_issuance_released,
    reclaim_work_units,
)

__all__ = [
    "KEY_PATTERN",
    "PERIODS",
    "WU",
    "WU_SCALE",
    "CapLine",
    "Quote",
    "available_work_units",
    "check_key",
    "credit_work_units",
    "earned",
    "exchange",
    "exchanges_of",
    "hundredths",
    "ledger",
    "on_credential_revoked",
    "on_credentials_issued",
    "on_issuance_released",
    "parse_work_units",
    "period_label",
    "period_start",
    "points_for",
    "quote",
    "reclaim_work_units",
    "release_locked",
    "run_jobs",
    "transfer_ids",
]
