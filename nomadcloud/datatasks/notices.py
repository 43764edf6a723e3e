"""The kinds of notification data-processing work sends (imported by the app's ``ready()``)."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

BLOCKED = register(
    "datatasks.blocked",
    title=_("Blocked from the data batch %(batch)s"),
    body=_(
        "Your accuracy on items with known answers was %(accuracy)s%% after %(gold)s of them, "
        "below the %(threshold)s%% this batch asks for. You can no longer work on it, and "
        "your answers on it will not be used or paid."
    ),
    label=_("Data work: you were blocked from a batch"),
)
QUALIFICATION = register(
    "datatasks.qualification",
    title=_("Qualification test of %(batch)s: %(outcome)s"),
    body=_(
        "You scored %(accuracy)s%% on the qualification test of %(batch)s; it asks for "
        "%(threshold)s%%."
    ),
    email_default=False,
    label=_("Data work: the result of a qualification test"),
)
ACCEPTED = register(
    "datatasks.accepted",
    title=_("Your data work on %(batch)s was accepted"),
    body=_(
        "%(enterprise)s accepted %(items)s of your answers on %(batch)s. Pay owed: "
        "%(amount)s. The skills this work shows are now on your profile as verified work."
    ),
    label=_("Data work: your work was accepted"),
)
