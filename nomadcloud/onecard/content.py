"""Catalogue text per language: a JSON object keyed by BCP-47 tags, ``zh-Hans`` and ``en``
required, more allowed, ``"_machine": [tags]`` naming machine-translated ones (§3.4). The
reading is ``core/i18n.py``'s (fallback chain requested → its base → en → zh-Hans); this
module only names it for the catalogue."""

from __future__ import annotations

from typing import Any

from nomadcloud.core.i18n import (
    MACHINE_KEY,
    REQUIRED_LANGUAGES,
    is_machine_translated,
    localized_text,
)

REQUIRED = REQUIRED_LANGUAGES


def text(value: Any, language: str | None = None) -> str:
    """The text for the reader (or ``language``); '' when there is none."""
    if isinstance(value, str):
        return value
    return localized_text(value, language)


def is_machine(value: Any, language: str | None = None) -> bool:
    return is_machine_translated(value, language)


def missing_languages(value: Any) -> list[str]:
    """The required languages ``value`` has no text for."""
    if not isinstance(value, dict):
        return list(REQUIRED)
    return [tag for tag in REQUIRED if not str(value.get(tag) or "").strip()]


def languages(value: Any) -> list[str]:
    return [k for k in value if k != MACHINE_KEY] if isinstance(value, dict) else []


def both(zh: str, en: str, **more: str) -> dict[str, str]:
    return {"zh-Hans": zh, "en": en, **more}
