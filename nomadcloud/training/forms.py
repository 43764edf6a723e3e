"""Forms parse and type page input; the rules live in services.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import StrictDecimalField, html_limits
from nomadcloud.core.numbers import is_ascii_digits
from nomadcloud.taxonomy import naming, skill_lines
from nomadcloud.training.models import Criterion, Scenario
from nomadcloud.training.schemas import ScenarioDraft

# The kinds a pass may show: skills, knowledge, tools and occupations.
SKILL_KINDS = (*naming.SKILLS_AND_TOOLS, *naming.OCCUPATIONS)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (``<input type=file multiple>``)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def _date(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _hinted(name: str) -> dict[str, Any]:
    return html_limits(ScenarioDraft, name)


class ScenarioForm(forms.Form):
    """The scenario as a page shows it; ``draft_from_form(form, ScenarioDraft)`` checks it
    with the limits the API uses (the browser gets them as hints)."""

    title_zh = forms.CharField(
        label=_("Title (Chinese)"), required=False, widget=forms.TextInput(_hinted("title_zh"))
    )
    title_en = forms.CharField(
        label=_("Title (English)"), required=False, widget=forms.TextInput(_hinted("title_en"))
    )
    goal_zh = forms.CharField(
        label=_("Goal (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    goal_en = forms.CharField(
        label=_("Goal (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    tasks_zh = forms.CharField(
        label=_("Tasks (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    tasks_en = forms.CharField(
        label=_("Tasks (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    capacity = forms.IntegerField(label=_("Places"), widget=forms.NumberInput(_hinted("capacity")))
    enrol_from = _date(_("Enrolment opens"))
    enrol_until = _date(_("Enrolment closes"))
    runs_from = _date(_("Runs from"))
    runs_until = _date(_("Runs until"))
    pass_score = StrictDecimalField(
        label=_("Pass mark (%)"), initial=60, widget=forms.NumberInput(_hinted("pass_score"))
    )
    skills = forms.CharField(
        label=_("Skills it evidences"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: the skill's name in Chinese or English and the national level a "
            "pass shows, from 5 (entry) to 1 (expert) — e.g. 数据标注 3 or Python 4"
        ),
    )
    criteria = forms.CharField(
        label=_("Assessment rubric"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One criterion per line: weight | maximum points | title in Chinese | title in "
            "English — e.g. 2 | 10 | 部署可用 | Deployment works"
        ),
    )

    def clean_skills(self) -> list[dict[str, Any]]:
        """``名称 [级别]`` lines; names resolve through the taxonomy (codes still work)."""
        return skill_lines.parse(self.cleaned_data["skills"], SKILL_KINDS)

    def clean_criteria(self) -> list[dict[str, Any]]:
        criteria = []
        for number, line in enumerate(self.cleaned_data["criteria"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            if len(parts) < 3 or not is_ascii_digits(parts[0]) or not is_ascii_digits(parts[1]):
                raise forms.ValidationError(
                    _("Line %(n)d: write weight | maximum points | title.") % {"n": number}
                )
            criteria.append(
                {
                    "weight": int(parts[0]),
                    "max_points": int(parts[1]),
                    "title_zh": parts[2],
                    "title_en": parts[3] if len(parts) > 3 else "",
                }
            )
        return criteria

    @classmethod
    def initial_for(cls, scenario: Scenario) -> dict[str, Any]:
        from nomadcloud.training.services import SCALAR_FIELDS

        initial: dict[str, Any] = {f: getattr(scenario, f) for f in SCALAR_FIELDS}
        initial["skills"] = skill_lines.shown(
            (s.concept.code, s.level) for s in scenario.skills.select_related("concept")
        )
        initial["criteria"] = "\n".join(
            f"{c.weight} | {c.max_points} | {c.title_zh} | {c.title_en}"
            for c in scenario.criteria.all()
        )
        return initial


class MaterialForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    url = forms.CharField(label=_("Link"), max_length=500, required=False)
    file = forms.FileField(label=_("File"), required=False)


class SubmissionForm(forms.Form):
    text = forms.CharField(
        label=_("Your work"),
        required=False,
        max_length=50000,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    links = forms.CharField(
        label=_("Links"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line, starting with https://."),
    )
    attachments = MultipleFileField(label=_("Files"), required=False)

    def clean_links(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["links"].splitlines() if line.strip()]


class AssessmentForm(forms.Form):
    """One points field (and a comment) per rubric criterion, then an overall comment."""

    comment = forms.CharField(
        label=_("Overall comment"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, criteria: list[Criterion], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"points_{criterion.position}"] = forms.IntegerField(
                label=str(criterion),
                min_value=0,
                max_value=criterion.max_points,
                help_text=_("0 to %(max)d points, weight %(weight)d")
                % {"max": criterion.max_points, "weight": criterion.weight},
            )
            self.fields[f"note_{criterion.position}"] = forms.CharField(
                label=_("Comment on this criterion"), required=False, max_length=1000
            )

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"points_{c.position}"], self[f"note_{c.position}"]) for c in self.criteria]
