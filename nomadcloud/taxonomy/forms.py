"""Forms parse and type page input; the reads live in queries.py."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from nomadcloud.taxonomy import queries
from nomadcloud.taxonomy.models import Concept

BLANK = [("", _("— any —"))]

# The categories of the shipped vocabulary (its files' names); imported categories show as
# they are written.
CATEGORY_LABELS: dict[str, Promise] = {
    "ai": _("Artificial intelligence"),
    "content": _("Content and media"),
    "data": _("Data"),
    "design": _("Design"),
    "ecommerce": _("E-commerce"),
    "finance": _("Finance"),
    "games": _("Games"),
    "general": _("General"),
    "languages": _("Languages"),
    "software": _("Software"),
}


def category_label(category: str) -> str:
    return str(CATEGORY_LABELS.get(category, category))


class ConceptFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        max_length=200,
        required=False,
        help_text=_("A name in Chinese or English, another name, or a code."),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=BLANK + Concept.Kind.choices, required=False)
    category = forms.ChoiceField(label=_("Category"), required=False)
    source = forms.ChoiceField(
        label=_("Source"), choices=BLANK + Concept.Source.choices, required=False
    )
    hot = forms.BooleanField(label=_("Hot technologies only"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["category"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = BLANK + [(c, category_label(c)) for c in queries.categories()]
