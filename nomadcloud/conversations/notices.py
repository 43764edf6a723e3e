"""The kinds of notification conversations send (imported by the app's ``ready()``)."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

OPENED = register(
    "conversations.opened",
    title=_("%(nomad)s accepted your invitation: %(demand)s"),
    body=_("%(nomad)s accepted the invitation to %(demand)s; a conversation is open."),
    label=_("Conversations: a nomad accepts your invitation"),
)
MESSAGE = register(
    "conversations.message",
    title=_("New message about %(demand)s"),
    body=_("%(author)s wrote about %(demand)s."),
    label=_("Conversations: a new message"),
)
