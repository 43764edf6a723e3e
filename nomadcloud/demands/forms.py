"""Forms parse and type page input; the limits live in the drafts (schemas.py), the rules
in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.inputs import StrictDecimalField, html_limits
from nomadcloud.core.numbers import is_ascii_digits
from nomadcloud.demands.models import Demand, Feed
from nomadcloud.demands.schemas import ApplicationDraft, DemandDraft
from nomadcloud.taxonomy import naming
from nomadcloud.taxonomy.widgets import (
    ConceptsField,
    LanguagesField,
    shown_languages,
    shown_names,
)

BLANK = [("", _("— any —"))]
# A demand's skills may name occupations too (the talent profile's skills do).
SKILL_KINDS = (*naming.SKILLS, *naming.OCCUPATIONS)


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
            "One per line: the skill's name in Chinese or English (or its code), the lowest "
            "acceptable national level from 5 (entry, the default) to 1 (expert), and "
            "'optional' if it is not required — e.g. 数据标注 3 or Python 4 optional"
        ),
    )
    tools = ConceptsField(label=_("Tools"), kinds=naming.TOOLS, required=False)
    languages = LanguagesField(label=_("Working languages"), required=False)
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
        """Each line: a name or code (it may contain spaces), then optionally a level and
        "optional"; names resolve through the taxonomy, unknown ones offer the closest."""
        skills = []
        errors = []
        for number, line in enumerate(self.cleaned_data["skills"].splitlines(), start=1):
            parts = line.split()
            if not parts:
                continue
            optional = parts[-1].lower() in {"optional", "可选"}
            if optional:
                parts = parts[:-1]
            level = "5"
            if len(parts) > 1 and is_ascii_digits(parts[-1]):
                level = parts.pop()
            name = " ".join(parts)
            if not name or not is_ascii_digits(level):
                raise forms.ValidationError(
                    _("Line %(n)d: the level must be a number from 5 (entry) to 1 (expert).")
                    % {"n": number}
                )
            try:
                code = naming.code_for(name, SKILL_KINDS, field="skills")
            except InvalidInput as error:
                errors.append(
                    forms.ValidationError(
                        _("Line %(n)d: %(error)s") % {"n": number, "error": error.message},
                        code=error.code,
                    )
                )
                continue
            skills.append({"code": code, "min_level": int(level), "required": not optional})
        if errors:
            raise forms.ValidationError(errors)
        return skills

    @classmethod
    def initial_for(cls, demand: Demand) -> dict[str, Any]:
        from nomadcloud.demands.services import SCALAR_FIELDS

        initial: dict[str, Any] = {f: getattr(demand, f) for f in SCALAR_FIELDS}
        initial["skills"] = "\n".join(
            f"{shown_names([s.concept.code])} {s.min_level}{'' if s.required else ' optional'}"
            for s in demand.skills.select_related("concept")
        )
        initial["tools"] = shown_names(t.code for t in demand.tools.all())
        initial["languages"] = shown_languages(lang.code for lang in demand.languages.all())
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
    language = LanguagesField(label=_("Language"), max_chosen=1, required=False)

    def clean_language(self) -> str:
        return next(iter(self.cleaned_data["language"]), "")


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
