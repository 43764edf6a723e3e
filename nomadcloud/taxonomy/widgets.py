"""Choosing concepts by name in a form: a type-ahead chip picker (WAI-ARIA combobox with a
listbox, static/nomadcloud/concept-picker.js) over a plain text input, and ConceptsField,
which turns the names or codes typed there into concept codes.

Without JavaScript the input stays a text box where names or codes are separated by commas
(",", "，" or "、"); with it, chosen concepts become chips and the form receives their codes
in the same field, so the server reads both the same way.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from django import forms
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.core.errors import InvalidInput
from nomadcloud.taxonomy import lookup, naming

SEPARATORS = re.compile(r"[,，、;；\n]")


def split_names(value: str) -> list[str]:
    return [part.strip() for part in SEPARATORS.split(value or "") if part.strip()]


def _list(names: Iterable[str]) -> str:
    chinese = not (translation.get_language() or "zh-hans").lower().startswith("en")
    return ("、" if chinese else ", ").join(names)


class ConceptPicker(forms.TextInput):
    """A text input the picker script turns into a combobox of chips."""

    template_name = "taxonomy/widgets/concept_picker.html"

    class Media:
        js = ("nomadcloud/concept-picker.js",)

    def __init__(
        self, kinds: tuple[str, ...] = (), max_chosen: int = 0, attrs: dict[str, Any] | None = None
    ) -> None:
        super().__init__(attrs)
        self.kinds = kinds
        self.max_chosen = max_chosen

    def concept_of(self, token: str) -> str | None:
        """The concept a typed token names, for its chip."""
        return lookup.resolve(token, self.kinds)

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, list | tuple):
            return ", ".join(str(v) for v in value)
        formatted: str | None = super().format_value(value)
        return formatted

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        context = super().get_context(name, value, attrs)
        widget = context["widget"]
        element_id = widget["attrs"].get("id") or f"id_{name}"
        widget["attrs"]["id"] = element_id
        listbox = f"{element_id}_listbox"
        widget["attrs"].update(
            {
                "role": "combobox",
                "aria-autocomplete": "list",
                "aria-expanded": "false",
                "aria-controls": listbox,
                "autocomplete": "off",
                "spellcheck": "false",
            }
        )
        chips = []
        for token in split_names(widget["value"] or ""):
            code = self.concept_of(token)
            if code:
                chips.append({"code": code, "label": lookup.label_of(code)})
        widget.update(
            {
                "listbox_id": listbox,
                "status_id": f"{element_id}_status",
                "chips_json": json.dumps(chips, ensure_ascii=False),
                "search_url": reverse("api:search_by_name"),
                "kinds": ",".join(self.kinds),
                "max_chosen": self.max_chosen,
                "labels": {
                    "listbox": _("Suggestions"),
                    "chosen": _("Chosen"),
                    "remove": _("Remove %(name)s"),
                    "none": _("Nothing matches; try another name."),
                    "similar": _("Did you mean:"),
                    "count": _("%(count)s suggestions; use the arrow keys to choose."),
                },
            }
        )
        return context


class ConceptsField(forms.CharField):
    """Concepts typed by name (Chinese or English label, another name) or code, separated by
    commas or 、; cleans to the list of their codes. An unknown name is an error that offers
    the closest concepts."""

    default_error_messages = {
        "unknown": gettext_lazy("No skill, tool or language is called “%(name)s”."),
        "unknown_similar": gettext_lazy(
            "No skill, tool or language is called “%(name)s”. Did you mean: %(similar)s?"
        ),
        "too_many": gettext_lazy("Choose at most %(max)s."),
    }

    def __init__(self, *, kinds: tuple[str, ...] = (), max_chosen: int = 0, **kwargs: Any) -> None:
        self.kinds = kinds
        self.max_chosen = max_chosen
        kwargs.setdefault("max_length", 2000)
        kwargs.setdefault("widget", ConceptPicker(kinds=kinds, max_chosen=max_chosen))
        kwargs.setdefault(
            "help_text",
            gettext_lazy(
                "Type a name in Chinese or English, pinyin or a code; separate several with commas."
            ),
        )
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = super().to_python(value)
        codes: list[str] = []
        errors: list[forms.ValidationError] = []
        for name in split_names(text or ""):
            code = lookup.resolve(name, self.kinds)
            if code is None:
                errors.append(self._unknown(name))
            elif code not in codes:
                codes.append(code)
        if errors:
            raise forms.ValidationError(errors)
        if self.max_chosen and len(codes) > self.max_chosen:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_chosen}
            )
        return codes

    def validate(self, value: Any) -> None:
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")

    def _unknown(self, name: str) -> forms.ValidationError:
        similar = lookup.suggest(name, self.kinds)
        if not similar:
            return forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"name": name}
            )
        return forms.ValidationError(
            self.error_messages["unknown_similar"],
            code="unknown",
            params={"name": name, "similar": _list(hit.label for hit in similar)},
        )


class LanguagePicker(ConceptPicker):
    """The picker over language concepts, for fields that hold ISO 639 codes (zh, en)."""

    def __init__(self, max_chosen: int = 0, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(kinds=naming.LANGUAGES, max_chosen=max_chosen, attrs=attrs)

    def concept_of(self, token: str) -> str | None:
        iso = naming.ISO_ALIASES.get(token.lower(), token.lower())
        return naming.LANGUAGE_CONCEPTS.get(iso) or super().concept_of(token)


class LanguagesField(ConceptsField):
    """Working languages typed by name (中文, English, 日语) or ISO code; cleans to the list
    of their ISO 639 codes, which profiles and demands store."""

    def __init__(self, *, max_chosen: int = 0, **kwargs: Any) -> None:
        kwargs.setdefault("widget", LanguagePicker(max_chosen=max_chosen))
        kwargs.setdefault(
            "help_text", gettext_lazy("Type a language's name in Chinese or English, or its code.")
        )
        super().__init__(kinds=naming.LANGUAGES, max_chosen=max_chosen, **kwargs)

    def to_python(self, value: Any) -> list[str]:  # type: ignore[override]
        text = forms.CharField.to_python(self, value)
        codes: list[str] = []
        errors: list[forms.ValidationError] = []
        for name in split_names(text or ""):
            try:
                code = naming.language_iso(name, field="language")
            except InvalidInput as error:
                errors.append(forms.ValidationError(error.message, code=error.code))
                continue
            if code not in codes:
                codes.append(code)
        if errors:
            raise forms.ValidationError(errors)
        if self.max_chosen and len(codes) > self.max_chosen:
            raise forms.ValidationError(
                self.error_messages["too_many"], code="too_many", params={"max": self.max_chosen}
            )
        return codes


def shown_names(codes: Iterable[str]) -> str:
    """Concept codes as the comma-separated labels a picker's input starts with (the code
    where a label would not read back as the same concept)."""
    shown = []
    for code in codes:
        label = lookup.label_of(code)
        readable = label and not SEPARATORS.search(label) and lookup.resolve(label) == code
        shown.append(label if readable else code)
    return ", ".join(shown)


def shown_languages(codes: Iterable[str]) -> str:
    """ISO codes as the comma-separated language names a picker's input starts with."""
    return ", ".join(naming.language_name(code) for code in codes)
