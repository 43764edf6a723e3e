"""Forms of core's own pages: objections to public notices and the holiday calendar."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class ObjectionForm(forms.Form):
    grounds = forms.CharField(
        label=_("grounds"), widget=forms.Textarea(attrs={"rows": 4}), max_length=5000
    )
    evidence = forms.CharField(
        label=_("evidence"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=5000,
        required=False,
        help_text=_("What supports the objection: documents, dates, places, links."),
    )


class DecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("no", _("Dismiss the objection")), ("yes", _("Uphold the objection"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )


class HolidayForm(forms.Form):
    date = forms.DateField(label=_("date"), widget=forms.DateInput(attrs={"type": "date"}))
    is_working_day = forms.TypedChoiceField(
        label=_("The day is"),
        choices=[("no", _("a holiday (no work)")), ("yes", _("a working day (调休)"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=80)
    name_en = forms.CharField(label=_("name (English)"), max_length=80)


class YearForm(forms.Form):
    year = forms.IntegerField(label=_("year"), min_value=2000, max_value=2100)
