"""The kinds of notification the one card sends (imported by the app's ``ready()``); each is
rendered in the recipient's language when they read it."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

register(
    "onecard.escalated",
    title=_("Overdue application %(reference)s"),
    body=_(
        "The application %(reference)s (%(item)s) was due on %(due)s and is not decided. "
        "As the department's supervisor, see that it is handled."
    ),
    label=_("One card: an application of your department is overdue"),
)
