"""Translatable content of communities: a JSON object of BCP-47 tags to text
(``{"zh-Hans": …, "en": …, "_machine": ["ru"]}``, ``core/fields.MultilingualField``), read
for the reader's language with core's fallback chain (``core/i18n.py``)."""

from __future__ import annotations

from typing import Any

from nomadcloud.core.i18n import is_machine_translated, localized_text


def tr(value: Any, language: str | None = None) -> str:
    return localized_text(value, language)


def is_machine(value: Any, language: str | None = None) -> bool:
    return is_machine_translated(value, language)
