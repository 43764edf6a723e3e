"""Page forms of the facts incentives records (presentation parsing only: the limits are the
drafts' in ``schemas.py``, checked again by ``draft_from_form``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import StrictDecimalField
from nomadcloud.incentives.models import Investment


class InvestmentForm(forms.Form):
    invested_on = forms.DateField(
        label=_("invested on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount = StrictDecimalField(label=_("amount (CNY)"))
    category = forms.ChoiceField(label=_("category"), choices=Investment.Category.choices)
    description = forms.CharField(label=_("description"), max_length=500)
    evidence = forms.FileField(
        label=_("evidence (contract, invoice, acceptance report)"), required=False
    )


class ConferenceForm(forms.Form):
    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("title (English)"), max_length=200)
    starts_on = forms.DateField(
        label=_("starts on"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ends_on = forms.DateField(label=_("ends on"), widget=forms.DateInput(attrs={"type": "date"}))
    venue = forms.CharField(label=_("venue (community or hall in the zone)"), max_length=200)
    participants = forms.IntegerField(label=_("participants (declared)"), min_value=1)
    international = forms.BooleanField(label=_("international event"), required=False)
    evidence = forms.FileField(
        label=_("evidence of attendance (sign-in list, check-in export)"), required=False
    )
