"""Forms parse and type page input; the limits live in the drafts (schemas.py), the rules in
services.py and importer.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import StrictDecimalField, html_limits
from nomadcloud.datatasks.models import Batch
from nomadcloud.datatasks.schemas import BatchDraft
from nomadcloud.taxonomy import naming, skill_lines

# The kinds a batch may show (datatasks/services/rules.py checks them again).
SKILL_KINDS = (*naming.SKILLS, *naming.OCCUPATIONS)
DATE = forms.DateInput(attrs={"type": "date"})
FORMAT_CHOICES = [
    ("", _("From the file name (.csv or .jsonl)")),
    ("csv", "CSV"),
    ("jsonl", "JSON Lines"),
]


def _shown(name: str, **attrs: Any) -> dict[str, Any]:
    """The widget's attributes with the draft's limits on ``name`` (the draft checks them)."""
    return {**attrs, **html_limits(BatchDraft, name)}


def _number(name: str) -> forms.NumberInput:
    return forms.NumberInput(attrs=_shown(name))


class BatchForm(forms.Form):
    """Presentation only: text to values. ``BatchDraft`` checks the limits (the same messages
    as the API) and the service the rules across fields."""

    title_zh = forms.CharField(
        label=_("Title (Chinese)"), required=False, widget=forms.TextInput(attrs=_shown("title_zh"))
    )
    title_en = forms.CharField(
        label=_("Title (English)"), required=False, widget=forms.TextInput(attrs=_shown("title_en"))
    )
    instructions_zh = forms.CharField(
        label=_("Instructions (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs=_shown("instructions_zh", rows=5)),
    )
    instructions_en = forms.CharField(
        label=_("Instructions (English)"),
        required=False,
        widget=forms.Textarea(attrs=_shown("instructions_en", rows=5)),
    )
    task_type = forms.ChoiceField(label=_("Task type"), choices=Batch.TaskType.choices)
    labels = forms.CharField(
        label=_("Labels"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line, in the order workers see them (number keys 1–9 pick the first "
            "nine). Not needed for transcription."
        ),
    )
    overlap = forms.IntegerField(
        label=_("Answers per item"),
        initial=3,
        widget=_number("overlap"),
        help_text=_("How many different nomads answer each item."),
    )
    pay_per_item = StrictDecimalField(
        label=_("Pay per item (CNY)"), initial=0, widget=_number("pay_per_item")
    )
    method = forms.ChoiceField(
        label=_("Aggregation"),
        choices=Batch.Method.choices,
        help_text=_("For classification; transcriptions and spans use majority vote."),
    )
    qualification_min_percent = forms.IntegerField(
        label=_("Qualification test pass mark (%)"),
        initial=80,
        widget=_number("qualification_min_percent"),
    )
    min_accuracy_percent = forms.IntegerField(
        label=_("Accuracy needed to keep working (%)"),
        initial=70,
        widget=_number("min_accuracy_percent"),
        help_text=_("On gold items mixed into the work; 0 never blocks anyone."),
    )
    min_gold_answers = forms.IntegerField(
        label=_("Gold answers before blocking applies"),
        initial=3,
        widget=_number("min_gold_answers"),
    )
    gold_percent = forms.IntegerField(
        label=_("Share of gold items in the work (%)"), initial=10, widget=_number("gold_percent")
    )
    # The grace before a block; left empty, the batch's rule stays as it is (or the default).
    ban_after_misses = forms.IntegerField(
        label=_("Gold items a worker may miss before a block"),
        required=False,
        initial=2,
        widget=_number("ban_after_misses"),
        help_text=_("The first miss brings a warning; a block needs this many misses."),
    )
    accuracy_window = forms.IntegerField(
        label=_("Accuracy measured over the latest gold answers"),
        required=False,
        initial=0,
        widget=_number("accuracy_window"),
        help_text=_("0 measures it over all of a worker's gold answers."),
    )
    pay_before_ban = forms.ChoiceField(
        label=_("Answers given before a block"),
        required=False,
        initial=Batch.PayBeforeBan.KEPT,
        choices=Batch.PayBeforeBan.choices,
    )
    deadline = forms.DateField(label=_("Answers accepted until"), required=False, widget=DATE)
    skills = forms.CharField(
        label=_("Skills the work shows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line: the skill's name in Chinese or English and its level from 5 "
            "(entry, the default) to 1 (expert) — e.g. 数据标注 4"
        ),
    )

    OPTIONAL_RULES = ("ban_after_misses", "accuracy_window", "pay_before_ban")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for name in self.OPTIONAL_RULES:
            if cleaned.get(name) in (None, ""):
                cleaned.pop(name, None)
        return cleaned

    def clean_labels(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["labels"].splitlines() if line.strip()]

    def clean_skills(self) -> list[dict[str, Any]]:
        """``名称 [级别]`` lines; names resolve through the taxonomy (codes still work)."""
        return skill_lines.parse(self.cleaned_data["skills"], SKILL_KINDS)

    @classmethod
    def initial_for(cls, batch: Batch) -> dict[str, Any]:
        from nomadcloud.datatasks.services import current_fields

        initial = current_fields(batch)
        initial["labels"] = "\n".join(batch.labels)
        initial["skills"] = skill_lines.shown((s["code"], s["level"]) for s in initial["skills"])
        return initial


class CreateBatchForm(BatchForm):
    # Last, so that a file that is too large is cut off after the other fields were read.
    format = forms.ChoiceField(label=_("File format"), choices=FORMAT_CHOICES, required=False)
    file = forms.FileField(
        label=_("Items file (CSV or JSON Lines, UTF-8)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.jsonl,.ndjson,.txt"}),
        help_text=_("See the format below; the whole file is checked before anything is saved."),
    )


class UploadForm(forms.Form):
    format = forms.ChoiceField(label=_("File format"), choices=FORMAT_CHOICES, required=False)
    file = forms.FileField(
        label=_("Items file (CSV or JSON Lines, UTF-8)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.jsonl,.ndjson,.txt"}),
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=[(s, s) for s in (Batch.Status.OPEN, Batch.Status.CLOSED)])
    note = forms.CharField(max_length=200, required=False)


class ItemFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Show"),
        required=False,
        choices=[
            ("", _("All items")),
            ("regular", _("Items to work on")),
            ("gold", _("Gold items")),
            ("overridden", _("Corrected items")),
            ("unanswered", _("Items without answers")),
        ],
    )
    max_confidence = forms.IntegerField(
        label=_("Confidence at most (%)"), min_value=0, max_value=100, required=False
    )
    q = forms.CharField(label=_("Search"), max_length=100, required=False)


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, batch: Batch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = [(label, label) for label in batch.labels]
        value: forms.Field
        if batch.task_type == Batch.TaskType.SINGLE_LABEL:
            value = forms.ChoiceField(label=_("Correct result"), choices=labels)
        elif batch.task_type == Batch.TaskType.MULTI_LABEL:
            value = forms.MultipleChoiceField(
                label=_("Correct result"),
                choices=labels,
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
        elif batch.task_type == Batch.TaskType.TRANSCRIPTION:
            value = forms.CharField(
                label=_("Correct result"),
                max_length=20000,
                widget=forms.Textarea(attrs={"rows": 3}),
            )
        else:
            value = forms.CharField(
                label=_("Correct result"),
                max_length=20000,
                required=False,
                help_text=_("Spans as start:end:label, separated by |, e.g. 0:4:PER|9:11:LOC"),
            )
        self.fields = {"value": value, **self.fields}


class AppealForm(forms.Form):
    reason = forms.CharField(
        label=_("Why is the known answer wrong?"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DecisionForm(OverrideForm):
    """Uphold (with the corrected known answer; empty takes the appellant's) or reject."""

    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=[("uphold", _("Uphold: correct the gold item")), ("reject", _("Reject"))],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note to the worker"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, batch: Batch, **kwargs: Any) -> None:
        super().__init__(*args, batch=batch, **kwargs)
        del self.fields["reason"]
        value = self.fields["value"]
        value.required = False
        value.label = _("Corrected known answer")
        value.help_text = _("Leave empty to take the worker's answer.")
        if isinstance(value, forms.ChoiceField) and not isinstance(
            value, forms.MultipleChoiceField
        ):
            choices: Any = value.choices
            value.choices = [("", "—"), *choices]
