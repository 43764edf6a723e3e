"""The kinds of notification this app sends itself (imported by the app's ``ready()``)."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

WELCOME = register(
    "notifications.welcome",
    title=_("Welcome to NomadCloud, %(name)s"),
    body=_(
        "Notifications about your training, orders and applications appear here. Choose "
        "which ones are also e-mailed to you under e-mail settings."
    ),
    email_default=False,
    label=_("Welcome message"),
)
