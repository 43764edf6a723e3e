"""No raw value on any page a person reads: every page each demo persona reaches from its
workspace (two clicks, one page of each kind), in Chinese and in English, is read as a person
sees it (text, placeholders, titles, labels) and fails on

- an enum value where its label belongs (``published``, ``owner``, ``draft → published``),
- a Python dict or JSON object, ``None``, an internal concept code (``nc.data-annotation``),
- on a Chinese page, an English sentence from the catalogue left untranslated.

Text inside ``<code>``, ``<pre>``, ``<kbd>`` and ``<samp>`` is shown as code on purpose.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from babel.messages.pofile import read_po
from django.apps import apps
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings

from nomadcloud.accounts.demo import PERSONAS
from nomadcloud.accounts.models import User
from tests.conftest import FAST_HASHERS

# What a person reads on a page does not depend on the database (docs/decisions/0047).
pytestmark = pytest.mark.one_database("sqlite")

ZH_PO = Path(__file__).resolve().parent.parent / "nomadcloud/locale/zh_Hans/LC_MESSAGES/django.po"
SKIPPED = ("/accounts/logout", "/admin/", "/api/", "/static/", "/media/", "/i18n/")
CODE_TAGS = {"code", "pre", "kbd", "samp", "script", "style", "textarea"}
SHOWN_ATTRIBUTES = {"placeholder", "title", "aria-label", "alt"}
DICT_OR_JSON = re.compile(r"""[{\[]\s*['"][\w.-]+['"]\s*:""")
IDENTIFIER = re.compile(r"[a-z][a-z0-9_]+")
CONCEPT_CODE = re.compile(r"\bnc\.[a-z][a-z0-9-]+\b")


def raw_choice_values() -> set[str]:
    """Every enum value of every model whose label differs from it."""
    values = set()
    for model in apps.get_models():
        for field in model._meta.get_fields():
            for value, label in getattr(field, "choices", None) or ():
                # Lower-case identifiers only: upper-case codes (ISO countries such as AI)
                # collide with words people write (an alias "AI").
                if isinstance(value, str) and value != str(label) and IDENTIFIER.fullmatch(value):
                    values.add(value)
    return values


def untranslated_english() -> set[str]:
    """Catalogue sentences (two words or more) that have a Chinese translation."""
    with ZH_PO.open("rb") as handle:
        return {
            m.id
            for m in read_po(handle)
            if isinstance(m.id, str)
            and m.string
            and m.string != m.id  # a name kept as it is (Open Badges 3.0)
            and " " in m.id.strip()
            and "%" not in m.id
        }


class Reader(HTMLParser):
    """What a person reads: text nodes and the attributes a browser shows."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.code_depth = 0
        self.texts: list[str] = []
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in CODE_TAGS:
            self.code_depth += 1
        for name, value in attrs:
            if name in SHOWN_ATTRIBUTES and value:
                self.texts.append(value.strip())
            if tag == "a" and name == "href" and value:
                self.links.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag in CODE_TAGS and self.code_depth:
            self.code_depth -= 1

    def handle_data(self, data: str) -> None:
        if not self.code_depth and data.strip():
            self.texts.append(" ".join(data.split()))


def shape(path: str) -> str:
    return re.sub(r"[0-9a-f]{8}-[0-9a-f-]{27}|(?<=/)\d+(?=/|$)", "*", path.split("?")[0])


def internal(href: str) -> str | None:
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return None
    if parts.path.startswith(SKIPPED) or "download" in parts.path or "export" in parts.path:
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def problems(texts: list[str], language: str, raw: set[str], english: set[str]) -> list[str]:
    found = []
    for text in texts:
        words = [w.strip("·,:;()（）") for w in re.split(r"\s+|→", text)]
        # An English label can be the value's own word ("confirmed", "None"): in English only
        # values no person writes (with an underscore, or a transition) count.
        shown_raw = text in raw and (language == "zh-hans" or "_" in text)
        if shown_raw or (("→" in text) and all(w in raw for w in words if w)):
            found.append(f"raw value {text!r}")
        elif DICT_OR_JSON.search(text) or (text == "None" and language == "zh-hans"):
            found.append(f"dict, JSON or None {text[:80]!r}")
        elif CONCEPT_CODE.search(text):
            found.append(f"internal code {CONCEPT_CODE.search(text).group(0)!r} in {text[:60]!r}")  # type: ignore[union-attr]
        elif language == "zh-hans" and text in english:
            found.append(f"untranslated {text[:80]!r}")
    return found


def crawl(client: Client, start: str, depth: int = 2) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {}
    queue, seen = deque([(start, 0)]), {shape(start)}
    while queue:
        path, level = queue.popleft()
        response = client.get(path)
        if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
            continue
        reader = Reader()
        reader.feed(response.content.decode())
        texts[path] = reader.texts
        if level < depth:
            for href in reader.links:
                link = internal(href)
                if link and shape(link) not in seen:
                    seen.add(shape(link))
                    queue.append((link, level + 1))
    return texts


@pytest.fixture(scope="module")
def demo_zone(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo zone, seeded once for both languages (each test runs in a savepoint of it and
    changes only the personas' saved language) and rolled back after the module."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # type: ignore[attr-defined]  (lets durable blocks run)
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                call_command("seed_demo", nomads=6, verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close_if_unusable_or_obsolete()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_no_page_of_any_persona_shows_a_raw_value(demo_zone: None, db: None, language: str) -> None:
    raw, english = raw_choice_values(), untranslated_english()
    failures, pages = [], 0
    for persona in [None, *PERSONAS]:
        client = Client(HTTP_ACCEPT_LANGUAGE=language)
        if persona is not None:
            user = User.objects.get(email=persona.email)
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
            client.force_login(user)
        start = "/accounts/workspace/" if persona is not None else "/"
        for path, texts in crawl(client, start).items():
            pages += 1
            who = persona.key if persona is not None else "anonymous"
            failures += [f"{who} {path}: {p}" for p in problems(texts, language, raw, english)]
    assert pages > 60
    assert sorted(set(failures)) == [], "\n".join(sorted(set(failures)))
