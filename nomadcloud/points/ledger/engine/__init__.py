"""The ledger engine, in parts: ``base`` (limits, errors, allocation arithmetic),
``overlay`` (what a batch loads and the private overlay it works on), ``postings`` (how a
checked request becomes entries, lots and holds) and ``ledger`` (the public ``Ledger``)."""

from .base import ID_PATTERN, MAX_BATCH, MAX_TIMEOUT, LedgerError, system_account_id
from .ledger import Ledger

__all__ = [
    "ID_PATTERN",
    "MAX_BATCH",
    "MAX_TIMEOUT",
    "Ledger",
    "LedgerError",
    "system_account_id",
]
