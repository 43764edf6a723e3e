"""Page forms of challenges: they only parse text into the drafts' values (decision 0010);
the drafts hold every limit and rule."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.core.inputs import StrictDecimalField


def _lines(text: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.split("|")] for line in text.splitlines() if line.strip()
    ]


class ChallengeForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("department"),
        queryset=Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT),
        to_field_name="public_id",
    )
    title_zh = forms.CharField(label=_("title (Chinese)"), max_length=200)
    title_en = forms.CharField(label=_("title (English)"), max_length=200)
    statement_zh = forms.CharField(label=_("statement (Chinese)"), widget=forms.Textarea)
    statement_en = forms.CharField(label=_("statement (English)"), widget=forms.Textarea)
    kpis_zh = forms.CharField(label=_("KPIs (Chinese)"), widget=forms.Textarea)
    kpis_en = forms.CharField(label=_("KPIs (English)"), widget=forms.Textarea)
    terms_zh = forms.CharField(
        label=_("IP and confidentiality terms (Chinese)"), widget=forms.Textarea
    )
    terms_en = forms.CharField(
        label=_("IP and confidentiality terms (English)"), widget=forms.Textarea
    )
    budget = StrictDecimalField(label=_("budget (CNY)"))
    subsidy = StrictDecimalField(label=_("奖补 share (CNY)"), required=False)
    rubric = forms.CharField(
        label=_("rubric"),
        widget=forms.Textarea,
        help_text=_("One criterion a line: code | 名称 | name | weight | maximum points"),
    )
    applications_from = forms.DateField(label=_("applications from"))
    applications_until = forms.DateField(label=_("applications until"))
    qualification_until = forms.DateField(label=_("qualification review until"))
    evaluation_until = forms.DateField(label=_("evaluation until"))
    selection_until = forms.DateField(label=_("selection until"))
    entity_required = forms.BooleanField(label=_("a legal entity is required"), required=False)
    max_members = forms.IntegerField(label=_("largest team"), initial=10)
    blind_first_round = forms.BooleanField(
        label=_("blind first round (experts see anonymised proposals)"), required=False
    )

    def draft_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        import datetime as dt

        one = dt.timedelta(days=1)
        rubric = []
        for cells in _lines(d["rubric"]):
            cells += [""] * (5 - len(cells))
            rubric.append(
                {
                    "code": cells[0],
                    "name_zh": cells[1],
                    "name_en": cells[2],
                    "weight": cells[3] or "0",
                    "max_points": cells[4] or "0",
                }
            )
        return {
            "department": d["department"].public_id,
            "title": {"zh-Hans": d["title_zh"], "en": d["title_en"]},
            "statement": {"zh-Hans": d["statement_zh"], "en": d["statement_en"]},
            "kpis": {"zh-Hans": d["kpis_zh"], "en": d["kpis_en"]},
            "terms": {"zh-Hans": d["terms_zh"], "en": d["terms_en"]},
            "budget": d["budget"],
            "subsidy": d.get("subsidy") or "0.00",
            "rubric": rubric,
            "blind_first_round": d.get("blind_first_round", False),
            "eligibility": {
                "entity_required": d["entity_required"],
                "max_members": d["max_members"],
            },
            "phases": [
                {
                    "kind": "applications",
                    "starts_on": d["applications_from"].isoformat(),
                    "ends_on": d["applications_until"].isoformat(),
                },
                {
                    "kind": "qualification",
                    "starts_on": (d["applications_until"] + one).isoformat(),
                    "ends_on": d["qualification_until"].isoformat(),
                },
                {
                    "kind": "evaluation",
                    "starts_on": (d["qualification_until"] + one).isoformat(),
                    "ends_on": d["evaluation_until"].isoformat(),
                },
                {
                    "kind": "selection",
                    "starts_on": (d["evaluation_until"] + one).isoformat(),
                    "ends_on": d["selection_until"].isoformat(),
                },
            ],
        }


class ApplicationForm(forms.Form):
    team = forms.ChoiceField(label=_("team"))
    proposal = forms.CharField(label=_("proposal"), widget=forms.Textarea)
    amount = StrictDecimalField(label=_("amount asked (CNY)"))
    plan = forms.CharField(
        label=_("milestone plan"),
        widget=forms.Textarea,
        help_text=_("One milestone a line: title | amount | due date (YYYY-MM-DD)"),
    )

    def __init__(self, *args: Any, teams: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["team"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = teams

    def draft_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        plan = []
        for cells in _lines(d["plan"]):
            cells += [""] * (3 - len(cells))
            plan.append({"title": cells[0], "amount": cells[1], "due_on": cells[2]})
        return {"team": d["team"], "proposal": d["proposal"], "amount": d["amount"], "plan": plan}


class ActionForm(forms.Form):
    action = forms.CharField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea)


class QuestionForm(forms.Form):
    question = forms.CharField(label=_("question"), widget=forms.Textarea)


class ReportForm(forms.Form):
    report = forms.CharField(label=_("report"), widget=forms.Textarea)
    deliverable_sha256 = forms.CharField(label=_("deliverable SHA-256"), max_length=64)


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            ("accept", _("Accept")),
            ("changes", _("Ask for changes")),
            ("reject", _("Reject (the team may dispute)")),
        ],
    )
    note = forms.CharField(label=_("note"), required=False, widget=forms.Textarea)

    def draft_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "accept": d["decision"] == "accept",
            "reject": d["decision"] == "reject",
            "note": d["note"],
        }


class EligibilityForm(forms.Form):
    application = forms.CharField(widget=forms.HiddenInput)
    eligible = forms.TypedChoiceField(
        label=_("qualification"),
        choices=[("yes", _("Eligible")), ("no", _("Not eligible"))],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(label=_("reason"), required=False, widget=forms.Textarea)


class SelectionForm(forms.Form):
    application = forms.CharField(label=_("application"), required=False)
    reason = forms.CharField(label=_("reasons"), widget=forms.Textarea)


class CosignForm(forms.Form):
    evidence = forms.CharField(
        label=_("evidence of the co-signature"),
        help_text=_("For example the reference of the sealed confirmation letter."),
        widget=forms.Textarea,
    )


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("reason for the dispute"), widget=forms.Textarea)


class DisputeResponseForm(forms.Form):
    response = forms.CharField(label=_("response"), widget=forms.Textarea)


class DisputeDecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("decision"),
        choices=[
            ("accept", _("Accept the milestone")),
            ("redo", _("The team reworks the milestone")),
            ("uphold", _("The rejection stands")),
        ],
    )
    reason = forms.CharField(label=_("reasons for the decision"), widget=forms.Textarea)


class ExtensionForm(forms.Form):
    due_on = forms.DateField(label=_("due date asked"))
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea)


class ExtensionDecisionForm(forms.Form):
    approve = forms.TypedChoiceField(
        label=_("decision"),
        choices=[("yes", _("Approve the later date")), ("no", _("Refuse"))],
        coerce=lambda v: v == "yes",
    )
    reason = forms.CharField(label=_("reasons for the decision"), widget=forms.Textarea)


class MidtermForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[
            ("on_track", _("On track")),
            ("concerns", _("Concerns: corrective actions required")),
            ("failing", _("Failing: termination recommended")),
        ],
    )
    findings = forms.CharField(label=_("findings"), widget=forms.Textarea)


class SignForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    confirm = forms.BooleanField(
        label=_("I have read this version of the task book and its changes, and I sign it.")
    )


class TaskBookForm(forms.Form):
    milestones = forms.CharField(
        label=_("milestones"),
        widget=forms.Textarea,
        help_text=_("One milestone a line: title | amount | due date (YYYY-MM-DD) | criteria"),
    )
    note = forms.CharField(label=_("what changed and why"), required=False, widget=forms.Textarea)

    def draft_data(self) -> dict[str, Any]:
        d = self.cleaned_data
        rows = []
        for cells in _lines(d["milestones"]):
            cells += [""] * (4 - len(cells))
            rows.append(
                {"title": cells[0], "amount": cells[1], "due_on": cells[2], "criteria": cells[3]}
            )
        return {"milestones": rows, "note": d["note"]}
