"""Forms of the operator's proofs page: revoke a credential, register an external key."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.proofs.models import ExternalKey


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )


class ExternalKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        help_text=_("As in the key's signed-note name, e.g. witness.example.org"),
    )
    purpose = forms.ChoiceField(label=_("Purpose"), choices=ExternalKey.Purpose.choices)
    public_key = forms.CharField(
        label=_("Public key"),
        max_length=200,
        help_text=_(
            "A Multikey (z6Mk…), a signed-note verifier key (name+id+key) or 64 hex digits."
        ),
    )
