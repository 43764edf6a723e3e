"""Page forms of teams: they only parse; limits come from the drafts (decision 0010)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import html_limits
from nomadcloud.teams.models import Team
from nomadcloud.teams.schemas import InvitationDraft, TeamDraft


class TeamForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Team.Kind.choices)
    name = forms.CharField(
        label=_("name"), widget=forms.TextInput(attrs=html_limits(TeamDraft, "name"))
    )
    credit_code = forms.CharField(
        label=_("unified social credit code"),
        required=False,
        help_text=_("Required for a studio; a challenge may require one of any team."),
    )


class InvitationForm(forms.Form):
    email = forms.EmailField(
        label=_("e-mail address"),
        widget=forms.EmailInput(attrs=html_limits(InvitationDraft, "email")),
    )
    role = forms.ChoiceField(
        label=_("role"), choices=[("member", _("Member")), ("adviser", _("Adviser"))]
    )


class AnswerForm(forms.Form):
    accept = forms.TypedChoiceField(
        label=_("answer"),
        choices=[("yes", _("Accept")), ("no", _("Decline"))],
        coerce=lambda v: v == "yes",
    )
    consent = forms.BooleanField(
        label=_("I agree to take part and to be named in the team's applications."),
        required=False,
    )
