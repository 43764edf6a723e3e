"""The kinds of notification demands sends about applications (imported by ``ready()``)."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

APPLICATION_RECEIVED = register(
    "demands.application_received",
    title=_("New application: %(demand)s"),
    body=_("%(nomad)s applied to %(demand)s."),
    label=_("Demands: a nomad applies to your demand"),
)
APPLICATION_SHORTLISTED = register(
    "demands.application_shortlisted",
    title=_("You are shortlisted: %(demand)s"),
    body=_("%(organisation)s shortlisted your application to %(demand)s; a conversation is open."),
    label=_("Demands: your application is shortlisted"),
)
APPLICATION_DECLINED = register(
    "demands.application_declined",
    title=_("Application declined: %(demand)s"),
    body=_("%(organisation)s declined your application to %(demand)s."),
    label=_("Demands: your application is declined"),
)
APPLICATION_WITHDRAWN = register(
    "demands.application_withdrawn",
    title=_("Application withdrawn: %(demand)s"),
    body=_("%(nomad)s withdrew their application to %(demand)s."),
    label=_("Demands: a nomad withdraws an application"),
)
APPLICATION_ORDERED = register(
    "demands.application_ordered",
    title=_("An order for you: %(demand)s"),
    body=_("%(organisation)s turned your application to %(demand)s into an order."),
    label=_("Demands: your application becomes an order"),
)
