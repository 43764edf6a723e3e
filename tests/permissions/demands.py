"""Permission cases for demands, job profiles, feeds, webhooks and the public demand list.

Acme's demands are edited by its owner, admins and members (and its organisation key);
read-only members and the zone operator see them; others see published demands only.
"""

from __future__ import annotations

from tests.builders.demands import (
    demand_fields,
    draft,
    feed,
    manual_tag,
    published,
)
from tests.conftest import PERSONAS, World
from tests.permissions import (
    ALLOW,
    MEMBERS_AND_OPERATOR,
    OPERATOR_ONLY,
    OWNER_ONLY,
    Case,
    org,
)

EVERYONE = dict.fromkeys(PERSONAS, ALLOW)
# A published demand: everyone sees it; only Acme's editors change it.
PUBLISHED_VIEW = EVERYONE


def _tag_path(w: World) -> str:
    demand, tag = manual_tag(w)
    return f"/api/v1/demands/{demand.public_id}/profile-tags/{tag.pk}"


def _tag_page(w: World) -> str:
    demand, tag = manual_tag(w)
    return f"/demands/{demand.public_id}/tags/{tag.pk}/remove/"


# Editors of Acme's demands among the personas: only Olivia (Bob the member is not a persona).
EDITORS = OWNER_ONLY
# A published demand is visible to all; refusals of edits answer 403/404.
API_CASES = [
    Case("api list demands", "GET", lambda w: "/api/v1/demands", EVERYONE, api=True),
    Case(
        "api create demand",
        "POST",
        lambda w: "/api/v1/demands",
        EDITORS,
        lambda w: {**demand_fields(), "organisation": org(w)},
        api=True,
    ),
    Case(
        "api upsert demand",
        "PUT",
        lambda w: "/api/v1/demands/external/HR-42",
        EDITORS,
        lambda w: {**demand_fields(), "organisation": org(w)},
        api=True,
        route="/api/v1/demands/external/{external_id}",
    ),
    Case(
        "api get published demand",
        "GET",
        lambda w: f"/api/v1/demands/{published(w).public_id}",
        EVERYONE,
        api=True,
        route="/api/v1/demands/{demand_id}",
    ),
    Case(
        "api get draft demand",
        "GET",
        lambda w: f"/api/v1/demands/{draft(w).public_id}",
        MEMBERS_AND_OPERATOR,
        api=True,
        route="/api/v1/demands/{demand_id}",
    ),
    Case(
        "api patch demand",
        "PATCH",
        lambda w: f"/api/v1/demands/{published(w).public_id}",
        EDITORS,
        lambda w: {"title_en": "Senior Python data engineer"},
        api=True,
        route="/api/v1/demands/{demand_id}",
    ),
    Case(
        "api change status",
        "POST",
        lambda w: f"/api/v1/demands/{published(w).public_id}/status",
        EDITORS,
        lambda w: {"status": "paused"},
        api=True,
        route="/api/v1/demands/{demand_id}/status",
    ),
    Case(
        "api add tag",
        "POST",
        lambda w: f"/api/v1/demands/{published(w).public_id}/profile-tags",
        EDITORS,
        lambda w: {"code": "nc.cpp"},
        api=True,
        route="/api/v1/demands/{demand_id}/profile-tags",
    ),
    Case(
        "api remove tag",
        "DELETE",
        _tag_path,
        EDITORS,
        api=True,
        route="/api/v1/demands/{demand_id}/profile-tags/{tag_id}",
    ),
    Case(
        "api list feeds",
        "GET",
        lambda w: f"/api/v1/demands/organisations/{org(w)}/feeds",
        MEMBERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api add feed",
        "POST",
        lambda w: f"/api/v1/demands/organisations/{org(w)}/feeds",
        EDITORS,
        lambda w: {"url": "https://hr.acme.example/feed.json", "format": "jobposting"},
        api=True,
    ),
    Case(
        "api sync feed",
        "POST",
        lambda w: f"/api/v1/demands/feeds/{feed(w).pk}/sync",
        EDITORS,
        api=True,
        route="/api/v1/demands/feeds/{feed_id}/sync",
    ),
    Case(
        "api list syncs",
        "GET",
        lambda w: f"/api/v1/demands/feeds/{feed(w).pk}/syncs",
        MEMBERS_AND_OPERATOR,
        api=True,
        route="/api/v1/demands/feeds/{feed_id}/syncs",
    ),
]

PAGE_CASES = [
    Case(
        "organisation demands",
        "GET",
        lambda w: f"/demands/organisations/{org(w)}/",
        MEMBERS_AND_OPERATOR,
        url_name="demands:organisation",
    ),
    Case(
        "new demand form",
        "GET",
        lambda w: f"/demands/organisations/{org(w)}/new/",
        EDITORS,
        url_name="demands:create",
    ),
    Case(
        "create demand",
        "POST",
        lambda w: f"/demands/organisations/{org(w)}/new/",
        EDITORS,
        lambda w: {
            "kind": "job",
            "title_zh": "前端工程师",
            "work_mode": "remote",
            "pay_period": "month",
            "headcount": "1",
        },
        url_name="demands:create",
    ),
    Case(
        "create webhook",
        "POST",
        lambda w: f"/demands/organisations/{org(w)}/webhook/",
        EDITORS,
        url_name="demands:create_webhook",
    ),
    Case(
        "add feed",
        "POST",
        lambda w: f"/demands/organisations/{org(w)}/feeds/",
        EDITORS,
        lambda w: {"url": "https://hr.acme.example/feed.json", "format": "native"},
        url_name="demands:add_feed",
    ),
    Case(
        "feed",
        "GET",
        lambda w: f"/demands/feeds/{feed(w).pk}/",
        MEMBERS_AND_OPERATOR,
        url_name="demands:feed",
    ),
    Case(
        "sync now",
        "POST",
        lambda w: f"/demands/feeds/{feed(w).pk}/sync/",
        EDITORS,
        url_name="demands:sync_now",
    ),
    Case(
        "edit demand form",
        "GET",
        lambda w: f"/demands/{published(w).public_id}/edit/",
        EDITORS,
        url_name="demands:edit",
    ),
    Case(
        "edit demand",
        "POST",
        lambda w: f"/demands/{published(w).public_id}/edit/",
        EDITORS,
        lambda w: {
            "kind": "project",
            "title_zh": "数据项目",
            "work_mode": "remote",
            "pay_period": "total",
            "headcount": "2",
        },
        url_name="demands:edit",
    ),
    Case(
        "change status",
        "POST",
        lambda w: f"/demands/{published(w).public_id}/status/",
        EDITORS,
        lambda w: {"status": "paused"},
        url_name="demands:status",
    ),
    Case(
        "add tag",
        "POST",
        lambda w: f"/demands/{published(w).public_id}/tags/",
        EDITORS,
        lambda w: {"code": "nc.cpp"},
        url_name="demands:add_tag",
    ),
    Case("remove tag", "POST", _tag_page, EDITORS, url_name="demands:remove_tag"),
    Case(
        "export csv",
        "GET",
        lambda w: "/demands/export.csv",
        OPERATOR_ONLY,
        url_name="demands:export_csv",
    ),
]

# Open to anyone: the public list and its feeds, published demand pages, and the webhook
# receiver (authenticated by its HMAC signature; tested in tests/test_demands_connectors.py).
PUBLIC_PAGES = {
    "demands:list",
    "demands:feed_json",
    "demands:feed_rss",
    "demands:detail",
    "demands:webhook",
}
PUBLIC_API: set[tuple[str, str]] = set()
APPS: tuple[str, ...] = ()
