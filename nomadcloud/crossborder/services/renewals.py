"""Reminding exporters of entries that expire soon."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from nomadcloud.core import workdays
from nomadcloud.crossborder import procedure
from nomadcloud.crossborder.models import (
    WhitelistEntry,
)
from nomadcloud.notifications.services import notify

from .requests import (
    _managers,
)


def remind_renewals(today: date | None = None) -> int:
    """Entries ending within the renewal window (60 working days, Order 16 art. 9) are
    marked ``renewal_due`` and their exporter's managers told, once; entries past their end
    are marked expired. How many were reminded."""
    today = today or timezone.localdate()
    WhitelistEntry.objects.filter(valid_to__lt=today).exclude(
        status=WhitelistEntry.Status.EXPIRED
    ).update(status=WhitelistEntry.Status.EXPIRED)
    window = procedure.number("renewal_notice_working_days", today)
    reminded = 0
    # 60 working days are fewer than 100 calendar days (a long holiday included).
    horizon = date.fromordinal(today.toordinal() + 100)
    candidates = WhitelistEntry.objects.filter(
        status=WhitelistEntry.Status.ACTIVE, valid_to__lte=horizon, valid_to__gte=today
    ).select_related("exporter")
    for entry in candidates:
        try:
            left = workdays.working_days_between(today, entry.valid_to)
        except workdays.CalendarNotLoaded:
            left = 0  # the calendar of the end's year is not loaded: remind now, not late
        if left > window:
            continue
        with transaction.atomic():
            changed = WhitelistEntry.objects.filter(
                pk=entry.pk, status=WhitelistEntry.Status.ACTIVE
            ).update(status=WhitelistEntry.Status.RENEWAL_DUE, reminded_on=today)
            if not changed:
                continue
            for manager in _managers(entry.exporter):
                notify(
                    manager,
                    "crossborder.renewal_due",
                    params={
                        "recipient": entry.recipient_name,
                        "valid_to": entry.valid_to.isoformat(),
                    },
                    url=f"/crossborder/entries/{entry.public_id}/",
                )
        reminded += 1
    return reminded
