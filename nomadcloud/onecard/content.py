"""Catalogue text per language: a JSON object keyed by BCP-47 tags, ``zh-Hans`` and ``en``
required, more allowed, ``"_machine": [tags]`` naming machine-translated ones (§3.4).

``text(value)`` picks the reader's language with the fallback chain requested → its base
→ en → zh-Hans."""

from __future__ import annotations

from typing import Any

from django.utils import translation

REQUIRED = ("zh-Hans", "en")


def _tag(language: str | None) -> str:
    lang = (language or translation.get_language() or "zh-hans").lower()
    if lang.startswith("zh"):
        return "zh-Hans"
    return lang.split("-")[0] if "-" in lang else lang


def text(value: Any, language: str | None = None) -> str:
    """The text for the reader (or ``language``); '' when there is none."""
    if isinstance(value, str):
        return value
    if not isinstance(value, dict):
        return ""
    wanted = _tag(language)
    for key in (wanted, wanted.split("-")[0], "en", "zh-Hans"):
        found = value.get(key)
        if isinstance(found, str) and found:
            return found
    return ""


def is_machine(value: Any, language: str | None = None) -> bool:
    if not isinstance(value, dict):
        return False
    machine = value.get("_machine") or []
    return _tag(language) in machine


def missing_languages(value: Any) -> list[str]:
    """The required languages ``value`` has no text for."""
    if not isinstance(value, dict):
        return list(REQUIRED)
    return [tag for tag in REQUIRED if not str(value.get(tag) or "").strip()]


def languages(value: Any) -> list[str]:
    return [k for k in value if not k.startswith("_")] if isinstance(value, dict) else []


def both(zh: str, en: str, **more: str) -> dict[str, str]:
    return {"zh-Hans": zh, "en": en, **more}
