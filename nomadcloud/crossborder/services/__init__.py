"""Use cases of cross-border export (docs/crossborder.md): assess a request, submit
evidence, the 网信办 pre-check, log a transfer, reassess, remind renewals.

The counters: a request is decided over the exporter's year-to-date totals, read and
increased under a row lock on the exporter's counter, so that two requests filed at once
are counted one after the other and cannot both slip under a threshold. Transfers exempt by
scenario (Order 16 arts. 3–5 (a)–(e)) or by the free-trade-zone list are not counted (the
specification's "excluding exempt transfers"); those exempt under (f) are, or splitting
would avoid the threshold.
"""

from .agreements import agreement_entry, log_agreement_transfer
from .renewals import remind_renewals
from .requests import (
    CLOCK_KIND,
    OBLIGATIONS,
    UNCOUNTED,
    K,
    R,
    assess_request,
    reviewing_department,
    separate_consents,
    submit_evidence,
)
from .reviews import VALIDITY, review
from .transfers import PENDING, log_transfer, pending_reassessment, reassess

__all__ = [
    "CLOCK_KIND",
    "OBLIGATIONS",
    "PENDING",
    "UNCOUNTED",
    "VALIDITY",
    "K",
    "R",
    "agreement_entry",
    "assess_request",
    "log_agreement_transfer",
    "log_transfer",
    "pending_reassessment",
    "reassess",
    "remind_renewals",
    "review",
    "reviewing_department",
    "separate_consents",
    "submit_evidence",
]
