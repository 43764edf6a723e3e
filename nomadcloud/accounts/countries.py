"""Country and region choices in the reader's language, in that language's order.

django-countries sorts by code point, which puts Chinese names in no order a reader knows;
Chinese is sorted by pinyin (with tones, then the characters, so equal readings are stable),
English by its letters with accents folded. The list is built on every call so that a form
shows the language of the request that renders it, never the one active at import.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _
from django_countries import countries
from pypinyin import Style, lazy_pinyin

# django-countries' own Chinese names for these are misspelt, truncated or outdated (尼珀尔,
# 塔吉克斯斯坦, 美属萨摩亚群岛 for Samoa too, ...). Our catalogue overrides them (LOCALE_PATHS
# come before the apps' catalogues); naming them here keeps them in it through makemessages.
CORRECTED_IN_OUR_CATALOGUE = (
    gettext_noop("Svalbard and Jan Mayen"),
    gettext_noop("Samoa"),
    gettext_noop("American Samoa"),
    gettext_noop("Bosnia and Herzegovina"),
    gettext_noop("Botswana"),
    gettext_noop("French Guiana"),
    gettext_noop("Falkland Islands (Malvinas)"),
    gettext_noop("Comoros"),
    gettext_noop("Liberia"),
    gettext_noop("Mali"),
    gettext_noop("North Macedonia"),
    gettext_noop("Suriname"),
    gettext_noop("Trinidad and Tobago"),
    gettext_noop("Kyrgyzstan"),
    gettext_noop("Dominica"),
    gettext_noop("Réunion"),
    gettext_noop("Aruba"),
    gettext_noop("Guadeloupe"),
    gettext_noop("United States Minor Outlying Islands"),
    gettext_noop("Saint Barthélemy"),
    gettext_noop("Congo"),
    gettext_noop("Wallis and Futuna"),
    gettext_noop("Pitcairn"),
    gettext_noop("Cocos (Keeling) Islands"),
    gettext_noop("Tokelau"),
    gettext_noop("Guernsey"),
    gettext_noop("Nepal"),
    gettext_noop("Tajikistan"),
)


def _english_key(name: str) -> tuple[str, str]:
    folded = unicodedata.normalize("NFKD", name)
    letters = "".join(c for c in folded if not unicodedata.combining(c))
    return (letters.casefold(), name)


def _pinyin_key(name: str) -> tuple[str, str]:
    return (" ".join(lazy_pinyin(name, style=Style.TONE3)), name)


def country_names() -> list[tuple[str, str]]:
    """``(ISO 3166-1 alpha-2 code, name)`` for every country and region, sorted for reading."""
    chinese = (get_language() or "").lower().startswith("zh")
    key = _pinyin_key if chinese else _english_key
    pairs = [(code, str(countries.name(code))) for code in countries.countries]
    return sorted(pairs, key=lambda pair: key(pair[1]))


def country_choices() -> list[tuple[str, str]]:
    """Form choices with an empty first entry (for optional fields)."""
    return [("", _("— choose —")), *country_names()]
