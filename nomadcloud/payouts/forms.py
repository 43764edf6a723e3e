from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.payouts.models import Payout


class MoveForm(forms.Form):
    action = forms.ChoiceField(
        choices=[
            (a, a) for a in ("schedule", "send", "mark_paid", "confirm", "fail", "retry", "reverse")
        ]
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=500)
    external_reference = forms.CharField(label=_("Bank reference"), required=False, max_length=100)
    scheduled_for = forms.DateField(label=_("Pay on"), required=False)


class StatusFilter(forms.Form):
    status = forms.ChoiceField(
        required=False, choices=[("", _("All")), *list(Payout.Status.choices)]
    )
