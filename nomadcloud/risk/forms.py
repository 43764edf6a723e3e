from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class HeldDecisionForm(forms.Form):
    release = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Release: credit the work units")), ("0", _("Cancel: never credit them"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason"), max_length=2000, widget=forms.Textarea)
