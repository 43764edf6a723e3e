"""Model and form fields for multilingual content (``core/i18n.py`` describes the value)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Model

from nomadcloud.core.i18n import (
    MACHINE_KEY,
    REQUIRED_LANGUAGES,
    MultilingualError,
    validate_multilingual,
)

LANGUAGE_NAMES = {"zh-Hans": "简体中文", "en": "English", "ru": "Русский", "ko": "한국어"}


class MultilingualField(models.JSONField):
    """A JSON object of BCP-47 tag → text; zh-Hans and en required unless ``blank=True``
    (then an empty object is allowed). Validated and canonicalised on ``full_clean`` and
    again on save, so a service cannot store a value the API would refuse."""

    description = "Text per language (JSON)"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("default", dict)
        super().__init__(*args, **kwargs)

    def validate(self, value: Any, model_instance: Model | None) -> None:
        super().validate(value, model_instance)
        try:
            validate_multilingual(value, required=not self.blank)
        except MultilingualError as exc:
            raise ValidationError(str(exc), code="multilingual") from exc

    def pre_save(self, model_instance: Model, add: bool) -> Any:
        value = getattr(model_instance, self.attname)
        try:
            cleaned = validate_multilingual(value, required=not self.blank)
        except MultilingualError as exc:
            raise ValidationError(str(exc), code="multilingual") from exc
        setattr(model_instance, self.attname, cleaned)
        return cleaned

    def formfield(self, **kwargs: Any) -> Any:
        return MultilingualFormField(
            required=not self.blank,
            **{k: v for k, v in kwargs.items() if k in {"label", "help_text", "initial"}},
        )


class MultilingualWidget(forms.MultiWidget):
    def __init__(self, languages: Sequence[str], *, textarea: bool = False) -> None:
        self.languages = tuple(languages)
        widgets = [
            (forms.Textarea(attrs={"rows": 3}) if textarea else forms.TextInput())
            for _ in self.languages
        ]
        for tag, widget in zip(self.languages, widgets, strict=True):
            widget.attrs.update({"lang": tag, "aria-label": LANGUAGE_NAMES.get(tag, tag)})
        super().__init__(widgets)
        self.widgets_names = [f"_{tag}" for tag in self.languages]

    def decompress(self, value: Any) -> list[Any]:
        if isinstance(value, dict):
            return [value.get(tag, "") for tag in self.languages]
        return [""] * len(self.languages)


class MultilingualFormField(forms.MultiValueField):
    """One input per language (``languages``: zh-Hans and en first, then any others). A
    person who submits the form writes every language it shows, so the ``_machine`` mark
    of those languages is dropped; languages the form does not show are kept from
    ``initial`` with their marks."""

    def __init__(
        self,
        *,
        languages: Sequence[str] = REQUIRED_LANGUAGES,
        textarea: bool = False,
        required: bool = True,
        **kwargs: Any,
    ) -> None:
        self.languages = tuple(dict.fromkeys([*REQUIRED_LANGUAGES, *languages]))
        fields = [
            forms.CharField(required=False, max_length=5000, strip=True) for _ in self.languages
        ]
        super().__init__(
            fields=fields,
            widget=MultilingualWidget(self.languages, textarea=textarea),
            require_all_fields=False,
            required=required,
            **kwargs,
        )

    def compress(self, data_list: list[Any]) -> dict[str, Any]:
        value: dict[str, Any] = {}
        initial = self.initial if isinstance(self.initial, dict) else {}
        kept_machine = [tag for tag in initial.get(MACHINE_KEY, []) if tag not in self.languages]
        for tag, text in initial.items():
            if tag != MACHINE_KEY and tag not in self.languages:
                value[tag] = text
        for tag, text in zip(self.languages, data_list or [], strict=False):
            if text:
                value[tag] = text
        if kept_machine:
            value[MACHINE_KEY] = [tag for tag in kept_machine if tag in value]
        return value

    def clean(self, value: Any) -> Any:
        data = super().clean(value)
        if not data and not self.required:
            return {}
        try:
            return validate_multilingual(data, required=self.required)
        except MultilingualError as exc:
            raise ValidationError(str(exc), code="multilingual") from exc
