"""The kinds of notification the orders app sends (imported by the app's ``ready()``)."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

register(
    "orders.applied",
    title=_("New application: %(order)s"),
    body=_("%(nomad)s applied for the order %(order)s."),
    label=_("Orders: someone applied for your order"),
)
register(
    "orders.assigned",
    title=_("The order is yours: %(order)s"),
    body=_("%(organisation)s assigned the order %(order)s to you. Start work when you are ready."),
    label=_("Orders: an order was assigned to you"),
)
register(
    "orders.declined",
    title=_("Not selected: %(order)s"),
    body=_("%(organisation)s chose another applicant for the order %(order)s."),
    label=_("Orders: your application was not selected"),
)
register(
    "orders.delivered",
    title=_("Work delivered: %(order)s"),
    body=_(
        "%(nomad)s delivered work on %(order)s. Accept it or ask for a revision within "
        "%(days)s days; after that it is accepted automatically."
    ),
    label=_("Orders: work was delivered to you"),
)
register(
    "orders.revision",
    title=_("Revision requested: %(order)s"),
    body=_("%(organisation)s asks for a revision of %(order)s: %(reason)s"),
    label=_("Orders: a revision was requested"),
)
register(
    "orders.accepted",
    title=_("Work accepted: %(order)s"),
    body=_(
        "Your work on %(order)s was accepted. The skills it shows are now on your profile as "
        "verified work."
    ),
    label=_("Orders: your work was accepted"),
)
register(
    "orders.auto_accepted",
    title=_("Accepted automatically: %(order)s"),
    body=_(
        "The review window of %(days)s days for %(order)s has passed, so the delivered work "
        "is accepted."
    ),
    label=_("Orders: work accepted after the review window"),
)
register(
    "orders.milestone_accepted",
    title=_("Milestone accepted: %(order)s"),
    body=_(
        "%(organisation)s accepted the milestone “%(milestone)s” of %(order)s: %(amount)s is "
        "owed to you and a proof of work is issued for it. Go on with the next milestone."
    ),
    label=_("Orders: a milestone of your work was accepted"),
)
register(
    "orders.milestone_auto_accepted",
    title=_("Milestone accepted automatically: %(order)s"),
    body=_(
        "The review window of %(days)s days for the milestone “%(milestone)s” of %(order)s "
        "has passed, so it is accepted (%(amount)s)."
    ),
    label=_("Orders: a milestone accepted after the review window"),
)
register(
    "orders.settled",
    title=_("Settlement recorded: %(order)s"),
    body=_("The settlement of %(order)s records %(to_nomad)s owed to the nomad."),
    label=_("Orders: a settlement was recorded"),
)
register(
    "orders.cancelled",
    title=_("Order cancelled: %(order)s"),
    body=_("%(organisation)s cancelled the order %(order)s: %(reason)s"),
    label=_("Orders: an order was cancelled"),
)
register(
    "orders.disputed",
    title=_("Dispute opened: %(order)s"),
    body=_("%(party)s opened a dispute on %(order)s: %(reason)s"),
    label=_("Orders: a dispute was opened"),
)
register(
    "orders.resolved",
    title=_("Dispute decided: %(order)s"),
    body=_(
        "The zone operator decided the dispute on %(order)s: %(to_nomad)s to the nomad, "
        "%(to_enterprise)s back to the enterprise. Reasons: %(reason)s"
    ),
    label=_("Orders: a dispute was decided"),
)
register(
    "orders.message",
    title=_("New message: %(order)s"),
    body=_("%(author)s wrote: %(excerpt)s"),
    label=_("Orders: a new message in an order's thread"),
)
register(
    "orders.due_soon",
    title=_("Milestone due soon: %(milestone)s"),
    body=_("The milestone %(milestone)s of %(order)s is due on %(due)s."),
    label=_("Orders: a milestone is due soon"),
)
register(
    "orders.overdue",
    title=_("Milestone overdue: %(milestone)s"),
    body=_("The milestone %(milestone)s of %(order)s was due on %(due)s and is not delivered."),
    label=_("Orders: a milestone is overdue"),
)
register(
    "orders.conversion",
    title=_("Conversion recorded: %(kind)s"),
    body=_("%(organisation)s recorded a conversion with you: %(kind)s from %(date)s."),
    label=_("Conversions: a conversion was recorded with you"),
)
