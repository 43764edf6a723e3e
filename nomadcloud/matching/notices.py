"""The kinds of notification matching sends (imported by the app's ``ready()``)."""

from django.utils.translation import gettext_lazy as _

from nomadcloud.notifications.kinds import register

STRONG_MATCH = register(
    "matching.strong_match",
    title=_("Work that fits you: %(demand)s"),
    body=_("%(demand)s matches your profile with %(score)s points. Have a look."),
    label=_("Matching: new work that fits your profile well"),
)
INVITED = register(
    "matching.invited",
    title=_("%(organisation)s invites you: %(demand)s"),
    body=_("%(organisation)s found you among the candidates for %(demand)s and invites you."),
    label=_("Matching: an enterprise invites you to a demand"),
)
