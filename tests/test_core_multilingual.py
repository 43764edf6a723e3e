"""Multilingual content as one JSON value (core/i18n.py, core/fields.py; cross-cutting §3.4)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.template import Context, Template
from django.utils import translation
from pydantic import TypeAdapter
from pydantic import ValidationError as PydanticError

from nomadcloud.core.fields import MultilingualFormField
from nomadcloud.core.i18n import (
    Multilingual,
    MultilingualError,
    is_machine_translated,
    language_of,
    localized,
    localized_text,
    validate_multilingual,
)
from nomadcloud.core.models import PublicNotice

VALUE = {
    "zh-Hans": "一件事一次办",
    "en": "One thing, done once",
    "ru": "Одно дело — один раз",
    "_machine": ["ru"],
}


def test_the_fallback_chain() -> None:
    assert localized_text(VALUE, "zh-hans") == "一件事一次办"
    assert localized_text(VALUE, "zh") == "一件事一次办"
    assert localized_text(VALUE, "en-GB") == "One thing, done once"
    assert localized_text(VALUE, "ru-RU") == "Одно дело — один раз"  # base language
    assert localized_text(VALUE, "ko") == "One thing, done once"  # then English
    assert localized_text({"zh-Hans": "只有中文"}, "ko") == "只有中文"  # then Chinese
    assert localized_text({}, "en") == ""
    assert localized_text(None, "en") == ""
    assert language_of(VALUE, "ko") == "en"
    with translation.override("en"):
        assert localized_text(VALUE) == "One thing, done once"
    with translation.override("zh-hans"):
        assert localized_text(VALUE) == "一件事一次办"


def test_machine_translation_is_known_per_language() -> None:
    assert is_machine_translated(VALUE, "ru")
    assert not is_machine_translated(VALUE, "en")
    assert not is_machine_translated(VALUE, "ko")  # falls back to human English


def test_localized_reads_json_fields_and_language_columns() -> None:
    notice = PublicNotice(title=VALUE)
    assert localized(notice, "title", "en") == "One thing, done once"

    class Old:
        name_zh = "旧"
        name_en = ""

    assert localized(Old(), "name", "en") == "旧"


def test_validation_canonicalises_and_refuses() -> None:
    assert validate_multilingual({"ZH-hans": " 中 ", "en": "E", "fr": "", "_machine": []}) == {
        "zh-Hans": "中",
        "en": "E",
    }
    for bad in (
        "text",
        {"en": "E"},
        {"zh-Hans": "中", "en": "E", "not a tag": "x"},
        {"zh-Hans": "中", "en": "E", "ru": 3},
        {"zh-Hans": "中", "en": "E", "_machine": ["ru"]},
        {"zh-Hans": "中", "en": "E", "_machine": "ru"},
        {"zh-Hans": "中", "zh-hans": "中", "en": "E"},
        {"zh-Hans": "中", "en": "E" * 20_001},
    ):
        with pytest.raises(MultilingualError):
            validate_multilingual(bad)
    assert validate_multilingual({}, required=False) == {}


def test_the_pydantic_type() -> None:
    adapter = TypeAdapter(Multilingual)
    assert adapter.validate_python({"zh-hans": "中", "en": "E"}) == {"zh-Hans": "中", "en": "E"}
    with pytest.raises(PydanticError):
        adapter.validate_python({"en": "E"})
    schema = adapter.json_schema()
    assert schema["required"] == ["zh-Hans", "en"]


def test_the_model_field_refuses_a_value_without_english() -> None:
    notice = PublicNotice(title={"zh-Hans": "中"})
    with pytest.raises(ValidationError):
        notice.clean_fields(
            exclude=[f.name for f in PublicNotice._meta.fields if f.name != "title"]
        )


def test_the_form_field_has_one_input_per_language_and_keeps_the_others() -> None:
    field = MultilingualFormField(languages=("zh-Hans", "en", "ko"))
    html = field.widget.render("title", {"zh-Hans": "中", "en": "E"})
    assert 'name="title_zh-Hans"' in html and 'lang="ko"' in html
    field.initial = VALUE
    cleaned = field.clean(["一件事", "One thing", "한 가지"])
    # Languages the form shows are a person's text; Russian is kept with its mark.
    assert cleaned == {
        "zh-Hans": "一件事",
        "en": "One thing",
        "ko": "한 가지",
        "ru": "Одно дело — один раз",
        "_machine": ["ru"],
    }
    with pytest.raises(ValidationError):
        MultilingualFormField().clean(["中", ""])
    assert MultilingualFormField(required=False).clean(["", ""]) == {}


def test_the_tr_filter_marks_machine_translation_and_foreign_text() -> None:
    template = Template("{% load nc %}{{ value|tr }}")
    with translation.override("ru"):
        html = template.render(Context({"value": VALUE}))
    assert html.startswith('<span lang="ru" class="nc-machine">Одно дело — один раз</span>')
    assert "nc-machine-note" in html
    with translation.override("zh-hans"):
        assert template.render(Context({"value": VALUE})) == "一件事一次办"
        only_en = {"zh-Hans": "", "en": "<b>E</b>"}
        assert (
            template.render(Context({"value": only_en}))
            == '<span lang="en">&lt;b&gt;E&lt;/b&gt;</span>'
        )
    with translation.override("en"):
        assert template.render(Context({"value": VALUE})) == "One thing, done once"
        assert template.render(Context({"value": None})) == ""
