"""Content written by people, picked for the reader.

Two shapes exist. The older apps store one column per language (``name_zh`` / ``name_en``);
``localized(obj, "name")`` reads them. Newer content that may exist in more languages is one
JSON value keyed by BCP-47 tag (``core/fields.py`` ``MultilingualField``)::

    {"zh-Hans": "一卡通", "en": "One card", "ru": "Единая карта", "_machine": ["ru"]}

``zh-Hans`` and ``en`` are required; any other language may be added; ``_machine`` lists the
languages whose text was machine-translated, which readers are told (``{{ value|tr }}``).
``localized_text`` picks the reader's text through the fallback chain: the requested language,
its base language, English, Simplified Chinese (docs/core-shared.md).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import AfterValidator, WithJsonSchema

REQUIRED_LANGUAGES = ("zh-Hans", "en")
MACHINE_KEY = "_machine"
MAX_TEXT = 20_000  # characters per language
# A BCP-47 tag as used here: a language subtag, then optional script/region/variant subtags.
_TAG = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")


class MultilingualError(ValueError):
    """A multilingual value that is not one: names what is wrong, in the active language."""


def canonical_tag(tag: str) -> str:
    """``zh-hans`` → ``zh-Hans``, ``EN-gb`` → ``en-GB``: the usual case of each subtag."""
    parts = tag.replace("_", "-").split("-")
    out = [parts[0].lower()]
    for part in parts[1:]:
        if len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def validate_multilingual(value: Any, *, required: bool = True) -> dict[str, Any]:
    """The value with canonical tags, or ``MultilingualError``. ``required``: zh-Hans and en
    must both hold text; otherwise an empty value is allowed (a blank optional field)."""
    if not isinstance(value, Mapping):
        raise MultilingualError(_("Give the text as an object of language tags to text."))
    cleaned: dict[str, Any] = {}
    machine: list[str] = []
    for key, text in value.items():
        if key == MACHINE_KEY:
            if not isinstance(text, list) or not all(isinstance(t, str) for t in text):
                raise MultilingualError(_("“_machine” must be a list of language tags."))
            machine = [canonical_tag(t) for t in text]
            continue
        if not isinstance(key, str) or not _TAG.match(key.replace("_", "-").lower()):
            raise MultilingualError(_("“%(key)s” is not a language tag.") % {"key": key})
        if not isinstance(text, str):
            raise MultilingualError(_("The text for “%(key)s” must be a string.") % {"key": key})
        if len(text) > MAX_TEXT:
            raise MultilingualError(
                _("The text for “%(key)s” is too long (at most %(max)s characters).")
                % {"key": key, "max": MAX_TEXT}
            )
        tag = canonical_tag(key)
        if tag in cleaned:
            raise MultilingualError(_("The language “%(key)s” is given twice.") % {"key": tag})
        if text.strip():
            cleaned[tag] = text.strip()
    if required or cleaned:
        missing = [tag for tag in REQUIRED_LANGUAGES if tag not in cleaned]
        if missing:
            raise MultilingualError(
                _("Text is required in %(languages)s.") % {"languages": ", ".join(missing)}
            )
    unknown = [tag for tag in machine if tag not in cleaned]
    if unknown:
        raise MultilingualError(
            _("“_machine” names languages without text: %(languages)s.")
            % {"languages": ", ".join(unknown)}
        )
    if machine:
        cleaned[MACHINE_KEY] = sorted(set(machine))
    return cleaned


def _chain(language: str | None) -> list[str]:
    requested = canonical_tag(language or translation.get_language() or "zh-Hans")
    base = requested.split("-")[0]
    chain = [requested, base]
    if base == "zh":
        chain.append("zh-Hans")
    chain += ["en", "zh-Hans"]
    return list(dict.fromkeys(chain))


def _pick(value: Any, language: str | None) -> tuple[str, str] | None:
    """(tag, text) chosen for ``language`` (default: the active one), or None when empty."""
    if not isinstance(value, Mapping):
        return None
    by_lower = {
        str(k).lower(): (str(k), v)
        for k, v in value.items()
        if k != MACHINE_KEY and isinstance(v, str) and v
    }
    for tag in _chain(language):
        if tag.lower() in by_lower:
            return by_lower[tag.lower()]
    for tag, text in by_lower.values():
        return tag, text
    return None


def localized_text(value: Any, language: str | None = None) -> str:
    """The text of a multilingual value for ``language`` (default: the active language),
    through the chain requested → its base → en → zh-Hans; "" when there is none."""
    picked = _pick(value, language)
    return picked[1] if picked else ""


def language_of(value: Any, language: str | None = None) -> str:
    """The tag of the text ``localized_text`` returns (to mark it with ``lang``)."""
    picked = _pick(value, language)
    return canonical_tag(picked[0]) if picked else ""


def is_machine_translated(value: Any, language: str | None = None) -> bool:
    """Whether the text a reader of ``language`` gets was machine-translated."""
    picked = _pick(value, language)
    if picked is None or not isinstance(value, Mapping):
        return False
    machine = value.get(MACHINE_KEY) or []
    return canonical_tag(picked[0]) in {canonical_tag(str(t)) for t in machine}


def localized(obj: Any, field: str, language: str | None = None) -> str:
    """``obj.field`` for the reader: a multilingual JSON value when ``obj`` has one under
    ``field``, else the ``field_zh`` / ``field_en`` pair, falling back to the other."""
    value = getattr(obj, field, None)
    if isinstance(value, Mapping):
        return localized_text(value, language)
    lang = (language or translation.get_language() or "zh-hans").lower()
    primary, fallback = ("en", "zh") if lang.startswith("en") else ("zh", "en")
    text = getattr(obj, f"{field}_{primary}", "") or getattr(obj, f"{field}_{fallback}", "")
    return str(text or "")


def _pydantic_check(value: Any) -> dict[str, Any]:
    try:
        return validate_multilingual(value)
    except MultilingualError as exc:
        raise ValueError(str(exc)) from exc


Multilingual = Annotated[
    dict[str, Any],
    AfterValidator(_pydantic_check),
    WithJsonSchema(
        {
            "type": "object",
            "description": (
                "Text per BCP-47 language tag; zh-Hans and en required. "
                "`_machine` lists machine-translated languages."
            ),
            "properties": {
                "zh-Hans": {"type": "string"},
                "en": {"type": "string"},
                "_machine": {"type": "array", "items": {"type": "string"}},
            },
            "required": ["zh-Hans", "en"],
            "additionalProperties": {"type": "string"},
        }
    ),
]
"""A pydantic type for API schemas: validated and canonicalised like the model field."""
