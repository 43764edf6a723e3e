"""Page forms: a message with files, and the order's terms prefilled from the demand
(titles, description and up to three milestone rows)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MILESTONE_ROWS = 3


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data]
        return [super().clean(data, initial)] if data else []


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attachments = MultipleFileField(label=_("Files"), required=False)


class OrderTermsForm(forms.Form):
    """The order's terms; rows left empty are ignored."""

    title_zh = forms.CharField(label=_("Title (Chinese)"), required=False, max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), required=False, max_length=200)
    description_zh = forms.CharField(
        label=_("Description (Chinese)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    description_en = forms.CharField(
        label=_("Description (English)"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for i in range(MILESTONE_ROWS):
            self.fields[f"m{i}_title"] = forms.CharField(
                label=_("Milestone"), required=False, max_length=200
            )
            self.fields[f"m{i}_amount"] = forms.CharField(
                label=_("Amount (CNY)"),
                required=False,
                widget=forms.TextInput(attrs={"inputmode": "decimal"}),
            )
            self.fields[f"m{i}_due_on"] = forms.DateField(
                label=_("Due on"),
                required=False,
                widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            )

    def rows(self) -> list[list[forms.BoundField]]:
        return [
            [self[f"m{i}_title"], self[f"m{i}_amount"], self[f"m{i}_due_on"]]
            for i in range(MILESTONE_ROWS)
        ]

    @staticmethod
    def initial_from(fields: dict[str, Any]) -> dict[str, Any]:
        initial = {
            k: fields[k] for k in ("title_zh", "title_en", "description_zh", "description_en")
        }
        for i, m in enumerate(fields["milestones"][:MILESTONE_ROWS]):
            initial[f"m{i}_title"] = m["title"]
            initial[f"m{i}_amount"] = str(m["amount"])
            initial[f"m{i}_due_on"] = m["due_on"]
        return initial

    def terms(self, skills: list[dict[str, Any]]) -> dict[str, Any]:
        """The cleaned terms in the shape of ``OrderDraft`` (amounts as written: the draft
        checks them)."""
        data = self.cleaned_data
        milestones = []
        for i in range(MILESTONE_ROWS):
            title, amount = data.get(f"m{i}_title", ""), data.get(f"m{i}_amount", "")
            due: date | None = data.get(f"m{i}_due_on")
            if not title and not amount and due is None:
                continue
            milestones.append({"title": title, "amount": amount.strip(), "due_on": due})
        return {
            "title_zh": data["title_zh"],
            "title_en": data["title_en"],
            "description_zh": data["description_zh"],
            "description_en": data["description_en"],
            "skills": skills,
            "milestones": milestones,
        }
