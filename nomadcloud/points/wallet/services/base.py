"""The wallet's units, its key pattern, and the ledger the wallet's use cases run on."""

from __future__ import annotations

import logging
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from nomadcloud.points import book
from nomadcloud.points.book.store import DatabaseLedger

log = logging.getLogger(__name__)

WU = book.WORK_UNITS
WU_SCALE = 2
KEY_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def ledger(now: datetime | None = None) -> DatabaseLedger:
    """The ledger; with ``now`` (tests, demo) its clock is fixed there."""
    return DatabaseLedger(clock=(lambda: now) if now is not None else None)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE))
