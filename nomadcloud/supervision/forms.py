from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


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
