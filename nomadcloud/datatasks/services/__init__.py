"""Use cases for data-processing work (来数加工), one module per part: ``batches`` (create,
change, open and close), ``items`` (the items file and its import), ``work`` (joining,
assignment under a lease, answers), ``quality`` (qualification, warnings and bans),
``appeals`` (gold items appealed and decided), ``results`` (aggregation and corrections)
and ``acceptance``; ``rules`` holds the checks a draft cannot
make alone.

One function per action, called by both the pages and the API. Each validates its input
first, then changes the database in one transaction and records an audit event, so a refusal
leaves nothing half-written. Callers fetch batches, items and assignments through
``access.py``; the rules that depend on state and on who acts are checked here.

Callers import this package (``services.accept_batch(...)``); the names below are its public
face.
"""

from nomadcloud.datatasks.services._common import lease_seconds
from nomadcloud.datatasks.services.acceptance import (
    AcceptedWork,
    accept_batch,
    accepted_work,
    accepted_work_for,
    pay_owed,
)
from nomadcloud.datatasks.services.appeals import appeal_gold, decide_appeal
from nomadcloud.datatasks.services.batches import (
    TRANSITIONS,
    change_status,
    close_overdue_batches,
    create_batch,
    current_fields,
    update_batch,
)
from nomadcloud.datatasks.services.items import Upload, import_items
from nomadcloud.datatasks.services.quality import Feedback, recompute_standing
from nomadcloud.datatasks.services.results import aggregate_batch, override_result
from nomadcloud.datatasks.services.rules import clean_answer, spec_of
from nomadcloud.datatasks.services.work import (
    Submitted,
    join_batch,
    next_assignment,
    skip_assignment,
    submit_answer,
)

__all__ = [
    "TRANSITIONS",
    "AcceptedWork",
    "Feedback",
    "Submitted",
    "Upload",
    "accept_batch",
    "accepted_work",
    "accepted_work_for",
    "aggregate_batch",
    "appeal_gold",
    "change_status",
    "clean_answer",
    "close_overdue_batches",
    "create_batch",
    "current_fields",
    "decide_appeal",
    "import_items",
    "join_batch",
    "lease_seconds",
    "next_assignment",
    "override_result",
    "pay_owed",
    "recompute_standing",
    "skip_assignment",
    "spec_of",
    "submit_answer",
    "update_batch",
]
