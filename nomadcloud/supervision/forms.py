from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.fields import MultilingualFormField
from nomadcloud.core.inputs import html_limits
from nomadcloud.supervision.schemas import MilestoneDraft, ReportDraft

DATE = forms.DateInput(attrs={"type": "date"})


class ImportForm(forms.Form):
    code = forms.SlugField(label=_("plan code"), max_length=20, initial="004")
    title = forms.CharField(label=_("plan title"), max_length=200)
    file = forms.FileField(label=_("plan text (UTF-8)"))
    confirm = forms.BooleanField(
        label=_("create the tasks (otherwise only propose them)"), required=False
    )


class AssignForm(forms.Form):
    due = forms.DateField(label=_("due"), widget=forms.DateInput(attrs={"type": "date"}))


class ReportForm(forms.Form):
    progress = forms.DecimalField(
        label=_("progress (%)"), min_value=0, max_value=100, decimal_places=2
    )
    note = forms.CharField(label=_("what was done"), widget=forms.Textarea)
    evidence = forms.CharField(label=_("evidence"), required=False)
    reason = forms.CharField(label=_("reason (if progress went down)"), required=False)
    period = forms.CharField(
        label=_("period reported on (e.g. 2026-03 or 2026-Q1; empty: this month)"),
        required=False,
        widget=forms.TextInput(attrs=html_limits(ReportDraft, "period")),
    )


class CompletionForm(forms.Form):
    note = forms.CharField(label=_("completion report"), widget=forms.Textarea)
    evidence = forms.CharField(label=_("evidence"))


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea)


class ExtensionForm(forms.Form):
    new_due = forms.DateField(
        label=_("new due date"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("reasons"), widget=forms.Textarea)


class InstructionForm(forms.Form):
    text = forms.CharField(label=_("instruction (批示)"), widget=forms.Textarea)


class EvaluationImportForm(forms.Form):
    file = forms.FileField(label=_("evaluation sheet with quality ratings (CSV or XLSX)"))


class MilestoneForm(forms.Form):
    title = MultilingualFormField(label=_("milestone"))
    due = forms.DateField(label=_("due"), widget=DATE)
    weight = forms.IntegerField(
        label=_("weight"),
        initial=1,
        widget=forms.NumberInput(html_limits(MilestoneDraft, "weight")),
    )
    target = forms.DecimalField(
        label=_("序时进度 target (%)"),
        widget=forms.NumberInput(html_limits(MilestoneDraft, "target")),
    )


class MilestoneDoneForm(forms.Form):
    milestone = forms.ChoiceField(label=_("milestone"))
    done_on = forms.DateField(label=_("done on"), widget=DATE)
    evidence = forms.CharField(label=_("evidence"))

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["milestone"].choices = choices  # type: ignore[attr-defined]


def _names(text: str) -> list[str]:
    return [name.strip() for name in re.split(r"[、，,；;\n]", text) if name.strip()]


class SubTaskForm(forms.Form):
    title = forms.CharField(label=_("title"), max_length=300)
    text = forms.CharField(label=_("text"), required=False, widget=forms.Textarea)
    leads = forms.CharField(label=_("lead units"), help_text=_("Separate units with 、 or commas."))
    responsibles = forms.CharField(label=_("responsible units"), required=False)

    def clean_leads(self) -> list[str]:
        return _names(self.cleaned_data["leads"])

    def clean_responsibles(self) -> list[str]:
        return _names(self.cleaned_data["responsibles"])


class ParentForm(forms.Form):
    parent = forms.CharField(
        label=_("code of the parent task (empty: a top-level task)"),
        required=False,
        max_length=30,
    )
