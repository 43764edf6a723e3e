"""RFC 3339 timestamps, parsed strictly (section 5.6), for the proof's ``created`` and a
credential's ``validFrom`` / ``validUntil``.

``date-time = full-date "T" full-time``: a four-digit year, a month 01–12, a day that exists
in that month (``2024-02-30`` is refused, ``2024-02-29`` taken), hours 00–23, minutes 00–59,
seconds 00–59 (60 only for a leap second, i.e. at 23:59:60 UTC), an optional fraction, and
``Z`` or a ``±hh:mm`` offset (hours 00–23). ``T`` and ``Z`` may be lower case (the ABNF is
case-insensitive). Not accepted: ``24:00:00`` (ISO 8601 and XML Schema allow it for the end of
a day; RFC 3339's ``time-hour`` is 00–23, decision 0019), a missing offset, a space for ``T``,
week or ordinal dates.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone

_DATE_TIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))\Z",
    re.ASCII,
)


def parse(value: object) -> datetime | None:
    """The aware datetime ``value`` names, or None when it is not an RFC 3339 date-time.
    A leap second (``23:59:60Z``) is read as 23:59:59.999999 of that day. Never raises."""
    if not isinstance(value, str) or len(value) > 64:
        return None
    match = _DATE_TIME.match(value)
    if match is None:
        return None
    year, month, day, hour, minute, second = (int(match.group(i)) for i in range(1, 7))
    fraction = match.group(7)
    if match.group(8):
        offset = timedelta(0)
    else:
        off_hours, off_minutes = int(match.group(10)), int(match.group(11))
        if off_hours > 23 or off_minutes > 59:
            return None
        offset = timedelta(hours=off_hours, minutes=off_minutes)
        if match.group(9) == "-":
            offset = -offset
    if hour > 23 or minute > 59 or second > 60:
        return None
    leap = second == 60
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    try:
        moment = datetime(
            year, month, day, hour, minute, 59 if leap else second, micro, timezone(offset)
        )
    except ValueError:  # 2024-02-30, month 13, day 00
        return None
    if leap:
        utc = moment.astimezone(UTC)
        if (utc.hour, utc.minute) != (23, 59):
            return None  # a leap second is inserted at the end of a UTC day only
        moment = moment.replace(microsecond=999_999)
    return moment


def is_date_time(value: object) -> bool:
    return parse(value) is not None
