"""Forms parse and type page input; the limits live in the drafts (schemas.py), the rules
in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import StrictDecimalField, html_limits
from nomadcloud.core.numbers import is_ascii_digits
from nomadcloud.demands.models import Demand, Feed
from nomadcloud.demands.schemas import ApplicationDraft, DemandDraft
from nomadcloud.taxonomy.widgets import ConceptsField

BLANK = [("", _("— any —"))]


def _shown(name: str, **attrs: Any) -> dict[str, Any]:
    """The widget's attributes with the draft's limits on ``name`` (the draft checks them)."""
    return {**attrs, **html_limits(DemandDraft, name)}


class DemandForm(forms.Form):
    """Presentation only: text to values. ``DemandDraft`` checks the limits (the same messages
    as the API) and the service the rules across fields."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Demand.Kind.choices)
    title_zh = forms.CharField(
        label=_("Title (Chinese)"),
        required=False,
        widget=forms.TextInput(attrs=_shown("title_zh")),
    )
    title_en = forms.CharField(
        label=_("Title (English)"),
        required=False,
        widget=forms.TextInput(attrs=_shown("title_en")),
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs=_shown("description_zh", rows=6)),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs=_shown("description_en", rows=6)),
    )
    skills = forms.CharField(
        label=_("Skills"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: the skill's code, the lowest acceptable national level from 5 (entry, "
            "the default) to 1 (expert), and 'optional' if it is not required — e.g. nc.python 3"
        ),
    )
    tools = forms.CharField(
        label=_("Tools"), required=False, help_text=_("Codes, separated by commas.")
    )
    languages = forms.CharField(
        label=_("Working languages"),
        required=False,
        help_text=_("Language codes separated by commas, e.g. zh, en."),
    )
    years_experience = forms.IntegerField(
        label=_("Years of experience"),
        required=False,
        widget=forms.NumberInput(attrs=_shown("years_experience")),
    )
    work_mode = forms.ChoiceField(label=_("Remote or on-site"), choices=Demand.WorkMode.choices)
    location = forms.CharField(
        label=_("Location"), required=False, widget=forms.TextInput(attrs=_shown("location"))
    )
    duration_days = forms.IntegerField(
        label=_("Duration (days)"),
        required=False,
        widget=forms.NumberInput(attrs=_shown("duration_days")),
    )
    budget_min = StrictDecimalField(
        label=_("Budget or salary from (CNY)"),
        required=False,
        widget=forms.NumberInput(attrs=_shown("budget_min")),
    )
    budget_max = StrictDecimalField(
        label=_("Budget or salary up to (CNY)"),
        required=False,
        widget=forms.NumberInput(attrs=_shown("budget_max")),
    )
    pay_period = forms.ChoiceField(label=_("Paid"), choices=Demand.PayPeriod.choices)
    headcount = forms.IntegerField(
        label=_("Headcount"), initial=1, widget=forms.NumberInput(attrs=_shown("headcount"))
    )
    deadline = forms.DateField(
        label=_("Apply by"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def clean_skills(self) -> list[dict[str, Any]]:
        skills = []
        for number, line in enumerate(self.cleaned_data["skills"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            level = parts[1] if len(parts) > 1 else "5"
            if not is_ascii_digits(level):
                raise forms.ValidationError(
                    _("Line %(n)d: the level must be a number from 5 (entry) to 1 (expert).")
                    % {"n": number}
                )
            optional = len(parts) > 2 and parts[2].lower() in {"optional", "可选"}
            skills.append({"code": parts[0], "min_level": int(level), "required": not optional})
        return skills

    def clean_tools(self) -> list[str]:
        return [t.strip() for t in self.cleaned_data["tools"].split(",") if t.strip()]

    def clean_languages(self) -> list[str]:
        raw = self.cleaned_data["languages"].replace("，", ",")
        return [t.strip() for t in raw.split(",") if t.strip()]

    @classmethod
    def initial_for(cls, demand: Demand) -> dict[str, Any]:
        from nomadcloud.demands.services import SCALAR_FIELDS

        initial: dict[str, Any] = {f: getattr(demand, f) for f in SCALAR_FIELDS}
        initial["skills"] = "\n".join(
            f"{s.concept.code} {s.min_level}{'' if s.required else ' optional'}"
            for s in demand.skills.select_related("concept")
        )
        initial["tools"] = ", ".join(t.code for t in demand.tools.all())
        initial["languages"] = ", ".join(lang.code for lang in demand.languages.all())
        return initial


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=Demand.Status.choices)
    note = forms.CharField(max_length=200, required=False)


class TagForm(forms.Form):
    code = forms.CharField(
        label=_("Skill or tool code"), max_length=120, help_text=_("e.g. nc.python")
    )


class FeedForm(forms.Form):
    url = forms.CharField(label=_("Feed URL"), max_length=1000)
    format = forms.ChoiceField(label=_("Format"), choices=Feed.Format.choices)


class FilterForm(forms.Form):
    # A name (Chinese or English label, another name) or a code; cleans to [code] or [].
    skill = ConceptsField(
        label=_("Skill or tool"),
        kinds=("skill", "knowledge", "tool"),
        max_chosen=1,
        required=False,
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + Demand.Kind.choices, required=False)
    remote = forms.ChoiceField(
        label=_("Remote"),
        choices=[*BLANK, ("1", _("Remote only")), ("0", _("On-site or hybrid"))],
        required=False,
    )
    budget_min = forms.IntegerField(label=_("Budget at least (CNY)"), min_value=0, required=False)
    budget_max = forms.IntegerField(label=_("Budget at most (CNY)"), min_value=0, required=False)
    language = forms.CharField(label=_("Language"), max_length=8, required=False)


class ApplicationForm(forms.Form):
    """A nomad's application: text to values; ``ApplicationDraft`` checks the limits and the
    rate (ASCII digits, at most two places), the service the rules."""

    note = forms.CharField(
        label=_("Note to the enterprise"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, **html_limits(ApplicationDraft, "note")}),
        help_text=_("Why you fit this work: what you did that is like it."),
    )
    proposed_rate = StrictDecimalField(
        label=_("Proposed rate (CNY)"),
        required=False,
        min_value=0,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    availability = forms.CharField(
        label=_("Availability"),
        required=False,
        widget=forms.TextInput(attrs=html_limits(ApplicationDraft, "availability")),
        help_text=_("E.g. from 1 July, 30 hours a week."),
    )
    proofs = forms.MultipleChoiceField(
        label=_("Proofs of work to attach"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, proofs: dict[str, str] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["proofs"].choices = list((proofs or {}).items())  # type: ignore[attr-defined]
        if not proofs:
            self.fields["proofs"].help_text = _("You have no proofs of work yet.")

    def clean_proofs(self) -> tuple[str, ...]:
        return tuple(self.cleaned_data.get("proofs") or ())


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("shortlisted", _("Shortlist")), ("declined", _("Decline"))]
    )
    note = forms.CharField(label=_("Reason (optional)"), required=False, max_length=500)
