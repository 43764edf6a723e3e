"""Concepts named as a person writes them, for services, API filters and forms: a code, a
label or another name in Chinese or English resolves to the concept's code; an unknown name
is an error naming the field and offering the closest concepts.

Working languages are stored as ISO 639 codes (``zh``, ``en``) by profiles and demands; the
vocabulary holds them as language concepts (``nc.chinese``). ``LANGUAGE_CONCEPTS`` joins the
two, so a language can be chosen by name (中文, Mandarin, 英语) and shown by its label.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from nomadcloud.core.errors import InvalidInput, invalid_field
from nomadcloud.taxonomy import lookup

SKILLS = ("skill", "knowledge")
TOOLS = ("tool",)
SKILLS_AND_TOOLS = ("skill", "knowledge", "tool")
LANGUAGES = ("language",)
OCCUPATIONS = ("occupation",)

# ISO 639 code → the vocabulary's language concept (taxonomy/vocabulary/languages.csv).
LANGUAGE_CONCEPTS: dict[str, str] = {
    "zh": "nc.chinese",
    "en": "nc.english",
    "ja": "nc.japanese",
    "ko": "nc.korean",
    "fr": "nc.french",
    "de": "nc.german",
    "es": "nc.spanish",
    "pt": "nc.portuguese",
    "ru": "nc.russian",
    "ar": "nc.arabic",
    "it": "nc.italian",
    "nl": "nc.dutch",
    "pl": "nc.polish",
    "tr": "nc.turkish",
    "vi": "nc.vietnamese",
    "th": "nc.thai",
    "id": "nc.indonesian",
    "ms": "nc.malay",
    "fil": "nc.filipino",
    "hi": "nc.hindi",
    "bn": "nc.bengali",
    "ur": "nc.urdu",
    "fa": "nc.persian",
    "he": "nc.hebrew",
    "el": "nc.greek",
    "sv": "nc.swedish",
    "no": "nc.norwegian",
    "da": "nc.danish",
    "fi": "nc.finnish",
    "cs": "nc.czech",
    "hu": "nc.hungarian",
    "ro": "nc.romanian",
    "uk": "nc.ukrainian",
    "km": "nc.khmer",
    "lo": "nc.lao",
    "my": "nc.burmese",
    "mn": "nc.mongolian",
    "kk": "nc.kazakh",
    "uz": "nc.uzbek",
    "sw": "nc.swahili",
    "yue": "nc.cantonese",
    "zh-hant": "nc.traditional-chinese",
}
ISO_OF_CONCEPT = {concept: iso for iso, concept in LANGUAGE_CONCEPTS.items()}
# Other ISO spellings people use for the same language.
ISO_ALIASES = {"zh-hans": "zh", "zh-cn": "zh", "tl": "fil", "nb": "no", "iw": "he", "in": "id"}


def _list(names: list[str]) -> str:
    chinese = not (translation.get_language() or "zh-hans").lower().startswith("en")
    return ("、" if chinese else ", ").join(names)


def unknown(
    field: str, name: str, kinds: tuple[str, ...], *, code: str = "unknown_concept"
) -> InvalidInput:
    """The localized error for a name no concept of these kinds has, with the closest."""
    similar = [hit.label for hit in lookup.suggest(name, kinds)]
    shown = name.strip()[:120]
    if kinds == LANGUAGES:
        message = _("No language is called “%(name)s”.") % {"name": shown}
    else:
        message = _("No skill, tool or language is called “%(name)s”.") % {"name": shown}
    if similar:
        message += " " + _("Did you mean: %(similar)s?") % {"similar": _list(similar)}
    return invalid_field(field, message, code=code)


def code_for(name: str, kinds: tuple[str, ...], *, field: str) -> str:
    """The code of the concept ``name`` names (a code or a name), or the error."""
    code = lookup.resolve(name, kinds)
    if code is None:
        raise unknown(field, name, kinds)
    return code


def code_or_any(name: str, kinds: tuple[str, ...]) -> str | None:
    """The code of ``name`` among ``kinds``, else among every kind (for "this is a tool,
    not a skill" answers), else None."""
    return lookup.resolve(name, kinds) or lookup.resolve(name)


def filter_code(value: str, kinds: tuple[str, ...] = SKILLS_AND_TOOLS, *, field: str) -> str:
    """A list filter's concept: "" for none, the code of a name or code, or the error."""
    value = value.strip()
    return code_for(value, kinds, field=field) if value else ""


def language_iso(name: str, *, field: str) -> str:
    """The ISO 639 code of a language written as a code (zh, en) or by name (中文, English)."""
    written = name.strip()
    code = written.lower().replace("_", "-")
    code = ISO_ALIASES.get(code, code)
    if code in LANGUAGE_CONCEPTS:
        return code
    concept = lookup.resolve(written, LANGUAGES)
    if concept is not None and concept in ISO_OF_CONCEPT:
        return ISO_OF_CONCEPT[concept]
    if concept is not None:  # a language with no ISO code of its own (a dialect)
        raise invalid_field(
            field,
            _("%(name)s cannot be chosen as a working language; choose a language.")
            % {"name": lookup.label_of(concept)},
            code="unknown_language",
        )
    raise unknown(field, written, LANGUAGES, code="unknown_language")


def language_name(iso: str) -> str:
    """A language's name in the reader's language, from its ISO code (the code if unknown)."""
    code = ISO_ALIASES.get(iso, iso)
    concept = LANGUAGE_CONCEPTS.get(code)
    found = lookup.label_of(concept) if concept else ""
    if found:
        return found
    # A vocabulary without languages: the CLDR names core's ``language_label`` filter shows.
    from nomadcloud.core.templatetags.nc import language_label

    return str(language_label(code))
