"""The kinds of notification communities sends (imported by the app's ``ready()``); each
is rendered in the recipient's language when they read it."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

register(
    "communities.requested",
    title=_("Booking request %(code)s"),
    body=_("A guest asks for a stay at %(community)s from %(start)s. Accept or decline it."),
    label=_("Communities: a guest asked for a stay"),
)
register(
    "communities.confirmed",
    title=_("Booking confirmed: %(code)s"),
    body=_("%(community)s confirmed your stay from %(start)s. Show the booking code at check-in."),
    label=_("Communities: your booking was confirmed"),
)
register(
    "communities.declined",
    title=_("Booking declined: %(code)s"),
    body=_("%(community)s could not take your stay from %(start)s. %(reason)s"),
    label=_("Communities: your booking was declined"),
)
register(
    "communities.expired",
    title=_("Booking request expired: %(code)s"),
    body=_("%(community)s did not answer in time; nothing is held for you any more."),
    label=_("Communities: your booking request expired"),
)
register(
    "communities.cancelled",
    title=_("Booking cancelled: %(code)s"),
    body=_("Your stay at %(community)s from %(start)s was cancelled. %(reason)s"),
    label=_("Communities: your booking was cancelled"),
)
