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
BLOCKED_PAID = register(
    "datatasks.blocked_paid",
    title=_("Blocked from the data batch %(batch)s"),
    body=_(
        "Your accuracy on items with known answers was %(accuracy)s%% after %(gold)s of them, "
        "below the %(threshold)s%% this batch asks for. You can no longer work on it; the "
        "answers you gave before are kept and paid if the enterprise accepts the batch. You "
        "can appeal a known answer you think is wrong on the batch's page."
    ),
    label=_("Data work: you were blocked from a batch (earlier answers paid)"),
)
WARNING = register(
    "datatasks.warning",
    title=_("Careful on the data batch %(batch)s"),
    body=_(
        "One of your answers on an item with a known answer was not right (accuracy so far "
        "%(accuracy)s%%; the batch asks for %(threshold)s%%). A block comes only after "
        "%(misses)s misses with accuracy below the mark. The batch's page shows the expected "
        "answer and why, and lets you appeal it."
    ),
    label=_("Data work: a warning after a missed check item"),
)
APPEAL_UPHELD = register(
    "datatasks.appeal_upheld",
    title=_("Your appeal on %(batch)s was upheld"),
    body=_(
        "A reviewer upheld your appeal on the item %(item)s of %(batch)s: its known answer "
        "is corrected and your standing on the batch was computed again. %(note)s"
    ),
    label=_("Data work: your appeal was upheld"),
)
APPEAL_REJECTED = register(
    "datatasks.appeal_rejected",
    title=_("Your appeal on %(batch)s was rejected"),
    body=_(
        "A reviewer rejected your appeal on the item %(item)s of %(batch)s: the known answer "
        "stands. %(note)s"
    ),
    label=_("Data work: your appeal was rejected"),
)
APPEAL_RECEIVED = register(
    "datatasks.appeal_received",
    title=_("A worker appealed a gold item of %(batch)s"),
    body=_("A worker appealed the known answer of the item %(item)s: %(reason)s"),
    email_default=False,
    label=_("Data work: a worker appealed a gold item"),
)
