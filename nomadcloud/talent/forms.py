"""Forms parse and type page input; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import Draft, StrictDecimalField, html_limits
from nomadcloud.talent.models import (
    SECTIONS,
    EvidenceFile,
    Profile,
    ProfileLanguage,
    Track,
    Visibility,
)
from nomadcloud.talent.schemas import ProfileChanges, ProjectDraft
from nomadcloud.taxonomy import naming
from nomadcloud.taxonomy.levels import SkillLevel
from nomadcloud.taxonomy.widgets import ConceptsField, LanguagesField

DATE = forms.DateInput(attrs={"type": "date"})


def _text(label: Any, name: str, model: type[Draft], **kwargs: Any) -> forms.CharField:
    """A text field whose limit is the draft's (given to the browser as a hint)."""
    widget = kwargs.pop("widget", forms.TextInput())
    widget.attrs.update(html_limits(model, name))
    return forms.CharField(label=label, widget=widget, **kwargs)


class ProfileForm(forms.Form):
    """The profile as the page shows it; ``draft_from_form(form, ProfileChanges)`` checks it
    with the limits the API uses."""

    headline_zh = _text(_("Headline (Chinese)"), "headline_zh", ProfileChanges, required=False)
    headline_en = _text(_("Headline (English)"), "headline_en", ProfileChanges, required=False)
    bio_zh = _text(
        _("About me (Chinese)"),
        "bio_zh",
        ProfileChanges,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    bio_en = _text(
        _("About me (English)"),
        "bio_en",
        ProfileChanges,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    location = _text(_("Location"), "location", ProfileChanges, required=False)
    time_zone = _text(
        _("Time zone"),
        "time_zone",
        ProfileChanges,
        help_text=_("IANA name, e.g. Asia/Shanghai or Europe/Lisbon."),
    )
    availability = forms.ChoiceField(label=_("Availability"), choices=Profile.Availability.choices)
    rate_amount = StrictDecimalField(label=_("Expected rate (CNY)"), required=False)
    rate_unit = forms.ChoiceField(
        label=_("Rate per"), choices=Profile.RateUnit.choices, required=False
    )
    about_visibility = forms.ChoiceField(
        label=_("Who sees headline, about me and location"), choices=Visibility.choices
    )
    rate_visibility = forms.ChoiceField(
        label=_("Who sees the expected rate"), choices=Visibility.choices
    )
    languages_visibility = forms.ChoiceField(
        label=_("Who sees languages"), choices=Visibility.choices
    )
    links_visibility = forms.ChoiceField(
        label=_("Who sees portfolio links"), choices=Visibility.choices
    )
    skills_visibility = forms.ChoiceField(label=_("Who sees skills"), choices=Visibility.choices)
    projects_visibility = forms.ChoiceField(
        label=_("Who sees projects"), choices=Visibility.choices
    )
    tools_visibility = forms.ChoiceField(label=_("Who sees tools"), choices=Visibility.choices)

    def clean_rate_amount(self) -> str:
        amount = self.cleaned_data["rate_amount"]
        return "" if amount is None else str(amount)  # exact, as the API sends it

    def clean(self) -> dict[str, Any]:
        """The section selects become the draft's ``visibility``."""
        data = super().clean() or {}
        data["visibility"] = {s: data.pop(f"{s}_visibility", None) for s in SECTIONS}
        return data


def _one(codes: list[str]) -> str:
    """A one-concept picker's value: its code ("" when none, which ``required`` refuses)."""
    return codes[0] if codes else ""


class LanguageForm(forms.Form):
    language = LanguagesField(label=_("Language"), max_chosen=1, required=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # On the profile page beside the skill form: without a prefix of their own, two
        # inputs would share an id and a label would point at the other form's input.
        kwargs.setdefault("auto_id", "id_language_%s")
        super().__init__(*args, **kwargs)

    def clean_language(self) -> str:
        return _one(self.cleaned_data["language"])

    level = forms.ChoiceField(label=_("Level"), choices=ProfileLanguage.Level.choices)


class LinkForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=100)
    url = forms.CharField(label=_("Address (http or https)"), max_length=500)


class SkillForm(forms.Form):
    skill = ConceptsField(
        label=_("Skill or occupation"),
        kinds=(*naming.SKILLS, *naming.OCCUPATIONS),
        max_chosen=1,
        required=True,
    )
    level = forms.TypedChoiceField(label=_("Level"), choices=SkillLevel.choices, coerce=int)
    evidence_source = forms.CharField(
        label=_("Certificate issued by"),
        max_length=100,
        required=False,
        help_text=_("Needed for levels above 四级/intermediate."),
    )
    evidence_reference = forms.CharField(
        label=_("Certificate number"), max_length=255, required=False
    )
    evidence_url = forms.CharField(label=_("Certificate link"), max_length=500, required=False)
    evidence_date = forms.DateField(label=_("Issued on"), required=False, widget=DATE)

    def clean_skill(self) -> str:
        return _one(self.cleaned_data["skill"])


class ProjectForm(forms.Form):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # On the profile page beside the skill form: without a prefix of their own, two
        # inputs would share an id and a label would point at the other form's input.
        kwargs.setdefault("auto_id", "id_project_%s")
        super().__init__(*args, **kwargs)

    title_zh = _text(_("Title (Chinese)"), "title_zh", ProjectDraft, required=False)
    title_en = _text(_("Title (English)"), "title_en", ProjectDraft, required=False)
    role = _text(_("Your role"), "role", ProjectDraft)
    started_on = forms.DateField(label=_("From"), widget=DATE)
    ended_on = forms.DateField(label=_("Until"), required=False, widget=DATE)
    outcome_zh = _text(
        _("Outcome (Chinese)"),
        "outcome_zh",
        ProjectDraft,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    outcome_en = _text(
        _("Outcome (English)"),
        "outcome_en",
        ProjectDraft,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    evidence_url = _text(_("Evidence link"), "evidence_url", ProjectDraft, required=False)
    skills = ConceptsField(
        label=_("Skills and tools used"), kinds=naming.SKILLS_AND_TOOLS, required=False
    )


class ToolForm(forms.Form):
    tool = ConceptsField(label=_("Tool"), kinds=naming.TOOLS, max_chosen=1, required=True)
    proficiency = forms.IntegerField(
        label=_("Proficiency (1–5)"), min_value=1, max_value=5, initial=3
    )
    years = forms.IntegerField(label=_("Years of use"), min_value=0, max_value=60, initial=1)
    last_used = forms.DateField(label=_("Last used"), required=False, widget=DATE)

    def clean_tool(self) -> str:
        return _one(self.cleaned_data["tool"])


class AnswersForm(forms.Form):
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices)
    remote_income_cny_12m = StrictDecimalField(
        label=_("Remote income over the last 12 months (CNY)"),
        min_value=0,
        max_digits=15,
        decimal_places=2,
        initial=0,
    )
    contract_value_cny_12m = StrictDecimalField(
        label=_("Value of remote contracts over the last 12 months (CNY)"),
        min_value=0,
        max_digits=15,
        decimal_places=2,
        initial=0,
    )
    clients_outside_city = forms.IntegerField(
        label=_("Remote clients outside the city"), min_value=0, max_value=1000, initial=0
    )
    planned_stay_days = forms.IntegerField(
        label=_("Planned stay (days)"), min_value=0, max_value=3660, initial=0
    )
    permit_months = forms.IntegerField(
        label=_("Permit sought (months, foreign nomads)"),
        min_value=1,
        max_value=60,
        required=False,
    )


class ApplicationForm(AnswersForm):
    evidence_kind = forms.ChoiceField(
        label=_("What the file shows"), choices=EvidenceFile.Kind.choices
    )
    evidence = forms.FileField(
        label=_("Evidence (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class DecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "1",
        choices=[("1", _("Certify")), ("0", _("Reject"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
    checked_evidence = forms.BooleanField(
        label=_("I checked the evidence against its sources (social insurance, tax records)"),
        required=False,  # required to certify: CertificationDecisionDraft says so
        help_text=_("Required to certify."),
    )


class RevokeForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for revocation"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RuleSetForm(forms.Form):
    track = forms.ChoiceField(label=_("Track"), choices=Track.choices)
    effective_from = forms.DateField(label=_("Effective from"), widget=DATE)
    effective_until = forms.DateField(label=_("Effective until"), required=False, widget=DATE)
    criteria = forms.JSONField(
        label=_("Criteria (JSON)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("See docs/talent.md for the keys."),
    )
    notes_zh = forms.CharField(
        label=_("Notes (Chinese)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    notes_en = forms.CharField(
        label=_("Notes (English)"),
        max_length=5000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
