"""Chinese by default, English complete, switchable on every page and remembered per person."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po
from django.template import Context, Template
from django.test import Client
from django.utils import formats, translation

from nomadcloud.core.money import format_cny
from tests.conftest import World, client_for
from tests.helpers import assert_page_refused

PACKAGE = Path(__file__).resolve().parent.parent / "nomadcloud"
ZH_PO = PACKAGE / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_chinese_is_the_default(db: None) -> None:
    page = Client().get("/").content.decode()
    assert 'lang="zh-Hans"' in page
    assert "登录" in page


def test_switching_to_english_and_back(db: None) -> None:
    client = Client()
    response = client.post("/language", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert 'lang="en"' in client.get("/").content.decode()
    client.post("/language", {"language": "zh-hans", "next": "/"})
    assert 'lang="zh-Hans"' in client.get("/").content.decode()


def test_an_unknown_language_is_refused_in_the_current_language(world: World) -> None:
    client = client_for(world.bob)
    response = client.post(
        "/language", {"language": "xx-evil", "next": "/"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert_page_refused(response, 400, "xx-evil")
    world.bob.refresh_from_db()
    assert world.bob.preferred_language == "zh-hans"


def test_the_choice_is_remembered_on_the_person(world: World) -> None:
    client_for(world.bob).post("/language", {"language": "en", "next": "/"})
    world.bob.refresh_from_db()
    assert world.bob.preferred_language == "en"
    fresh = client_for(world.bob)  # another browser, no language cookie
    assert 'lang="en"' in fresh.get("/accounts/workspace/").content.decode()


def test_redirects_after_switching_stay_on_this_site(db: None) -> None:
    response = Client().post("/language", {"language": "en", "next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_dates_numbers_and_money_follow_the_language() -> None:
    with translation.override("zh-hans"):
        assert formats.date_format(date(2026, 11, 21), "DATE_FORMAT") == "2026年11月21日"
        assert format_cny(Decimal("1234567.5")) == "¥1,234,567.50"
    with translation.override("en"):
        assert formats.date_format(date(2026, 11, 21), "DATE_FORMAT") == "Nov. 21, 2026"


def test_every_message_is_translated_into_chinese() -> None:
    with ZH_PO.open("rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not _translated(m.string)]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert untranslated == []
    assert fuzzy == []


def _translated(value: Any) -> bool:
    if isinstance(value, tuple):
        return all(value)
    return bool(value)


def test_the_catalogue_holds_every_string_in_the_code(tmp_path: Path) -> None:
    """Extract messages from a copy of the package and compare with the committed file."""
    copy = tmp_path / "nomadcloud"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "*.mo"))
    original = ZH_PO.read_bytes()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "django",
            "makemessages",
            "-l",
            "zh_Hans",
            "--no-location",
            "--no-obsolete",
            "--ignore",
            "testing/*",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "nomadcloud.settings"},
    )
    assert ZH_PO.read_bytes() == original  # only the copy was written
    with (copy / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po").open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    with ZH_PO.open("rb") as handle:
        committed = {m.id for m in read_po(handle) if m.id}
    assert extracted - committed == set(), "run makemessages and translate the new strings"


def test_points_are_jifen_never_defen_in_chinese() -> None:
    """The ledger's currency is 积分 (docs/glossary.md); 得分 is a score. A rubric's points
    (context "rubric") and a match score ("%(score)s points") are scores, not the currency."""
    with ZH_PO.open("rb") as handle:
        catalog = read_po(handle)
    wrong = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        about_points = any(re.search(r"\bpoints?\b", i, re.IGNORECASE) for i in ids if i)
        a_score = message.context == "rubric" or any("%(score)s points" in i for i in ids if i)
        if about_points and not a_score and any("得分" in s for s in strings if s):
            wrong.append(ids[0])
    assert wrong == []
    with translation.override("zh-hans"):
        assert translation.gettext("Points") == "积分"
        assert translation.gettext("points") == "积分"
        assert translation.pgettext("rubric", "Points") == "分值"


@pytest.mark.parametrize(
    ("amount", "chinese", "english"),
    [
        ("2000000000", "20亿元", "¥2 billion"),
        ("35000", "3.5万元", "¥35,000"),
        ("9999", "9,999元", "¥9,999"),
        ("9999.50", "9,999.50元", "¥9,999.50"),
        ("10000", "1万元", "¥10,000"),
        ("123456789", "1.23亿元", "¥123.46 million"),
        ("99999999", "1亿元", "¥100 million"),
        ("1500000", "150万元", "¥1.5 million"),
        ("-35000", "-3.5万元", "-¥35,000"),
    ],
)
def test_headline_amounts_count_in_wan_and_yi_on_chinese_pages(
    amount: str, chinese: str, english: str
) -> None:
    rendered = Template("{% load nc %}{{ amount|cny_headline }}")
    with translation.override("zh-hans"):
        assert rendered.render(Context({"amount": Decimal(amount)})) == chinese
    with translation.override("en"):
        assert rendered.render(Context({"amount": Decimal(amount)})) == english


def test_the_home_page_states_the_revenue_target_in_the_page_language(db: None) -> None:
    client = Client()
    chinese = client.get("/").content.decode()
    assert "<strong>20亿元</strong>" in chinese and "billion" not in chinese
    client.cookies["nomadcloud_language"] = "en"
    assert "<strong>¥2 billion</strong>" in client.get("/").content.decode()
