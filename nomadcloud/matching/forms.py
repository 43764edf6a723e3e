"""Filter and invitation forms of the matching pages."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from nomadcloud.demands.models import Demand
from nomadcloud.taxonomy import naming
from nomadcloud.taxonomy.widgets import ConceptsField


class CandidateFilterForm(forms.Form):
    min_score = forms.IntegerField(
        label=_("Minimum score"), required=False, min_value=0, max_value=100
    )
    certified_only = forms.BooleanField(label=_("Certified nomads only"), required=False)
    all_required_met = forms.BooleanField(label=_("All required skills met"), required=False)
    available_only = forms.BooleanField(label=_("Available now"), required=False)
    skill = ConceptsField(
        label=_("Holds the skill or tool"),
        kinds=naming.SKILLS_AND_TOOLS,
        max_chosen=1,
        required=False,
    )
    near = forms.BooleanField(label=_("Show near misses"), required=False)

    def clean_skill(self) -> str:
        return next(iter(self.cleaned_data["skill"]), "")


class RecommendationFilterForm(forms.Form):
    min_score = forms.IntegerField(
        label=_("Minimum score"), required=False, min_value=0, max_value=100
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All kinds")), *Demand.Kind.choices]
    )
    remote_only = forms.BooleanField(label=_("Remote only"), required=False)
    skill = ConceptsField(
        label=_("Asks for the skill or tool"),
        kinds=naming.SKILLS_AND_TOOLS,
        max_chosen=1,
        required=False,
    )
    near = forms.BooleanField(label=_("Show near misses"), required=False)

    def clean_skill(self) -> str:
        return next(iter(self.cleaned_data["skill"]), "")


class InviteForm(forms.Form):
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
