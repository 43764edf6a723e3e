from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.fields import MultilingualFormField
from nomadcloud.taxonomy.widgets import ConceptsField

LOCAL_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"]


def _when(label: Any) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        input_formats=LOCAL_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CompetitionForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Organiser"))
    title = MultilingualFormField(label=_("Title"))
    description = MultilingualFormField(label=_("Description"), textarea=True, required=False)
    entry_opens_at = _when(_("Entries open"))
    entry_closes_at = _when(_("Entries close"))

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class TrackForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    title = MultilingualFormField(label=_("Title"))


class RoundForm(forms.Form):
    title = MultilingualFormField(label=_("Title"))
    opens_at = _when(_("Submissions open"))
    closes_at = _when(_("Submissions close"))
    max_per_day = forms.IntegerField(label=_("Submissions per day"), min_value=1, max_value=100)
    max_total = forms.IntegerField(label=_("Submissions in total"), min_value=1, max_value=1000)
    final_count = forms.IntegerField(
        label=_("Final submissions to select"), min_value=1, max_value=10, initial=1
    )
    scoring = forms.ChoiceField(
        label=_("Scoring"),
        choices=[("metric", _("Metric on a hidden answer set")), ("jury", _("Jury"))],
    )
    answers = forms.CharField(
        label=_("Hidden answer set"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("One “item,label” line per item; never shown to entrants."),
    )
    public_share = forms.IntegerField(
        label=_("Public leaderboard share (%)"), min_value=1, max_value=99, initial=30
    )

    def clean_answers(self) -> dict[str, str]:
        answers: dict[str, str] = {}
        for n, line in enumerate(self.cleaned_data["answers"].splitlines(), start=1):
            if not line.strip():
                continue
            item, sep, label = line.partition(",")
            if not sep or not item.strip() or not label.strip():
                raise forms.ValidationError(_("Line %(n)d is not “item,label”."), params={"n": n})
            answers[item.strip()] = label.strip()
        return answers


class MoveForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("publish", "close", "cancel")])


class EntryForm(forms.Form):
    track = forms.ChoiceField(label=_("Track"))
    name = forms.CharField(label=_("Project name"), max_length=200)
    team = forms.ChoiceField(label=_("Enter as"), required=False)

    def __init__(
        self,
        *args: Any,
        tracks: list[tuple[str, str]],
        teams: list[tuple[str, str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["track"].choices = tracks  # type: ignore[attr-defined]
        self.fields["team"].choices = [("", _("Myself")), *list(teams or [])]  # type: ignore[attr-defined]

    def clean_team(self) -> str | None:
        return self.cleaned_data.get("team") or None


class SubmissionForm(forms.Form):
    round = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    content = forms.CharField(
        label=_("Your submission"), max_length=200_000, widget=forms.Textarea(attrs={"rows": 6})
    )


class FinalForm(forms.Form):
    final = forms.BooleanField(required=False)


class CriterionForm(forms.Form):
    round = forms.IntegerField(label=_("Round"), min_value=1, max_value=100)
    code = forms.SlugField(label=_("Code"), max_length=40)
    title = MultilingualFormField(label=_("Title"))
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100)
    max_points = forms.IntegerField(
        label=_("Maximum points"), min_value=1, max_value=100, initial=10
    )


class JudgeForm(forms.Form):
    round = forms.IntegerField(label=_("Round"), min_value=1, max_value=100)
    email = forms.EmailField(label=_("The jury member's e-mail address"))


class RecusalForm(forms.Form):
    entry = forms.UUIDField(widget=forms.HiddenInput)
    reason = forms.CharField(label=_("Your conflict of interest"), max_length=500)


class AppealForm(forms.Form):
    round = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    grounds = forms.CharField(
        label=_("Grounds of your appeal"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )


class AppealDecisionForm(forms.Form):
    upheld = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[("0", _("Dismiss")), ("1", _("Uphold"))],
        coerce=lambda v: v == "1",
    )
    reason = forms.CharField(
        label=_("Reason"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class IntroductionForm(forms.Form):
    organisation = forms.ChoiceField(label=_("Enterprise or investor"))
    note = forms.CharField(
        label=_("Why this match"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, organisations: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].choices = organisations  # type: ignore[attr-defined]


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[
            ("order", _("An order or pilot contract")),
            ("investment", _("An investment")),
            ("registered_in_zone", _("Business registered in the zone")),
            ("nothing", _("Nothing (yet)")),
        ],
    )
    evidence = forms.CharField(
        label=_("Evidence"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    credit_code = forms.CharField(
        label=_("Unified social credit code (a business registered in the zone)"),
        required=False,
        max_length=40,
    )


class ParkForm(forms.Form):
    """An organisation's park profile (the same ParkDraft as the API)."""

    sectors = ConceptsField(label=_("Sectors the park welcomes"), max_chosen=20)
    capacity = forms.IntegerField(label=_("Free places"), min_value=0, max_value=100_000)
    note = forms.CharField(
        label=_("What the park offers"), required=False, max_length=2000, widget=forms.Textarea
    )
