"""Forms of the wallet page: the exchange (preview, then confirm) and the statement month.
They parse input; the services decide (their errors are shown on the fields)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import StrictDecimalField
from nomadcloud.points.programme.forms import scenario_choices


class ExchangeForm(forms.Form):
    scenario = forms.ChoiceField(label=_("Consumption scenario"))
    work_units = StrictDecimalField(
        label=_("Work units to exchange"),
        max_digits=15,
        decimal_places=2,
        min_value=Decimal("0.01"),
        widget=forms.NumberInput(attrs={"step": "0.01", "inputmode": "decimal"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = scenario_choices()  # type: ignore[attr-defined]


class ConfirmExchangeForm(ExchangeForm):
    key = forms.RegexField(regex=r"^[A-Za-z0-9._-]{1,64}$", widget=forms.HiddenInput)
    rate = forms.IntegerField(widget=forms.HiddenInput)


class MonthForm(forms.Form):
    month = forms.RegexField(
        label=_("Month"),
        regex=r"^\d{4}-\d{2}$",
        required=False,
        widget=forms.TextInput(attrs={"type": "month"}),
    )
