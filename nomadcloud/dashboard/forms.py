from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.core import indicators
from nomadcloud.dashboard.models import Observation
from nomadcloud.dashboard.official import AREAS


class FigureForm(forms.Form):
    """One official figure (the same fields as a row of the import format)."""

    indicator = forms.ChoiceField(label=_("indicator"))
    period = forms.CharField(
        label=_("period"), max_length=10, help_text=_("2026, 2026-Q2, 2026-05 or 2026-05-17")
    )
    area = forms.ChoiceField(label=_("area"), initial="DZ")
    value = forms.CharField(label=_("value"), max_length=30)
    finality = forms.ChoiceField(
        label=_("status of the figure"), choices=Observation.Finality.choices
    )
    as_of = forms.DateField(label=_("as of"), widget=forms.DateInput(attrs={"type": "date"}))
    source = forms.CharField(label=_("source"), max_length=200)
    evidence = forms.CharField(label=_("evidence"), required=False, widget=forms.Textarea)
    supersede_reason = forms.CharField(
        label=_("reason for a revision"), required=False, max_length=500
    )
    entity = forms.CharField(
        label=_("reporting entity"),
        required=False,
        max_length=18,
        help_text=_("Only for a figure counted per unit: its unified social credit code."),
    )

    def __init__(self, *args: Any, codes: list[str], language_zh: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["indicator"].choices = [  # type: ignore[attr-defined]
            (code, indicators.get(code).text("zh-Hans" if language_zh else "en")) for code in codes
        ]
        self.fields["area"].choices = [  # type: ignore[attr-defined]
            (code, zh if language_zh else en) for code, (zh, en) in AREAS.items()
        ]


class ImportForm(forms.Form):
    file = forms.FileField(label=_("statistics file (CSV or XLSX)"))
