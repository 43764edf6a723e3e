"""The applicant's form, built from the item version's JSON Schema (one field per
property: dates, integers, choices, text), and the small forms of the officers' actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.onecard.models import Rating

LABELS: dict[str, Any] = {
    "passport_number": _("Passport number"),
    "stay_from": _("Stay from"),
    "stay_until": _("Stay until"),
    "stay_months": _("Length of stay (months)"),
    "purpose": _("Purpose of the stay"),
    "employer": _("Employer or client"),
    "permit_from": _("Permit from"),
    "permit_until": _("Permit until"),
    "address": _("Address of the stay"),
    "arrived_on": _("Arrived on"),
    "leaving_on": _("Leaving on"),
    "household_size": _("People in the household"),
    "move_in": _("Wished move-in date"),
    "field_of_work": _("Field of work"),
    "space_name": _("Name of the space"),
    "area_m2": _("Area (m²)"),
    "event_name": _("Name of the event"),
    "held_on": _("Held on"),
    "participants": _("Participants"),
    "kind": _("What you need"),
    "year": _("Year"),
    "certificate_code": _("Certificate code"),
}


class AnswersForm(forms.Form):
    """Every field optional here: a draft saves what is there; the service checks the
    whole form against the schema at submit."""

    def __init__(self, schema: dict[str, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, spec in (schema or {}).get("properties", {}).items():
            label = LABELS.get(name, name.replace("_", " ").capitalize())
            if "enum" in spec:
                choices = [("", "—"), *[(str(v), str(v)) for v in spec["enum"]]]
                field: forms.Field = forms.ChoiceField(label=label, choices=choices, required=False)
            elif spec.get("type") == "integer":
                field = forms.IntegerField(label=label, required=False)
            elif spec.get("format") == "date":
                field = forms.DateField(
                    label=label, required=False, widget=forms.DateInput(attrs={"type": "date"})
                )
            else:
                field = forms.CharField(label=label, required=False, max_length=2000)
            self.fields[name] = field

    def answers(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name, value in self.cleaned_data.items():
            if value is None or value == "":
                out[name] = None
            elif hasattr(value, "isoformat"):
                out[name] = value.isoformat()
            else:
                out[name] = value
        return out


class MaterialForm(forms.Form):
    code = forms.CharField(max_length=40, widget=forms.HiddenInput)
    file = forms.FileField(label=_("File"), required=False)


class RatingForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("How satisfied are you?"),
        choices=Rating.Level.choices,
        coerce=int,
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
