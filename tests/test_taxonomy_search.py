"""Finding concepts by name (taxonomy/lookup.py, GET /api/v1/taxonomy/search): ranking,
pinyin, kinds, paging, the closest names for an unknown name, bad parameters, the picker
widget and ConceptsField, and the demand list filter accepting names."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django import forms
from django.test import Client
from django.utils import translation

from nomadcloud.taxonomy import lookup
from nomadcloud.taxonomy.models import Alias, Concept
from nomadcloud.taxonomy.text import normalize
from nomadcloud.taxonomy.widgets import ConceptsField
from tests.conftest import World, client_for
from tests.helpers import assert_error

API = "/api/v1/taxonomy/search"


@pytest.fixture(autouse=True)
def fresh_index() -> Iterator[None]:
    # Rolled-back rows can leave the vocabulary's stamp as it was: start each test afresh.
    lookup.forget()
    yield
    lookup.forget()


def _client(language: str = "en") -> Client:
    return client_for(None, HTTP_ACCEPT_LANGUAGE=language)


def _concept(
    code: str, zh: str, en: str, kind: str = "skill", *aliases: tuple[str, str]
) -> Concept:
    found = Concept.objects.create(
        code=code, kind=kind, label_zh=zh, label_en=en, source="nomadcloud"
    )
    for language, label in aliases:
        Alias.objects.create(
            concept=found, language=language, label=label, normalized=normalize(label)
        )
    return found


@pytest.fixture
def names(db: None) -> dict[str, Concept]:
    return {
        "labelling": _concept(
            "t.labelling", "数据标注", "data labelling", "skill", ("en", "data annotation")
        ),
        "labeller": _concept("t.labeller", "数据标注员", "data labeller", "occupation"),
        "cleaning": _concept(
            "t.cleaning", "数据清洗", "data cleaning", "skill", ("zh-hans", "数据标注清理")
        ),
        "annotator": _concept("t.annotator", "标注工具", "annotation tool", "tool"),
        "python": _concept("t.python", "Python 开发", "Python development", "skill"),
        "chinese": _concept("t.chinese", "中文", "Chinese", "language", ("en", "Mandarin")),
        "scrubbing": _concept("t.scrub", "", "labelling data scrub", "skill"),
    }


def _codes(hits: list[lookup.Hit]) -> list[str]:
    return [hit.code for hit in hits]


def test_exact_over_prefix_over_contains_over_pinyin(names: dict[str, Concept]) -> None:
    hits = lookup.search("数据标注")
    ranked = [(h.code, h.match.name, h.via.name) for h in hits]
    assert ranked[0] == ("t.labelling", "EXACT", "LABEL")
    assert ranked[1] == ("t.labeller", "PREFIX", "LABEL")
    # A prefix through another name ranks below a prefix through a preferred label.
    assert ranked[2] == ("t.cleaning", "PREFIX", "ALIAS")
    english = lookup.search("labelling")
    assert _codes(english)[:2] == ["t.scrub", "t.labelling"]  # prefix before contains
    assert english[1].match is lookup.Match.CONTAINS


def test_preferred_label_above_alias(names: dict[str, Concept]) -> None:
    _concept("t.annotation", "标注", "data annotation", "skill")
    hits = lookup.search("data annotation")
    assert _codes(hits)[:2] == ["t.annotation", "t.labelling"]
    assert hits[1].via is lookup.Via.ALIAS and hits[1].matched == "data annotation"


def test_pinyin_initials_and_full_pinyin(names: dict[str, Concept]) -> None:
    initials = lookup.search("sjbz")
    assert _codes(initials)[:2] == ["t.labelling", "t.labeller"]
    assert initials[0].match is lookup.Match.PINYIN and initials[0].matched == "数据标注"
    assert _codes(lookup.search("shujubiaozhu"))[0] == "t.labelling"
    assert _codes(lookup.search("shuju biaozhu"))[0] == "t.labelling"
    # Pinyin ranks below a word match: "biao" is in no English name, "data" is.
    assert lookup.search("data")[-1].match is not lookup.Match.PINYIN


def test_kind_filter(names: dict[str, Concept]) -> None:
    assert _codes(lookup.search("数据标注", ("occupation",))) == ["t.labeller"]
    assert _codes(lookup.search("mandarin", ("language",))) == ["t.chinese"]
    assert lookup.search("mandarin", ("skill",)) == []


def test_resolve_names_and_codes(names: dict[str, Concept]) -> None:
    assert lookup.resolve("数据标注") == "t.labelling"
    assert lookup.resolve("Data Annotation") == "t.labelling"
    assert lookup.resolve("t.python") == "t.python"
    assert lookup.resolve("python开发") == "t.python"
    assert lookup.resolve("数据") is None  # a prefix is not a name
    assert lookup.resolve("数据标注", ("tool",)) is None


def test_suggestions_for_an_unknown_name(names: dict[str, Concept]) -> None:
    assert lookup.search("data labeling") == []
    assert "t.labelling" in _codes(lookup.suggest("data labeling"))
    assert "t.labelling" in _codes(lookup.suggest("数据标柱"))


def test_index_follows_the_vocabulary(names: dict[str, Concept]) -> None:
    assert lookup.search("区块链") == []
    _concept("t.chain", "区块链", "blockchain")
    lookup.forget()  # the stamp is read every STAMP_SECONDS; don't wait for it
    assert _codes(lookup.search("区块链")) == ["t.chain"]
    Concept.objects.filter(code="t.chain").update(is_active=False)
    lookup.forget()
    assert lookup.search("区块链") == []


def test_api_answers_ranked_and_localized(names: dict[str, Concept]) -> None:
    body = _client("en").get(API, {"q": "sjbz", "kind": "skill"}).json()
    assert body["items"][0] == {
        "code": "t.labelling",
        "kind": "skill",
        "label": "data labelling",
        "matched": "数据标注",
        "match": "pinyin",
        "matched_in": "pinyin",
    }
    zh = _client("zh-hans").get(API, {"q": "data annotation"}).json()["items"][0]
    assert (zh["label"], zh["match"], zh["matched_in"]) == ("数据标注", "exact", "alias")
    both = _client().get(f"{API}?q=数据&kind=skill&kind=occupation").json()["items"]
    assert {i["kind"] for i in both} == {"skill", "occupation"}


def test_api_pages(names: dict[str, Concept]) -> None:
    first = _client().get(API, {"q": "数据", "limit": 2}).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    second = _client().get(API, {"q": "数据", "limit": 2, "cursor": first["next_cursor"]}).json()
    codes = [i["code"] for i in first["items"] + second["items"]]
    assert second["next_cursor"] is None
    assert codes == ["t.labelling", "t.cleaning", "t.labeller"]  # shorter names first
    everything = _client().get(API, {"q": "数据", "limit": 50}).json()
    assert [i["code"] for i in everything["items"]] == codes
    assert everything["next_cursor"] is None


def test_api_suggests_for_an_unknown_name(names: dict[str, Concept]) -> None:
    items = _client().get(API, {"q": "data labeling"}).json()["items"]
    assert items and {i["match"] for i in items} == {"similar"}
    assert "t.labelling" in [i["code"] for i in items]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({"q": "x", "kind": "planet"}, "kind.0"),
        ({"q": "x", "limit": 0}, "limit"),
        ({"q": "x", "limit": 51}, "limit"),
        ({"q": "x", "cursor": "bm90LWEtY3Vyc29y"}, "cursor"),
        ({}, "q"),
    ],
)
def test_api_refuses_bad_parameters(db: None, query: dict[str, Any], field: str) -> None:
    response = _client().get(API, query)
    assert_error(response, "invalid_input", field=field)


class _Form(forms.Form):
    skills = ConceptsField(kinds=("skill",), required=False)


def test_concepts_field_resolves_names_and_codes(names: dict[str, Concept]) -> None:
    form = _Form({"skills": "数据标注、t.python， data cleaning"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["skills"] == ["t.labelling", "t.python", "t.cleaning"]


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "Did you mean: data labelling"), ("zh-hans", "data labelling")],
)
def test_concepts_field_suggests_the_closest(
    names: dict[str, Concept], language: str, expected: str
) -> None:
    with translation.override(language):
        form = _Form({"skills": "data labeling"})
        assert not form.is_valid()
        message = form.errors["skills"][0]
    assert "data labeling" in message
    if language == "en":
        assert expected in message
    else:
        assert "数据标注" in message


def test_widget_renders_its_aria_attributes(names: dict[str, Concept]) -> None:
    with translation.override("en"):
        html = str(_Form({"skills": "t.labelling"})["skills"])
    for attribute in (
        'role="combobox"',
        'aria-autocomplete="list"',
        'aria-expanded="false"',
        'aria-controls="id_skills_listbox"',
        'role="listbox"',
        'id="id_skills_listbox"',
        'role="status"',
        'data-search-url="/api/v1/taxonomy/search"',
        'data-kinds="skill"',
        'data-label-remove="Remove %(name)s"',
        "data labelling",  # the chosen concept's label, for its chip
    ):
        assert attribute in html, attribute
    assert "<script" not in html


def test_demand_list_filter_accepts_names(world: World) -> None:
    from tests.test_demands_pages import listing as make_listing

    make_listing.__wrapped__(world)  # type: ignore[attr-defined]
    lookup.forget()
    client = client_for(None, HTTP_ACCEPT_LANGUAGE="en")
    by_code = client.get("/demands/?skill=nc.data-annotation")
    by_name = client.get("/demands/?skill=数据标注")
    assert by_name.status_code == 200
    assert "Image labelling" in by_name.content.decode()
    assert "Python data engineer" not in by_name.content.decode()
    assert by_code.content.decode().count("Image labelling") == by_name.content.decode().count(
        "Image labelling"
    )
    unknown = client.get("/demands/?skill=data anotation")
    assert unknown.status_code == 200  # the list's filters never refuse the page
    assert "Did you mean" in unknown.content.decode()
    assert "Image labelling" not in unknown.content.decode()
    assert "concept-picker.js" in by_name.content.decode()
