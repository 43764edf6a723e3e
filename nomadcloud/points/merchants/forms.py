"""Forms of the merchants' pages: the Pay page, the cashier, refunds, the operator's registry
and settlement rates. They parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from nomadcloud.points.merchants.services import payments


class CodeForm(forms.Form):
    asset = forms.CharField(max_length=128)


class CashierForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Payment code"),
        max_length=64,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "off",
                "autocapitalize": "off",
                "spellcheck": "false",
                "placeholder": "0000 0000 0000",
                "data-testid": "cashier-code",
            }
        ),
    )
    amount = forms.CharField(
        label=gettext_lazy("Amount (points)"),
        max_length=24,
        widget=forms.TextInput(
            attrs={"inputmode": "decimal", "autocomplete": "off", "data-testid": "cashier-amount"}
        ),
    )


class RefundForm(forms.Form):
    amount = forms.CharField(label=gettext_lazy("Points to refund"), max_length=24)
    reason = forms.CharField(label=gettext_lazy("Reason"), max_length=payments.MAX_REASON)
    # One key per rendering of the form: a double submission refunds once (the refund's own
    # guard, payments.refund_payment).
    request_key = forms.CharField(required=False, max_length=64, widget=forms.HiddenInput)


class RegisterForm(forms.Form):
    organisation = forms.UUIDField(label=gettext_lazy("Merchant"))
    scenario = forms.CharField(label=gettext_lazy("Scenario"), max_length=40)


class UpdateForm(forms.Form):
    scenario = forms.CharField(label=gettext_lazy("Scenario"), max_length=40)
    active = forms.BooleanField(label=gettext_lazy("Accepting points"), required=False)


class RateForm(forms.Form):
    asset = forms.CharField(label=gettext_lazy("Points"), max_length=128)
    effective_from = forms.DateField(label=gettext_lazy("In force from"))
    cny_per_point = forms.CharField(label=gettext_lazy("CNY per point"), max_length=20)
