"""The home page sells the zone (issue 14 item 10): where it is (a map drawn from bundled
land outlines, nothing fetched), what a nomad finds there, live figures from the apps'
queries (cached briefly), links to the demand list and the verify page; registering from
"register your enterprise" ends on the enterprise form."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.test import Client
from django.urls import reverse

from nomadcloud.accounts.models import User
from nomadcloud.core import showcase
from tests.builders.world import PASSWORD, make_person
from tests.helpers import register_through_page


@pytest.fixture(autouse=True)
def _fresh_figures() -> Any:
    showcase.forget()
    yield
    showcase.forget()


def english() -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.cookies["nomadcloud_language"] = "en"
    return client


def test_the_home_page_says_where_the_zone_is_and_what_a_nomad_finds(db: None) -> None:
    page = english().get("/").content.decode()
    assert "north-west coast of Hainan" in page
    assert 'data-testid="zone-map"' in page and "<svg" in page
    assert 'data-testid="permit-route"' in page and "six months to one year" in page
    assert "Communities and coworking" in page
    assert f'href="{reverse("demands:list")}"' in page
    assert f'href="{reverse("proofs:verify")}"' in page
    # The map is drawn in the page: no tile, image or script is fetched for it.
    svg = page[page.index("<svg") : page.index("</svg>")]
    assert "http" not in svg.replace('xmlns="http://www.w3.org/2000/svg"', "")


def test_the_map_is_labelled_in_the_pages_language(db: None) -> None:
    chinese = Client().get("/").content.decode()
    assert "洋浦港" in chinese and "新英湾" in chinese and "Yangpu Port" not in chinese
    assert "Yangpu Port" in english().get("/").content.decode()


def _figures(page: str) -> dict[str, int]:
    return {
        key: int(value)
        for key, value in re.findall(r'data-testid="live-(\w+)"><strong>(\d+)</strong>', page)
    }


def test_live_figures_come_from_the_queries_and_are_cached_briefly(db: None) -> None:
    make_person("Nia", "nia@example.com", is_nomad=True)
    make_person("Ola", "ola@example.com", is_nomad=False)
    shown = _figures(english().get("/").content.decode())
    assert shown == {"nomads": 1, "open_demands": 0, "proofs": 0}
    make_person("Pia", "pia@example.com", is_nomad=True)
    assert _figures(english().get("/").content.decode())["nomads"] == 1  # still cached
    showcase.forget()  # as when the minute is over
    assert _figures(english().get("/").content.decode())["nomads"] == 2


def test_register_your_enterprise_ends_on_the_enterprise_form(db: None) -> None:
    client = english()
    page = client.get("/").content.decode()
    link = re.search(r'href="([^"]+)" data-testid="register-enterprise"', page)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    target = parse_qs(urlsplit(url).query)["next"][0]
    assert target == reverse("accounts:create_organisation") + "?kind=enterprise"
    form = client.get(url).content.decode()
    assert 'name="next"' in form and 'data-testid="register-intent"' in form
    answer = register_through_page(
        client,
        {
            "display_name": "Eve",
            "email": "eve@example.com",
            "password": PASSWORD,
            "preferred_language": "en",
            "consent": "on",
            "next": target,
        },
        url,
    )
    assert answer.status_code == 302
    assert answer["Location"] == target
    organisation_form = client.get(answer["Location"])
    assert organisation_form.status_code == 200
    assert re.search(r'<option value="enterprise"[^>]*selected', organisation_form.content.decode())
    assert not User.objects.get(email="eve@example.com").is_nomad


def test_the_intent_survives_steps_between_sign_up_and_its_end(db: None) -> None:
    """Kept in the session, so contact verification can end where the visitor started."""
    from django.http import HttpRequest

    from nomadcloud.accounts import intent

    client = english()
    target = reverse("accounts:create_organisation") + "?kind=enterprise"
    answer = client.post(
        reverse("accounts:register"),
        {
            "display_name": "Eve",
            "email": "eve@example.com",
            "password": PASSWORD,
            "preferred_language": "en",
            "consent": "on",
            "next": target,
        },
    )
    assert answer["Location"] == reverse("accounts:register_confirm")  # the code step
    request = HttpRequest()
    request.session = client.session  # type: ignore[assignment]
    request.META["HTTP_HOST"] = "testserver"
    assert intent.peek(request) == target  # kept across the code step
    assert intent.pop(request) == target  # used once
    assert intent.pop(request) == reverse("accounts:workspace")
    intent.keep(request, target)
    assert intent.peek(request) == target
    assert intent.pop(request) == target


@pytest.mark.parametrize(
    "evil", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"]
)
def test_an_intent_never_leaves_the_site(db: None, evil: str) -> None:
    answer = register_through_page(
        english(),
        {
            "display_name": "Eve",
            "email": "eve@example.com",
            "password": PASSWORD,
            "preferred_language": "en",
            "consent": "on",
            "next": evil,
        },
        reverse("accounts:register") + "?next=" + evil,
    )
    assert answer.status_code == 302
    assert answer["Location"] == reverse("accounts:workspace")


def test_a_plain_registration_still_ends_on_the_workspace(db: None) -> None:
    answer = register_through_page(
        english(),
        {
            "display_name": "Nia",
            "email": "nia@example.com",
            "password": PASSWORD,
            "preferred_language": "en",
            "is_nomad": "on",
            "consent": "on",
        },
    )
    assert answer["Location"] == reverse("accounts:workspace")


def test_a_signed_in_person_goes_straight_to_the_enterprise_form(db: None) -> None:
    person = make_person("Ola", "ola@example.com")
    client = english()
    client.force_login(person)
    page = client.get("/").content.decode()
    expected = reverse("accounts:create_organisation") + "?kind=enterprise"
    assert f'href="{expected}" data-testid="register-enterprise"' in page
