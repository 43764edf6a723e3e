"""Country and region names: the page's language, its order, the regions of China named per
convention, no misspelt Chinese names, and built per request rather than at import."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from django.test import Client
from django.utils import translation
from django_countries.data import COUNTRIES
from pypinyin import Style, lazy_pinyin

from nomadcloud.accounts.countries import country_choices, country_names
from nomadcloud.accounts.forms import ForeignDetailsForm, RegisterForm

REGIONS = {
    "zh-hans": {"TW": "中国台湾", "HK": "中国香港特别行政区", "MO": "中国澳门特别行政区"},
    "en": {"TW": "Taiwan, China", "HK": "Hong Kong SAR, China", "MO": "Macao SAR, China"},
}

KNOWN_CHINESE = {
    "TJ": "塔吉克斯坦",
    "NP": "尼泊尔",
    "DE": "德国",
    "US": "美国",
    "GB": "英国",
    "CN": "中国",
    "JP": "日本",
    "FR": "法国",
    "KG": "吉尔吉斯斯坦",
    "WS": "萨摩亚",
    "AS": "美属萨摩亚",
    "BA": "波斯尼亚和黑塞哥维那",
    "BW": "博茨瓦纳",
    "DM": "多米尼克",
    "DO": "多米尼加共和国",
    "MK": "北马其顿",
    "SJ": "斯瓦尔巴和扬马延",
}


def _names(language: str) -> list[tuple[str, str]]:
    with translation.override(language):
        return country_names()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_code_once_and_no_name_twice(language: str) -> None:
    pairs = _names(language)
    codes = [code for code, _ in pairs]
    assert sorted(codes) == sorted(COUNTRIES)
    assert [n for n, count in Counter(name for _, name in pairs).items() if count > 1] == []
    assert all(name == name.strip() and name for _, name in pairs)


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_taiwan_hong_kong_and_macao_are_named_as_regions_of_china(language: str) -> None:
    names = dict(_names(language))
    for code, name in REGIONS[language].items():
        assert names[code] == name
    texts = " ".join(names.values())
    assert "Taiwan (Province" not in texts and "台湾省" not in texts
    assert {"台湾", "香港", "澳门", "Taiwan", "Hong Kong", "Macao"}.isdisjoint(names.values())


def test_chinese_names_are_chinese_and_spelt_right() -> None:
    names = dict(_names("zh-hans"))
    for code, name in KNOWN_CHINESE.items():
        assert names[code] == name, code
    texts = "".join(names.values())
    assert "塔吉克斯斯坦" not in texts and "尼珀尔" not in texts
    assert [n for n in names.values() if re.search(r"[A-Za-z]", n)] == []


def test_chinese_is_sorted_by_pinyin() -> None:
    names = [name for _, name in _names("zh-hans")]
    readings = [" ".join(lazy_pinyin(n, style=Style.TONE3)) for n in names]
    assert readings == sorted(readings)
    assert names[0] == "阿尔巴尼亚"
    assert names.index("德国") < names.index("法国") < names.index("美国") < names.index("中国")


def test_english_is_sorted_alphabetically_with_accents_folded() -> None:
    names = [name for _, name in _names("en")]
    assert names[:2] == ["Afghanistan", "Åland Islands"]
    assert names.index("Germany") < names.index("Hong Kong SAR, China") < names.index("Hungary")
    assert names.index("Nauru") < names.index("Nepal")
    assert names.index("Taiwan, China") < names.index("Tajikistan")
    assert [n for n in names if re.search(r"[\u4e00-\u9fff]", n)] == []


def test_form_choices_follow_the_language_of_the_moment() -> None:
    with translation.override("en"):
        assert ("DE", "Germany") in RegisterForm().fields["nationality"].choices
    with translation.override("zh-hans"):
        choices = list(ForeignDetailsForm().fields["nationality"].choices)
        assert choices[0][0] == ""
        assert ("DE", "德国") in choices
        assert choices == country_choices()


@pytest.mark.django_db
def test_the_registration_page_lists_countries_in_its_language() -> None:
    client = Client()
    client.cookies["nomadcloud_language"] = "en"
    english = client.get("/accounts/register/").content.decode()
    assert ">Germany<" in english and ">Taiwan, China<" in english and "德国" not in english
    client.cookies["nomadcloud_language"] = "zh-hans"
    chinese = client.get("/accounts/register/").content.decode()
    assert ">德国<" in chinese and ">中国台湾<" in chinese and ">Germany<" not in chinese
