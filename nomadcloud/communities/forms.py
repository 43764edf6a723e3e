"""Page forms of communities: presentation parsing only; the limits are the drafts'
(``schemas.py``), applied by ``draft_from_form``. Multilingual content is one input per
language (Chinese and English required)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.communities.models import Amenity, Authority, Community, RatePlan, UnitType


def pair(value: dict[str, Any] | None, zh: str, en: str) -> dict[str, Any]:
    return {"zh-Hans": zh, "en": en}


class ListingForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=Community.Kind.choices)
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("name (English)"), max_length=200)
    summary_zh = forms.CharField(
        label=_("description (Chinese)"), widget=forms.Textarea, max_length=5000
    )
    summary_en = forms.CharField(
        label=_("description (English)"), widget=forms.Textarea, max_length=5000
    )
    rules_zh = forms.CharField(
        label=_("house rules (Chinese)"), widget=forms.Textarea, max_length=5000
    )
    rules_en = forms.CharField(
        label=_("house rules (English)"), widget=forms.Textarea, max_length=5000
    )
    address = forms.CharField(label=_("address"), max_length=300)
    admin_code = forms.CharField(label=_("region code (GB/T 2260)"), max_length=6)
    amenities = forms.MultipleChoiceField(
        label=_("amenities"),
        choices=Amenity.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    international_internet = forms.BooleanField(
        label=_("international internet access"), required=False
    )
    internet_mbps = forms.IntegerField(label=_("internet speed (Mbit/s)"), required=False)
    accessibility = forms.CharField(label=_("accessibility"), max_length=300, required=False)
    decision_hours = forms.IntegerField(label=_("hours to accept or decline a request"), initial=48)
    listed = forms.BooleanField(label=_("listed publicly"), required=False)

    def data_for_draft(self) -> dict[str, Any]:
        c = self.cleaned_data
        return {
            "kind": c["kind"],
            "name": pair(None, c["name_zh"], c["name_en"]),
            "summary": pair(None, c["summary_zh"], c["summary_en"]),
            "house_rules": pair(None, c["rules_zh"], c["rules_en"]),
            "address": c["address"],
            "admin_code": c["admin_code"],
            "amenities": c["amenities"],
            "international_internet": c["international_internet"],
            "internet_mbps": c["internet_mbps"],
            "accessibility": c["accessibility"],
            "decision_hours": c["decision_hours"],
            "listed": c["listed"],
        }

    @classmethod
    def initial_for(cls, community: Community) -> dict[str, Any]:
        return {
            "kind": community.kind,
            "name_zh": community.name.get("zh-Hans", ""),
            "name_en": community.name.get("en", ""),
            "summary_zh": community.summary.get("zh-Hans", ""),
            "summary_en": community.summary.get("en", ""),
            "rules_zh": community.house_rules.get("zh-Hans", ""),
            "rules_en": community.house_rules.get("en", ""),
            "address": community.address,
            "admin_code": community.admin_code,
            "amenities": community.amenities,
            "international_internet": community.international_internet,
            "internet_mbps": community.internet_mbps,
            "accessibility": community.accessibility,
            "decision_hours": community.decision_hours,
            "listed": community.listed,
        }


class UnitTypeForm(forms.Form):
    kind = forms.ChoiceField(label=_("kind"), choices=UnitType.Kind.choices)
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("name (English)"), max_length=200)
    count = forms.IntegerField(label=_("units"), min_value=1)


class UnitCountForm(forms.Form):
    count = forms.IntegerField(label=_("units"), min_value=0)
    active = forms.BooleanField(label=_("bookable"), required=False, initial=True)


class RatePlanForm(forms.Form):
    name_zh = forms.CharField(label=_("name (Chinese)"), max_length=200)
    name_en = forms.CharField(label=_("name (English)"), max_length=200)
    per = forms.ChoiceField(label=_("per"), choices=RatePlan.Per.choices)
    price = forms.CharField(label=_("price (CNY)"), max_length=20)
    min_nights = forms.IntegerField(label=_("minimum nights"), min_value=1, initial=1)


class BookingForm(forms.Form):
    unit_type = forms.CharField(widget=forms.HiddenInput)
    rate_plan = forms.CharField(label=_("rate"), widget=forms.Select)
    start = forms.DateField(label=_("arrival"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("departure"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("note to the host"), max_length=500, required=False)


class CheckInForm(forms.Form):
    code = forms.CharField(
        label=_("booking code or QR"),
        max_length=600,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class WalkInForm(forms.Form):
    guest = forms.CharField(label=_("guest's e-mail address or mobile number"), max_length=254)
    rate_plan = forms.ChoiceField(label=_("unit and rate"))
    end = forms.DateField(label=_("departure"), widget=forms.DateInput(attrs={"type": "date"}))


class ExtendForm(forms.Form):
    end = forms.DateField(label=_("new departure"), widget=forms.DateInput(attrs={"type": "date"}))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), max_length=2000, required=False)


class ReviewForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("rating"), coerce=int, choices=[(i, str(i)) for i in range(5, 0, -1)]
    )
    comment = forms.CharField(
        label=_("comment"), widget=forms.Textarea, max_length=2000, required=False
    )


class RegistrationForm(forms.Form):
    reference = forms.CharField(label=_("police reference number"), max_length=64, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("CSV file"))
    evidence_note = forms.CharField(label=_("evidence"), max_length=500)


class EventForm(forms.Form):
    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("title (English)"), max_length=200)
    starts_at = forms.DateTimeField(
        label=_("starts"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label=_("ends"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    weekly_count = forms.IntegerField(label=_("repeat weekly (times)"), min_value=1, initial=1)


class VisitsForm(forms.Form):
    start = forms.DateField(label=_("from"), widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))


class FeedForm(forms.Form):
    """An external channel's (OTA's) calendar feed for one unit type."""

    unit_type = forms.ModelChoiceField(
        label=_("unit type"), queryset=UnitType.objects.none(), to_field_name="public_id"
    )
    name = forms.CharField(label=_("channel"), max_length=80)
    url = forms.URLField(
        label=_("feed address (optional)"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, community: Community, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit_type"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = UnitType.objects.filter(community=community, active=True)


class FeedUploadForm(forms.Form):
    file = forms.FileField(label=_("calendar file (.ics)"))


class AuthorityForm(forms.Form):
    unit = forms.CharField(
        label=_("unit (code, name or the name plans use, e.g. 旅文局)"), max_length=200
    )
    role = forms.ChoiceField(label=_("role"), choices=Authority.Role.choices)
