"""Forms of the operator's programme page. They parse input; the services decide (their
errors are shown on the fields)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import StrictDecimalField
from nomadcloud.points import book
from nomadcloud.points import models as m

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def scenario_choices(*, active_only: bool = True) -> list[tuple[str, str]]:
    rows = m.Scenario.objects.all()
    if active_only:
        rows = rows.filter(active=True)
    return [(s.code, f"{localized(s, 'name')} ({s.asset_id})") for s in rows]


def asset_choices() -> list[tuple[str, str]]:
    return [
        (a, a) for a in m.Asset.objects.exclude(code=book.WORK_UNITS).values_list("code", flat=True)
    ]


class OperatorForm(forms.Form):
    """Several of these forms share the operator's page: their element ids differ."""

    prefix_id = "form"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.prefix_id}_%s")
        super().__init__(*args, **kwargs)


class ScenarioForm(OperatorForm):
    prefix_id = "scenario"
    code = forms.SlugField(label=_("Code"), max_length=40, help_text=_("e.g. haihua-island"))
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=m.Scenario.Category.choices)
    own_points = forms.BooleanField(label=_("Runs its own points"), required=False)
    own_scale = forms.IntegerField(
        label=_("Decimal places of its points"), min_value=0, max_value=4, initial=0
    )
    own_expiry_months = forms.IntegerField(
        label=_("Its points expire after (months, 0: never)"),
        min_value=0,
        max_value=120,
        initial=12,
    )


class ScenarioEditForm(OperatorForm):
    prefix_id = "edit"
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    category = forms.ChoiceField(label=_("Category"), choices=m.Scenario.Category.choices)
    active = forms.BooleanField(label=_("Active"), required=False)


class RateForm(OperatorForm):
    prefix_id = "rate"
    scenario = forms.ChoiceField(label=_("Consumption scenario"))
    points_per_work_unit = StrictDecimalField(
        label=_("Points per work unit"),
        max_digits=20,
        decimal_places=6,
        min_value=Decimal("0.000001"),
        max_value=Decimal("1000000"),
    )
    valid_from = forms.DateTimeField(
        label=_("Valid from"),
        required=False,
        widget=DATETIME,
        help_text=_("Empty: now. A rate can never take effect in the past."),
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = scenario_choices(active_only=False)  # type: ignore[attr-defined]


class RuleForm(OperatorForm):
    prefix_id = "rule"
    asset = forms.ChoiceField(label=_("Kind of points"))
    valid_from = forms.DateTimeField(
        label=_("Valid from"), required=False, widget=DATETIME, help_text=_("Empty: now.")
    )
    day_cap = forms.IntegerField(label=_("Daily cap per person"), required=False, min_value=1)
    week_cap = forms.IntegerField(label=_("Weekly cap per person"), required=False, min_value=1)
    month_cap = forms.IntegerField(label=_("Monthly cap per person"), required=False, min_value=1)
    lock_days = forms.IntegerField(
        label=_("Lock period (days)"), min_value=0, max_value=3660, initial=0
    )
    expiry_months = forms.IntegerField(
        label=_("Points expire after (months)"), min_value=0, max_value=120, initial=0
    )
    expiry_days = forms.IntegerField(label=_("… and days"), min_value=0, max_value=3660, initial=0)
    expiry_at_end_of = forms.ChoiceField(
        label=_("Expire at"), choices=m.EarningRule.EndOf.choices, required=False
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = asset_choices()  # type: ignore[attr-defined]


class CampaignForm(OperatorForm):
    prefix_id = "campaign"
    code = forms.SlugField(
        label=_("Code"), max_length=40, help_text=_("The same code: a new version.")
    )
    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=120, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=120, required=False)
    kind = forms.ChoiceField(label=_("Bonus"), choices=m.Campaign.Kind.choices)
    percent = StrictDecimalField(
        label=_("Percentage"), required=False, max_digits=6, decimal_places=2
    )
    fixed_amount = forms.IntegerField(label=_("Fixed amount"), required=False, min_value=1)
    starts_at = forms.DateTimeField(label=_("Starts"), widget=DATETIME)
    ends_at = forms.DateTimeField(label=_("Ends"), widget=DATETIME)
    scenario = forms.ChoiceField(label=_("Only for scenario"), required=False)
    asset = forms.ChoiceField(label=_("Kind of points"), required=False)
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["scenario"].choices = [("", "—"), *scenario_choices(active_only=False)]  # type: ignore[attr-defined]
        self.fields["asset"].choices = [("", "—"), *asset_choices()]  # type: ignore[attr-defined]


class ProgrammeForm(OperatorForm):
    prefix_id = "programme"
    organisation = forms.UUIDField(label=_("Organisation id"))
    asset = forms.ChoiceField(label=_("Kind of points"))
    active = forms.BooleanField(label=_("Authorised"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["asset"].choices = asset_choices()  # type: ignore[attr-defined]
