"""The taxonomy's pages and read API: search in Chinese and English (labels and aliases),
filters, each concept's page with its names and hierarchy, the occupation–skill links, the
tag preview, and the zone operator's record of imports."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from nomadcloud.accounts import services as accounts
from nomadcloud.accounts.principal import Principal
from nomadcloud.taxonomy.models import Alias, Concept, ImportRun, OccupationSkill
from nomadcloud.taxonomy.text import normalize
from tests.builders.taxonomy import import_run
from tests.conftest import World, client_for
from tests.helpers import assert_error


def _client(user: Any = None, language: str = "en", **extra: Any) -> Client:
    return client_for(user, HTTP_ACCEPT_LANGUAGE=language, **extra)


def _concept(code: str, label_zh: str, label_en: str, **fields: Any) -> Concept:
    fields.setdefault("kind", "skill")
    fields.setdefault("source", "nomadcloud")
    return Concept.objects.create(code=code, label_zh=label_zh, label_en=label_en, **fields)


def _alias(concept: Concept, language: str, label: str) -> Alias:
    return Alias.objects.create(
        concept=concept, language=language, label=label, normalized=normalize(label)
    )


@pytest.fixture
def taxonomy(db: None) -> dict[str, Concept]:
    python_dev = _concept(
        "nc.python-development", "Python 开发", "Python development", category="software"
    )
    python = _concept("nc.python", "Python", "Python", kind="tool", category="software")
    cpp = _concept("nc.cpp", "C++", "C++", kind="tool", category="software")
    labelling = _concept(
        "nc.data-labelling",
        "数据标注",
        "data labelling",
        category="data",
        description_zh="为图像、文本等数据添加标签。",
        description_en="Adding labels to images, text and other data.",
    )
    _alias(labelling, "en", "Data Annotation")
    _alias(labelling, "zh-hans", "数据打标")
    ml = _concept("nc.machine-learning", "机器学习", "machine learning", category="ai")
    deep = _concept("nc.deep-learning", "深度学习", "deep learning", category="ai")
    deep.broader.add(ml)
    ml.related.add(python)
    labeller = _concept(
        "esco.labeller",
        "数据标注员",
        "data labeller",
        kind="occupation",
        source="esco",
        esco_uri="http://data.europa.eu/esco/occupation/labeller",
    )
    OccupationSkill.objects.create(
        occupation=labeller, skill=labelling, relation="essential", source="esco"
    )
    OccupationSkill.objects.create(
        occupation=labeller, skill=python, relation="optional", source="esco"
    )
    web = _concept(
        "onet.43232408",
        "",
        "Web platform development software",
        kind="tool",
        source="onet",
        onet_code="43232408",
        hot_technology=True,
        in_demand=True,
    )
    flash = _concept("nc.flash", "Flash", "Flash", kind="tool", is_active=False)
    return {
        "python_dev": python_dev,
        "python": python,
        "cpp": cpp,
        "labelling": labelling,
        "ml": ml,
        "deep": deep,
        "labeller": labeller,
        "web": web,
        "flash": flash,
    }


def _section(page: str, testid: str) -> str:
    """The list marked with this data-testid."""
    start = page.index(f'data-testid="{testid}"')
    return page[start : page.index("</ul>", start)]


def _codes(response: Any) -> list[str]:
    assert response.status_code == 200
    return re.findall(r"<td><code>([^<]+)</code></td>", response.content.decode())


# --- the search page ----------------------------------------------------------------------------


def test_search_finds_a_concept_by_its_chinese_label(taxonomy: dict[str, Concept]) -> None:
    codes = _codes(_client().get("/taxonomy/", {"q": "数据标注"}))
    # The skill whose label is equal comes first, then the occupation whose label contains it.
    assert codes == ["nc.data-labelling", "esco.labeller"]


def test_search_finds_a_concept_by_an_english_alias_in_any_case(
    taxonomy: dict[str, Concept],
) -> None:
    assert _codes(_client().get("/taxonomy/", {"q": "data annotation"})) == ["nc.data-labelling"]
    assert _codes(_client().get("/taxonomy/", {"q": "ANNOTATION"})) == ["nc.data-labelling"]
    assert _codes(_client().get("/taxonomy/", {"q": "数据打标"})) == ["nc.data-labelling"]


def test_search_puts_equal_labels_before_longer_ones(taxonomy: dict[str, Concept]) -> None:
    # nc.python-development was created first, but "Python" is nc.python's whole label.
    assert _codes(_client().get("/taxonomy/", {"q": "python"})) == [
        "nc.python",
        "nc.python-development",
    ]
    # Spaces beside Chinese do not matter: "Python开发" finds "Python 开发".
    assert _codes(_client().get("/taxonomy/", {"q": "Python开发"})) == ["nc.python-development"]


def test_filters_exclude_the_others(taxonomy: dict[str, Concept]) -> None:
    client = _client()
    assert _codes(client.get("/taxonomy/", {"kind": "occupation"})) == ["esco.labeller"]
    assert _codes(client.get("/taxonomy/", {"source": "onet"})) == ["onet.43232408"]
    assert _codes(client.get("/taxonomy/", {"category": "ai"})) == [
        "nc.machine-learning",
        "nc.deep-learning",
    ]
    assert _codes(client.get("/taxonomy/", {"hot": "on"})) == ["onet.43232408"]
    assert _codes(client.get("/taxonomy/", {"q": "learning", "kind": "tool"})) == []


def test_search_leaves_out_concepts_no_longer_in_use(taxonomy: dict[str, Concept]) -> None:
    assert _codes(_client().get("/taxonomy/", {"q": "flash"})) == []
    everything = _codes(_client().get("/taxonomy/"))
    assert "nc.flash" not in everything
    assert len(everything) == 8


def test_an_unknown_filter_value_is_shown_and_the_others_still_apply(
    taxonomy: dict[str, Concept],
) -> None:
    response = _client().get("/taxonomy/", {"kind": "tool", "category": "no-such-category"})
    assert _codes(response) == ["nc.python", "nc.cpp", "onet.43232408"]
    assert "errorlist" in response.content.decode()


def test_the_search_page_is_paged_by_fifty(db: None) -> None:
    Concept.objects.bulk_create(
        Concept(
            code=f"nc.skill-{n:03}", kind="skill", label_en=f"Skill {n:03}", source="nomadcloud"
        )
        for n in range(60)
    )
    first = _client().get("/taxonomy/", {"q": "skill"})
    assert len(_codes(first)) == 50
    assert 'data-testid="next-page"' in first.content.decode()
    second = _codes(_client().get("/taxonomy/", {"q": "skill", "page": 2}))
    assert second == [f"nc.skill-{n:03}" for n in range(50, 60)]


def test_the_search_page_speaks_chinese(taxonomy: dict[str, Concept]) -> None:
    page = _client(language="zh-hans").get("/taxonomy/", {"q": "machine"}).content.decode()
    assert ">机器学习</a>" in page
    assert '<small lang="en">machine learning</small>' in page


# --- a concept's page ---------------------------------------------------------------------------


def test_a_concept_page_shows_names_aliases_and_hierarchy(taxonomy: dict[str, Concept]) -> None:
    page = _client().get("/taxonomy/concepts/nc.data-labelling/").content.decode()
    assert '<h1 data-testid="concept-title">data labelling</h1>' in page
    # English first for an English reader, then Chinese.
    assert page.index('data-testid="label-en"') < page.index('data-testid="label-zh-Hans"')
    assert page.index("Adding labels to images") < page.index("为图像、文本等数据添加标签")
    assert re.search(r'data-testid="aliases-en">.*Data Annotation', page)
    assert re.search(r'data-testid="aliases-zh-Hans">.*数据打标', page)
    # The occupation that needs it, and as what.
    occupations = _section(page, "occupation-list")
    assert "data labeller" in occupations
    assert "Essential" in occupations

    deep = _client().get("/taxonomy/concepts/nc.deep-learning/").content.decode()
    assert "/taxonomy/concepts/nc.machine-learning/" in _section(deep, "broader")
    ml = _client(language="zh-hans").get("/taxonomy/concepts/nc.machine-learning/")
    text = ml.content.decode()
    assert '<h1 data-testid="concept-title">机器学习</h1>' in text
    assert "深度学习" in _section(text, "narrower")
    assert "Python" in _section(text, "related")


def test_an_occupation_page_lists_essential_and_optional_skills(
    taxonomy: dict[str, Concept],
) -> None:
    page = _client().get("/taxonomy/concepts/esco.labeller/").content.decode()
    essential = _section(page, "essential-skills")
    optional = _section(page, "optional-skills")
    assert "data labelling" in essential and "Python" not in essential
    assert "Python" in optional
    assert 'href="http://data.europa.eu/esco/occupation/labeller"' in page


def test_a_tool_page_shows_the_onet_badges(taxonomy: dict[str, Concept]) -> None:
    page = _client().get("/taxonomy/concepts/onet.43232408/").content.decode()
    assert 'data-testid="badge-hot-technology"' in page
    assert 'data-testid="badge-in-demand"' in page
    assert "43232408" in page


def test_only_web_links_are_linked(db: None) -> None:
    _concept("esco.odd", "", "Odd", source="esco", esco_uri="javascript:alert(1)")
    page = _client().get("/taxonomy/concepts/esco.odd/").content.decode()
    assert 'href="javascript' not in page
    assert "javascript:alert(1)" in page


def test_long_lists_on_a_concept_page_are_capped_with_a_count(db: None) -> None:
    parent = _concept("nc.parent", "父", "parent")
    children = Concept.objects.bulk_create(
        Concept(code=f"nc.child-{n}", kind="skill", label_en=f"child {n}", source="nomadcloud")
        for n in range(53)
    )
    parent.narrower.add(*children)
    page = _client().get("/taxonomy/concepts/nc.parent/").content.decode()
    assert _section(page, "narrower").count("/taxonomy/concepts/nc.child-") == 50
    assert "and 3 more" in page[page.index('data-testid="narrower"') :]


def test_a_concept_page_takes_a_fixed_number_of_queries(
    taxonomy: dict[str, Concept], django_assert_max_num_queries: Any
) -> None:
    labelling = taxonomy["labelling"]
    for n in range(20):
        _alias(labelling, "en", f"labelling {n}")
        occupation = _concept(f"esco.occupation-{n}", "", f"occupation {n}", kind="occupation")
        OccupationSkill.objects.create(
            occupation=occupation, skill=labelling, relation="optional", source="esco"
        )
    with django_assert_max_num_queries(8):
        response = _client().get("/taxonomy/concepts/nc.data-labelling/")
    assert response.status_code == 200


def test_an_unknown_code_is_not_found(db: None) -> None:
    assert _client().get("/taxonomy/concepts/nc.nothing/").status_code == 404


# --- the API ------------------------------------------------------------------------------------


def test_the_api_lists_concepts_page_by_page_best_first(taxonomy: dict[str, Concept]) -> None:
    client = _client()
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"q": "python", "limit": 1}
        if cursor:
            params["cursor"] = cursor
        body = client.get("/api/v1/taxonomy/concepts", params).json()
        seen += [c["code"] for c in body["items"]]
        cursor = body["next_cursor"]
        if cursor is None:
            break
    assert seen == ["nc.python", "nc.python-development"]

    everything = client.get("/api/v1/taxonomy/concepts", {"limit": 5}).json()
    assert len(everything["items"]) == 5 and everything["next_cursor"]
    rest = client.get(
        "/api/v1/taxonomy/concepts", {"limit": 5, "cursor": everything["next_cursor"]}
    ).json()
    codes = [c["code"] for c in everything["items"] + rest["items"]]
    assert len(codes) == len(set(codes)) == 8
    assert rest["next_cursor"] is None


def test_the_api_filters_and_localizes(taxonomy: dict[str, Concept]) -> None:
    items = (
        _client(language="zh-hans")
        .get("/api/v1/taxonomy/concepts", {"q": "annotation", "kind": "skill"})
        .json()["items"]
    )
    assert [(c["code"], c["label"]) for c in items] == [("nc.data-labelling", "数据标注")]
    assert items[0]["url"].endswith("/taxonomy/concepts/nc.data-labelling/")
    hot = _client().get("/api/v1/taxonomy/concepts", {"hot": "true"}).json()["items"]
    assert [c["code"] for c in hot] == ["onet.43232408"]


def test_the_api_returns_a_concept_with_aliases_and_relations(
    taxonomy: dict[str, Concept],
) -> None:
    body = _client().get("/api/v1/taxonomy/concepts/nc.machine-learning").json()
    assert body["label"] == "machine learning"
    assert body["narrower"] == ["nc.deep-learning"]
    assert body["related"] == ["nc.python"]
    assert body["broader"] == []
    labelling = _client().get("/api/v1/taxonomy/concepts/nc.data-labelling").json()
    assert {(a["language"], a["label"]) for a in labelling["aliases"]} == {
        ("en", "Data Annotation"),
        ("zh-hans", "数据打标"),
    }


def test_the_api_answers_unknown_codes_and_bad_input_with_the_envelope(db: None) -> None:
    client = _client()
    missing = client.get("/api/v1/taxonomy/concepts/nc.nothing")
    assert missing.status_code == 404
    assert missing.json() == {
        "code": "not_found",
        "message": "No such concept: nc.nothing.",
        "fields": {},
    }
    bad_kind = client.get("/api/v1/taxonomy/concepts", {"kind": "hobby"})
    assert list(assert_error(bad_kind, "invalid_input")["fields"]) == ["kind"]
    bad_cursor = client.get("/api/v1/taxonomy/concepts", {"cursor": "nonsense"})
    assert list(assert_error(bad_cursor, "invalid_input")["fields"]) == ["cursor"]
    chinese = _client(language="zh-hans").get("/api/v1/taxonomy/concepts/nc.nothing").json()
    assert chinese["code"] == "not_found"


# --- the tag preview ----------------------------------------------------------------------------


def _tag(client: Client, body: dict[str, Any]) -> Any:
    return client.post("/api/v1/taxonomy/tag", body, content_type="application/json")


def test_the_tag_preview_finds_cpp_in_chinese_text(
    world: World, taxonomy: dict[str, Concept]
) -> None:
    response = _tag(_client(world.olivia), {"text": "熟悉C++和Python开发"})
    assert response.status_code == 200, response.content
    tags = response.json()["tags"]
    codes = [t["code"] for t in tags]
    assert "nc.cpp" in codes
    cpp = tags[codes.index("nc.cpp")]
    assert cpp["matched"] == ["C++"]
    assert cpp["kind"] == "tool" and 0 < cpp["score"] <= 1
    tools_only = _tag(_client(world.olivia), {"text": "熟悉C++和Python开发", "kinds": ["skill"]})
    assert "nc.cpp" not in [t["code"] for t in tools_only.json()["tags"]]


def test_the_tag_preview_is_for_signed_in_callers_and_saves_nothing(
    world: World, taxonomy: dict[str, Concept]
) -> None:
    body = {"text": "熟悉C++"}
    anonymous = _tag(_client(), body)
    assert_error(anonymous, "not_authenticated")
    for persona in (world.charlie, world.rita, world.wendy, world.oscar):
        assert _tag(_client(persona), body).status_code == 200
    org_key = _client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}")
    assert _tag(org_key, body).status_code == 200
    _token, read_secret = accounts.create_personal_token(
        principal=Principal.for_user(world.olivia), name="reader", scope="read"
    )
    read_only = _tag(_client(HTTP_AUTHORIZATION=f"Bearer {read_secret}"), body)
    assert_error(read_only, "scope")


def test_the_tag_preview_names_the_field_that_is_wrong(world: World) -> None:
    client = _client(world.olivia)
    too_long = _tag(client, {"text": "x" * 20001})
    messages = assert_error(too_long, "invalid_input", field="text")["fields"]["text"]
    assert len(messages) == 1 and "20000" in messages[0]
    bad_kind = _tag(client, {"text": "C++", "kinds": ["hobby"]})
    assert list(assert_error(bad_kind, "invalid_input")["fields"]) == ["kinds.0"]
    missing = _tag(_client(world.olivia, language="zh-hans"), {})
    assert list(assert_error(missing, "invalid_input")["fields"]) == ["text"]


# --- imports (the zone operator) ----------------------------------------------------------------


def _refused_run() -> ImportRun:
    refused = {
        "file": "occupations_en.csv",
        "status": "refused",
        "error": "The column conceptUri is missing.",
        "rows_read": 0,
        "skipped_rows": [],
    }
    return ImportRun.objects.create(
        source="esco",
        finished_at=timezone.now(),
        report={"source": "esco", "directory": "/srv/esco", "files": [refused], "totals": {}},
    )


def test_the_operator_sees_each_import_and_its_skipped_rows(world: World) -> None:
    run = import_run(world)
    refused = _refused_run()
    client = _client(world.oscar)
    listing = client.get("/taxonomy/imports/").content.decode()
    assert listing.count('data-testid="import-run"') == 2
    assert f"/taxonomy/imports/{run.pk}/" in listing
    page = client.get(f"/taxonomy/imports/{run.pk}/").content.decode()
    assert "skills_en.csv" in page
    assert re.search(r'data-testid="skipped-rows"><li>Row 3: no English label', page)
    refused_page = client.get(f"/taxonomy/imports/{refused.pk}/").content.decode()
    assert 'data-testid="file-refused"' in refused_page
    assert "The column conceptUri is missing." in refused_page
    assert client.get("/taxonomy/imports/999999/").status_code == 404


def test_the_operator_reads_imports_in_the_api(world: World) -> None:
    run = import_run(world)
    client = _client(world.oscar)
    items = client.get("/api/v1/taxonomy/imports").json()["items"]
    assert [(i["id"], i["totals"]["created"]) for i in items] == [(run.pk, 2)]
    detail = client.get(f"/api/v1/taxonomy/imports/{run.pk}").json()
    assert detail["directory"] == "/srv/esco"
    assert detail["files"][0]["skipped_rows"] == [{"row": 3, "reason": "no English label"}]
    assert_error(_client(world.olivia).get(f"/api/v1/taxonomy/imports/{run.pk}"), "operator_only")
    assert_error(client.get("/api/v1/taxonomy/imports/999999"), "not_found")
