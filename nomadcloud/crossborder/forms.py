"""Page forms: they only parse text into values; the limits are the drafts' (decision 0010)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.consent import dpv
from nomadcloud.crossborder import negative_list, procedure
from nomadcloud.crossborder.models import Obligation
from nomadcloud.crossborder.schemas import countries


def _country_choices() -> list[tuple[str, str]]:
    from django.utils import translation

    names = countries(translation.get_language() or "en")
    return [
        ("", "—"),
        *((code, f"{name} ({code})") for code, name in names.items() if code != "CN"),
    ]


class RequestForm(forms.Form):
    recipient_name = forms.CharField(label=_("Recipient abroad"))
    recipient_country = forms.ChoiceField(label=_("Recipient's country"), choices=_country_choices)
    purpose = forms.ChoiceField(label=_("Purpose"), choices=list(dpv.PURPOSES.items()))
    data_categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=list(dpv.DATA_CATEGORIES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    scenario = forms.ChoiceField(label=_("Scenario"), choices=list(procedure.SCENARIOS.items()))
    pi_count = forms.IntegerField(label=_("People whose personal information is sent"))
    sensitive_count = forms.IntegerField(
        label=_("Of them, people whose sensitive information is sent")
    )
    is_ciio = forms.BooleanField(
        label=_("We are a critical information infrastructure operator"), required=False
    )
    in_ftz = forms.BooleanField(
        label=_("We are registered in the Hainan free-trade port"), required=False
    )
    ftz_entry = forms.ChoiceField(
        label=_("Negative-list entry the data matches"),
        choices=lambda: [("", _("None: the data matches no entry")), *negative_list.choices()],
        required=False,
    )
    is_important_data = forms.BooleanField(
        label=_("Important data (notified or in a sector catalogue)"), required=False
    )
    is_core_data = forms.BooleanField(label=_("Core data (核心数据)"), required=False)
    automotive = forms.BooleanField(label=_("Automotive data"), required=False)
    vehicle_flow_data = forms.BooleanField(
        label=_("Vehicle-flow or logistics data"), required=False
    )
    returned_abroad = forms.BooleanField(
        label=_("Collected abroad and sent back, nothing domestic added"), required=False
    )
    chosen_route = forms.ChoiceField(
        label=_("If a contract or certification is needed"),
        choices=[("", _("standard contract")), ("certification", _("certification"))],
        required=False,
    )


class EvidenceForm(forms.Form):
    kind = forms.ChoiceField(choices=Obligation.Kind.choices)
    reference = forms.CharField(label=_("Reference"), required=False)
    valid_until = forms.DateField(
        label=_("Valid until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


class ReviewForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("1", _("Approve: add to the whitelist")), ("0", _("Return for correction"))],
        coerce=lambda v: v == "1",
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    volume_cap = forms.IntegerField(label=_("People at most (empty: as assessed)"), required=False)


class TransferForm(forms.Form):
    pi_count = forms.IntegerField(label=_("People"))
    sensitive_count = forms.IntegerField(label=_("Of them, sensitive"))
    purpose = forms.ChoiceField(label=_("Purpose"), choices=list(dpv.PURPOSES.items()))
    data_categories = forms.MultipleChoiceField(
        label=_("Data categories"),
        choices=list(dpv.DATA_CATEGORIES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    recipient_name = forms.CharField(label=_("Recipient"))
