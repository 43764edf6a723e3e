"""The notification kinds supervision sends (imported by the app's ``ready()``): each 督办单
reaches every member of its lead unit as a notification, one kind per colour so that the
reader sees the urgency in words in their own language."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import Kind, register

RED = register(
    "supervision.notice_red",
    title=_("Overdue: plan task %(code)s"),
    body=_(
        "Plan task %(code)s “%(title)s”, which your unit leads, is past its due date "
        "%(due)s. Report its progress by %(respond_by)s."
    ),
    label=_("Supervision: a task your unit leads is overdue"),
)
YELLOW = register(
    "supervision.notice_yellow",
    title=_("Behind schedule: plan task %(code)s"),
    body=_(
        "Plan task %(code)s “%(title)s”, which your unit leads, is behind its scheduled "
        "progress. Report its progress by %(respond_by)s."
    ),
    label=_("Supervision: a task your unit leads is behind schedule"),
)
BLUE = register(
    "supervision.notice_blue",
    title=_("Due soon: plan task %(code)s"),
    body=_(
        "Plan task %(code)s “%(title)s”, which your unit leads, is due on %(due)s. Report "
        "its progress by %(respond_by)s."
    ),
    label=_("Supervision: a task your unit leads is due soon"),
)


UNACKNOWLEDGED = register(
    "supervision.notice_unacknowledged",
    title=_("Not acknowledged: plan task %(code)s"),
    body=_(
        "Plan task %(code)s “%(title)s” was assigned to your unit, which had to acknowledge "
        "it (签收) by %(due)s. Acknowledge it by %(respond_by)s."
    ),
    label=_("Supervision: your unit has not acknowledged a task in time"),
)
ACK_REMINDER = register(
    "supervision.acknowledge_reminder",
    title=_("Please acknowledge plan task %(code)s"),
    body=_(
        "Plan task %(code)s “%(title)s” was assigned to your unit. Acknowledge it (签收) by "
        "%(due)s."
    ),
    label=_("Supervision: a task assigned to your unit waits for its acknowledgement"),
)
BY_COLOUR: dict[str, Kind] = {"red": RED, "yellow": YELLOW, "blue": BLUE}
