"""Forms parse and type page input; the rules live in services.py and conversions.py."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import StrictDecimalField, html_limits
from nomadcloud.core.numbers import is_ascii_digits
from nomadcloud.orders.models import Conversion, Dispute, Order
from nomadcloud.orders.schemas import OrderDraft
from nomadcloud.training.forms import MultipleFileField


def _date(label: Any, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label, required=required, widget=forms.DateInput(attrs={"type": "date"})
    )


class OrderForm(forms.Form):
    """The terms as a page shows them; ``draft_from_form(form, OrderDraft)`` checks them
    with the limits the API uses (the browser gets them as hints)."""

    title_zh = forms.CharField(
        label=_("Title (Chinese)"),
        required=False,
        widget=forms.TextInput(attrs=html_limits(OrderDraft, "title_zh")),
    )
    title_en = forms.CharField(
        label=_("Title (English)"),
        required=False,
        widget=forms.TextInput(attrs=html_limits(OrderDraft, "title_en")),
    )
    description_zh = forms.CharField(
        label=_("Description (Chinese)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, **html_limits(OrderDraft, "description_zh")}),
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, **html_limits(OrderDraft, "description_en")}),
    )
    milestones = forms.CharField(
        label=_("Milestones"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "One per line: amount in yuan | due date | title — e.g. 1200.50 | 2026-07-01 | "
            "Design. The order's total is their sum."
        ),
    )
    skills = forms.CharField(
        label=_("Skills the work shows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line: the skill's code and the national level accepted work shows, from 5 "
            "(entry) to 1 (expert) — e.g. nc.python 3"
        ),
    )

    def clean_milestones(self) -> list[dict[str, Any]]:
        rows = []
        for number, line in enumerate(self.cleaned_data["milestones"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.replace("｜", "|").split("|")]
            if len(parts) < 3:
                raise forms.ValidationError(
                    _("Line %(n)d: write amount | due date | title.") % {"n": number}
                )
            try:
                due = date.fromisoformat(parts[1])
            except ValueError:
                raise forms.ValidationError(
                    _("Line %(n)d: write the due date as YYYY-MM-DD.") % {"n": number}
                ) from None
            rows.append({"amount": parts[0], "due_on": due, "title": "|".join(parts[2:])})
        return rows

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
            skills.append({"code": parts[0], "level": int(level)})
        return skills

    @classmethod
    def initial_for(cls, fields: dict[str, Any]) -> dict[str, Any]:
        initial = {k: fields.get(k, "") for k in ("title_zh", "title_en")}
        initial["description_zh"] = fields.get("description_zh", "")
        initial["description_en"] = fields.get("description_en", "")
        initial["milestones"] = "\n".join(
            f"{m['amount']} | {m['due_on']} | {m['title']}" for m in fields.get("milestones", [])
        )
        initial["skills"] = "\n".join(f"{s['code']} {s['level']}" for s in fields.get("skills", []))
        return initial


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=Order.Status.choices)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=5000)


class ApplyForm(forms.Form):
    note = forms.CharField(
        label=_("Note to the enterprise"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DeliverableForm(forms.Form):
    note = forms.CharField(label=_("Note"), required=False, max_length=5000)
    url = forms.CharField(label=_("Link"), required=False, max_length=500)
    file = forms.FileField(label=_("File"), required=False)
    milestone = forms.TypedChoiceField(
        label=_("For the milestone"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, order: Order | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices: list[tuple[Any, Any]] = [("", _("— the whole order —"))]
        if order is not None:
            choices += [(m.position, str(m)) for m in order.milestones.all()]
        self.fields["milestone"].choices = choices  # type: ignore[attr-defined]


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class ResolveForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Decision"), choices=Dispute.Outcome.choices)
    to_nomad = StrictDecimalField(
        label=_("To the nomad (CNY)"), required=False, max_digits=15, decimal_places=2, min_value=0
    )
    to_enterprise = StrictDecimalField(
        label=_("Back to the enterprise (CNY)"),
        required=False,
        max_digits=15,
        decimal_places=2,
        min_value=0,
    )
    reason = forms.CharField(
        label=_("Reasons for the decision"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.CharField(
        label=_("Evidence considered"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class MessageForm(forms.Form):
    body = forms.CharField(
        label=_("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )


class RatingForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("Stars"), coerce=int, choices=[(n, "★" * n) for n in range(5, 0, -1)]
    )
    comment = forms.CharField(label=_("Comment"), required=False, max_length=2000)


class ConversionForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=Conversion.Kind.choices)
    nomad = forms.ChoiceField(label=_("Nomad"))
    starts_on = _date(_("Starts on"), required=False)
    ends_on = _date(_("Ends on"), required=False)
    business_name = forms.CharField(label=_("Business name"), max_length=200, required=False)
    credit_code = forms.CharField(
        label=_("Unified social credit code"), max_length=18, required=False
    )
    registered_on = _date(_("Registered on"), required=False)
    order = forms.ChoiceField(label=_("From the order"), required=False)
    enrolment = forms.ChoiceField(label=_("From the training"), required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 2})
    )
    documents = MultipleFileField(label=_("Documents"), required=False)

    def __init__(
        self,
        *args: Any,
        nomads: list[tuple[str, str]],
        orders: list[tuple[str, str]],
        enrolments: list[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        blank = [("", _("— none —"))]
        self.fields["nomad"].choices = nomads  # type: ignore[attr-defined]
        self.fields["order"].choices = blank + orders  # type: ignore[attr-defined]
        self.fields["enrolment"].choices = blank + enrolments  # type: ignore[attr-defined]
        self.fields["ends_on"].help_text = _("Leave empty for an open-ended contract (无固定期限).")


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Document"))


class ReportForm(forms.Form):
    period = forms.ChoiceField(
        label=_("Per"),
        choices=[("month", _("month")), ("quarter", _("quarter"))],
        required=False,
    )
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100, required=False)

    def values(self, *, default_year: int | None) -> tuple[str, int | None]:
        """The period and year asked for; an unasked or invalid year is ``default_year``."""
        if not self.is_bound or not self.is_valid():
            return "month", default_year
        return self.cleaned_data["period"] or "month", self.cleaned_data["year"] or default_year
