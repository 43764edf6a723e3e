"""The data export whitelist in the one-card service hub (docs/crossborder.md, docs/onecard.md,
decision 0064): the catalogue item 数据出境白名单 leads an enterprise to its whitelist entries
and to starting a cross-border assessment."""

from __future__ import annotations

import pytest
from django.test import Client

from nomadcloud.onecard.models import ServiceItem
from tests.builders import crossborder as xb
from tests.builders.onecard import onecard_zone
from tests.conftest import World, client_for

pytestmark = pytest.mark.django_db


def test_the_catalogue_item_leads_to_the_whitelist_page(world: World) -> None:
    onecard_zone(world)
    item = ServiceItem.objects.get(code="WX-SJ-025")
    assert item.status == "published" and item.department.code == "wangxin"
    assert item.deep_link == "crossborder:list"
    for language, name in (("zh-hans", "数据出境白名单"), ("en", "Data export whitelist")):
        page = Client(HTTP_ACCEPT_LANGUAGE=language).get("/services/WX-SJ-025/")
        assert page.status_code == 200 and name in page.content.decode()
        assert (
            b'data-testid="deep-link"' in page.content and b'href="/crossborder/"' in page.content
        )
    # The pre-check item (20) now reaches the same page too.
    assert b'href="/crossborder/"' in Client().get("/services/WX-SJ-020/").content
    # The enterprise audience finds it in the catalogue.
    listed = Client(HTTP_ACCEPT_LANGUAGE="zh-hans").get("/services/?audience=enterprise")
    assert "数据出境白名单" in listed.content.decode()


def test_an_enterprise_sees_its_entries_and_starts_an_assessment(world: World) -> None:
    entry = xb.whitelisted(world)
    owner = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en").get("/crossborder/")
    assert owner.status_code == 200
    text = owner.content.decode()
    assert "Acme" in text and entry.recipient_name in text
    assert f"/crossborder/entries/{entry.public_id}/" in text
    assert f'href="/crossborder/org/{world.acme.public_id}/new/"' in text
    assert 'data-testid="start-assessment"' in text
    # In Chinese too.
    zh = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans").get("/crossborder/")
    assert "发起数据出境评估" in zh.content.decode()
    # A member sees the entries but files nothing; the start page itself refuses them.
    member = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en").get("/crossborder/")
    assert entry.recipient_name in member.content.decode()
    assert b'data-testid="start-assessment"' not in member.content
    # Someone of no enterprise is told how it works; Globex's owner sees only Globex.
    wendy = client_for(world.wendy, HTTP_ACCEPT_LANGUAGE="en").get("/crossborder/")
    assert b'data-testid="no-exporter"' in wendy.content
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en").get("/crossborder/")
    assert entry.recipient_name not in charlie.content.decode()
    assert b"Globex" in charlie.content
    # Signed out: to the sign-in page.
    assert Client().get("/crossborder/").status_code == 302
