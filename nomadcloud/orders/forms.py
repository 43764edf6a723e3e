"""Forms parse and type page input; the rules live in services.py and conversions.py."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.inputs import StrictDecimalField, html_limits
from nomadcloud.orders.models import Conversion, Dispute, Order
from nomadcloud.orders.schemas import OrderDraft
from nomadcloud.taxonomy import naming, skill_lines
from nomadcloud.training.forms import MultipleFileField

# The kinds work may show: skills, knowledge, tools and occupations.
SKILL_KINDS = (*naming.SKILLS_AND_TOOLS, *naming.OCCUPATIONS)


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
    skills = forms.CharField(
        label=_("Skills the work shows"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "One per line: the skill's name in Chinese or English and the national level "
            "accepted work shows, from 5 (entry) to 1 (expert) — e.g. 数据标注 3 or Python 4"
        ),
    )

    def clean_skills(self) -> list[dict[str, Any]]:
        """``名称 [级别]`` lines; names resolve through the taxonomy (codes still work)."""
        return skill_lines.parse(self.cleaned_data["skills"], SKILL_KINDS)

    @classmethod
    def initial_for(cls, fields: dict[str, Any]) -> dict[str, Any]:
        initial = {k: fields.get(k, "") for k in ("title_zh", "title_en")}
        initial["description_zh"] = fields.get("description_zh", "")
        initial["description_en"] = fields.get("description_en", "")
        initial["skills"] = skill_lines.shown(
            (s["code"], s["level"]) for s in fields.get("skills", [])
        )
        return initial


class MilestoneRowForm(forms.Form):
    """One milestone of the order form, as a row: title, amount (exact yuan) and due date."""

    title = forms.CharField(
        label=_("Milestone"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": "200"}),  # MilestoneIn.title
    )
    amount = forms.CharField(
        label=_("Amount (CNY)"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "placeholder": "1200.50"}),
    )
    due_on = _date(_("Due on"), required=False)

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) for name in ("title", "amount", "due_on"))


class BaseMilestoneFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def filled(self) -> list[MilestoneRowForm]:
        """The rows filled in (blank and removed ones left out), in order."""
        return [
            f
            for f in self.forms
            if f.is_valid() and not f.is_blank() and not f.cleaned_data.get("DELETE")
        ]

    def rows(self) -> list[dict[str, Any]]:
        """The filled-in rows as the draft takes them."""
        return [
            {
                "title": f.cleaned_data.get("title", ""),
                "amount": f.cleaned_data.get("amount", ""),
                "due_on": f.cleaned_data.get("due_on"),
            }
            for f in self.filled()
        ]

    def show_error(self, name: str, message: str) -> bool:
        """Show a draft's error on ``milestones.<n>.<field>`` on its row; False when the
        error is not about one row."""
        parts = name.split(".")
        if len(parts) < 2 or parts[0] != "milestones" or not parts[1].isdigit():
            return False
        filled = self.filled()
        index = int(parts[1])
        if index >= len(filled):
            return False
        field = parts[2] if len(parts) > 2 and parts[2] in filled[index].fields else None
        filled[index].add_error(field, message)
        return True


MilestoneFormSet = forms.formset_factory(
    MilestoneRowForm,
    formset=BaseMilestoneFormSet,
    extra=0,
    min_num=1,
    max_num=100,
    can_delete=True,
)
MILESTONES_PREFIX = "milestones"
ADD_ROW = "add_milestone"  # the name of the "add a row" submit button


def milestone_rows(
    data: Any = None, *, initial: list[dict[str, Any]] | None = None, add_row: bool = False
) -> BaseMilestoneFormSet:
    """The milestones of the order form as rows. ``add_row``: the posted rows plus an empty
    one (the "add a row" button works without JavaScript: the page comes back with it)."""
    if data is not None and add_row:
        data = data.copy()
        key = f"{MILESTONES_PREFIX}-TOTAL_FORMS"
        try:
            count = int(data.get(key, "0"))
        except ValueError:
            count = 0
        data[key] = str(min(count + 1, 100))
    rows = MilestoneFormSet(data, initial=initial, prefix=MILESTONES_PREFIX)
    return cast(BaseMilestoneFormSet, rows)


def initial_rows(fields: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {"title": m["title"], "amount": str(m["amount"]), "due_on": m["due_on"]}
        for m in fields.get("milestones", [])
    ]


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
