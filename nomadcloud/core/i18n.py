"""Content stored per language (``name_zh`` / ``name_en``) and picked for the reader."""

from __future__ import annotations

from typing import Any

from django.utils import translation


def localized(obj: Any, field: str, language: str | None = None) -> str:
    lang = (language or translation.get_language() or "zh-hans").lower()
    primary, fallback = ("en", "zh") if lang.startswith("en") else ("zh", "en")
    value = getattr(obj, f"{field}_{primary}", "") or getattr(obj, f"{field}_{fallback}", "")
    return str(value or "")
