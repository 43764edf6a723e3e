"""The job-profile tagger on the shipped vocabulary: Chinese and English text, protected tech
terms, short labels, and a dictionary that follows the taxonomy."""

from __future__ import annotations

import pytest

from nomadcloud.taxonomy import services
from nomadcloud.taxonomy.models import Alias, Concept
from nomadcloud.taxonomy.tagging import extract_tags


@pytest.fixture
def vocab(db: None) -> None:
    services.load_vocabulary()


def codes(text: str, **options: object) -> dict[str, tuple[str, ...]]:
    return {tag.code: tag.matched for tag in extract_tags(text, **options)}  # type: ignore[arg-type]


def test_chinese_text_is_tagged_with_the_words_each_tag_came_from(vocab: None) -> None:
    found = codes("负责数据清洗与标注流程，熟悉Python与SQL，有跨境电商选品经验。")
    assert found["nc.data-cleaning"] == ("数据清洗",)
    assert found["nc.python"] == ("Python",)
    assert found["nc.sql"] == ("SQL",)
    # The longest label wins: 跨境电商选品 (product selection), not only 跨境电商.
    assert found["nc.product-selection"] == ("跨境电商选品",)
    assert "nc.cross-border-ecommerce" not in found


def test_tech_terms_with_symbols_stay_whole(vocab: None) -> None:
    found = codes("熟悉C++、C#和.NET开发，了解Node.js与CI/CD，会用CSS")
    assert found["nc.cpp"] == ("C++",)
    assert found["nc.csharp"] == ("C#",)
    assert found["nc.dotnet"] == (".NET开发",)
    assert found["nc.nodejs"] == ("Node.js",)
    assert found["nc.ci-cd"] == ("CI/CD",)
    assert "nc.css" in found
    assert "nc.c" not in found  # the C of CSS or C++ is not the C language


def test_english_phrases_plurals_and_case_of_short_labels(vocab: None) -> None:
    found = codes("Senior Go engineer: machine learning, PostgreSQL databases. Ready to go!")
    assert found["nc.go"] == ("Go",)  # "go" in running text tags nothing more
    assert found["nc.machine-learning"] == ("machine learning",)
    assert found["nc.databases"] == ("databases",)
    assert codes("we go fast, r is a letter") == {}
    assert codes("statistics in R")["nc.r-lang"] == ("R",)


def test_a_phrase_does_not_run_across_punctuation(vocab: None) -> None:
    assert "nc.machine-learning" in codes("machine learning")
    assert "nc.machine-learning" not in codes("a machine. learning later")


def test_repeated_mentions_score_higher_and_come_first(vocab: None) -> None:
    tags = extract_tags("Figma, Python. Python again, and more Python.")
    assert [t.code for t in tags][:2] == ["nc.python", "nc.figma"]
    assert tags[0].score > tags[1].score
    assert tags[0].matched == ("Python",)


def test_kinds_limit_the_tags(vocab: None) -> None:
    text = "熟悉Python，会英语，有数据标注经验"
    assert set(codes(text, kinds={"language"})) == {"nc.english"}
    assert "nc.english" not in codes(text, kinds={"tool", "skill"})


def test_the_dictionary_follows_new_concepts_and_aliases(vocab: None) -> None:
    assert "nc.test-new" not in codes("我们使用鸿蒙开发框架")
    concept = Concept.objects.create(
        code="nc.test-new", kind="tool", label_zh="鸿蒙开发框架", label_en="ArkUI",
        source="nomadcloud",
    )  # fmt: skip
    assert codes("我们使用鸿蒙开发框架")["nc.test-new"] == ("鸿蒙开发框架",)
    Alias.objects.create(concept=concept, language="en", label="ArkTS UI", normalized="arkts ui")
    assert codes("ArkTS UI and more")["nc.test-new"] == ("ArkTS UI",)


def test_occupations_and_imported_long_tail_are_not_tags(db: None) -> None:
    Concept.objects.create(
        code="esco.x", kind="occupation", label_en="web developer", source="esco"
    )
    Concept.objects.create(code="onet.x.word", kind="tool", label_en="Word", source="onet")
    Concept.objects.create(
        code="onet.x.jira", kind="tool", label_en="Jira", source="onet", hot_technology=True
    )
    assert codes("a web developer who uses Word and Jira") == {"onet.x.jira": ("Jira",)}


def test_function_words_tag_a_skill_only_when_used_as_one(vocab: None) -> None:
    """招聘 ("hiring") opens job posts and 策划 means "plan": neither is a skill there."""
    found = codes("招聘主播3名，策划一场直播活动。We are hiring a video editor.")
    assert "nc.recruitment" not in found
    assert "nc.game-design" not in found
    assert "nc.live-streaming" in found  # the rest is still tagged
    assert "nc.recruitment" in codes("负责招聘与面试安排，有招聘经验")
    assert "nc.recruitment" in codes("3 years of recruitment experience")
    assert "nc.game-design" in codes("游戏策划，熟悉数值平衡")
