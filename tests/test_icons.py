"""Icons come from the platform's SVG sprite, never from emoji (issue 14 item 9): a mark that
carries meaning is named for screen readers, a decorative one is hidden from them."""

from __future__ import annotations

import re
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import translation

import nomadcloud
from tests.conftest import World, client_for

EMOJI = re.compile("[\U0001f300-\U0001faff\u2600-\u27bf]")


def test_no_template_shows_an_emoji() -> None:
    root = Path(nomadcloud.__file__).parent
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if EMOJI.search(line)
    ]
    assert found == []


def test_met_and_unmet_criteria_are_named_icons() -> None:
    explained = [(True, "Python"), (False, "SQL")]
    with translation.override("en"):
        english = render_to_string("talent/_explained.html", {"explained": explained})
    with translation.override("zh-hans"):
        chinese = render_to_string("talent/_explained.html", {"explained": explained})
    assert "icons.svg#check" in english and 'aria-label="met"' in english
    assert "icons.svg#x" in english and 'aria-label="not met"' in english
    assert 'aria-label="已满足"' in chinese and 'aria-label="未满足"' in chinese
    assert "✔" not in english and "✘" not in english


def test_the_header_bell_is_decorative_beside_its_name(world: World) -> None:
    text = client_for(world.oscar, HTTP_ACCEPT_LANGUAGE="en").get("/").content.decode()
    link = re.search(r'<a [^>]*data-testid="nav-notifications".*?</a>', text, re.S)
    assert link is not None
    bell = link.group(0)
    assert "icons.svg#bell" in bell and 'aria-hidden="true"' in bell
    assert '<span class="visually-hidden">Notifications</span>' in bell
    assert "🔔" not in text
