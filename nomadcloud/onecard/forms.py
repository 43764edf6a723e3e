"""The applicant's form, built from the item version's JSON Schema (one field per
property: dates, integers, choices, text), and the small forms of the officers' actions."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.fields import MultilingualFormField
from nomadcloud.core.jsonsafe import JSONRefused, loads_limited
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


# --- the catalogue editor: a version of an item's guide ---------------------------------------

CONTENT_KEYS: dict[str, Any] = {
    "name": _("Name of the service"),
    "summary": _("Summary"),
    "legal_basis": _("Legal basis"),
    "process": _("How it is handled"),
    "location": _("Where"),
    "hours": _("Opening hours"),
}
REQUIRED_CONTENT = ("name", "summary", "legal_basis")
CHANNELS = {"online": _("Online"), "window": _("At the window"), "phone": _("By phone")}


class JsonListField(forms.CharField):
    """A JSON list (materials, conditions) or object (the form's schema) in a textarea."""

    def __init__(self, *, kind: type, **kwargs: Any) -> None:
        self.kind = kind
        super().__init__(widget=forms.Textarea({"rows": 6, "spellcheck": "false"}), **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list | dict):
            return json.dumps(value, ensure_ascii=False, indent=2)
        return value

    def clean(self, value: Any) -> Any:
        text = super().clean(value)
        if not text:
            return self.kind()
        try:
            parsed = loads_limited(text, max_bytes=100_000)
        except (ValueError, JSONRefused) as exc:
            message = _("This is not valid JSON: %(error)s") % {"error": exc}
            raise forms.ValidationError(message) from None
        if not isinstance(parsed, self.kind):
            raise forms.ValidationError(
                _("Give a JSON list.") if self.kind is list else _("Give a JSON object.")
            )
        return parsed


class VersionForm(forms.Form):
    """One version of an item's guide (办事指南): the text in every language the item has
    (zh-Hans and en required, more allowed), the time limits, fee, visits and rules."""

    legal_basis_url = forms.URLField(
        label=_("Legal basis link"), required=False, assume_scheme="https"
    )
    statutory_days = forms.IntegerField(
        label=_("Statutory time limit (working days)"), min_value=1, max_value=365
    )
    promised_days = forms.IntegerField(
        label=_("Promised time limit (working days)"), min_value=1, max_value=365
    )
    fee = forms.DecimalField(
        label=_("Fee (CNY)"), min_value=0, max_digits=12, decimal_places=2, initial=0
    )
    visits = forms.TypedChoiceField(
        label=_("Visits in person"), coerce=int, choices=[(0, "0"), (1, "1")]
    )
    four_eyes = forms.BooleanField(label=_("Approver must differ from reviewer"), required=False)
    allows_gaps = forms.BooleanField(label=_("Accept with gaps (容缺受理)"), required=False)
    channels = forms.MultipleChoiceField(
        label=_("Channels"), choices=list(CHANNELS.items()), widget=forms.CheckboxSelectMultiple
    )
    phone = forms.CharField(label=_("Consultation phone"), max_length=40, required=False)
    result_type = forms.CharField(label=_("Result type"), max_length=20)
    materials = JsonListField(label=_("Materials (JSON)"), kind=list, required=False)
    conditions = JsonListField(label=_("Conditions (JSON)"), kind=list, required=False)
    form_schema = JsonListField(label=_("Form (JSON Schema 2020-12)"), kind=dict, required=False)

    def __init__(self, *args: Any, languages: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        initial = self.initial.get("content") or {}
        for key, label in reversed(CONTENT_KEYS.items()):
            field = MultilingualFormField(
                languages=languages,
                textarea=key not in ("name", "hours"),
                required=key in REQUIRED_CONTENT,
                label=label,
            )
            field.initial = initial.get(key) or {}
            self.fields = {f"c_{key}": field, **self.fields}
            self.initial[f"c_{key}"] = initial.get(key) or {}

    def content(self) -> dict[str, Any]:
        return {
            key: self.cleaned_data[f"c_{key}"]
            for key in CONTENT_KEYS
            if self.cleaned_data.get(f"c_{key}")
        }
