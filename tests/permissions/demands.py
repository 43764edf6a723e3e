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
from tests.conftest import World
from tests.permissions import (
    EVERYONE,
    MEMBERS_AND_OPERATOR,
    NOT_FOUND,
    OPERATOR_ONLY,
    OWNER_ONLY,
    Case,
    expect,
    org,
)


def _tag_path(w: World) -> str:
    demand, tag = manual_tag(w)
    return f"/api/v1/demands/{demand.public_id}/profile-tags/{tag.pk}"


def _tag_page(w: World) -> str:
    demand, tag = manual_tag(w)
    return f"/demands/{demand.public_id}/tags/{tag.pk}/remove/"


# A published demand is visible to all; refusals of edits answer 403/404.
API_CASES = [
    Case("api list demands", "GET", lambda w: "/api/v1/demands", EVERYONE, api=True),
    Case(
        "api create demand",
        "POST",
        lambda w: "/api/v1/demands",
        OWNER_ONLY,
        lambda w: {**demand_fields(), "organisation": org(w)},
        api=True,
    ),
    Case(
        "api upsert demand",
        "PUT",
        lambda w: "/api/v1/demands/external/HR-42",
        OWNER_ONLY,
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
        expect("readonly", "owner", "operator", anonymous=NOT_FOUND),
        api=True,
        route="/api/v1/demands/{demand_id}",
    ),
    Case(
        "api patch demand",
        "PATCH",
        lambda w: f"/api/v1/demands/{published(w).public_id}",
        OWNER_ONLY,
        lambda w: {"title_en": "Senior Python data engineer"},
        api=True,
        route="/api/v1/demands/{demand_id}",
    ),
    Case(
        "api change status",
        "POST",
        lambda w: f"/api/v1/demands/{published(w).public_id}/status",
        OWNER_ONLY,
        lambda w: {"status": "paused"},
        api=True,
        route="/api/v1/demands/{demand_id}/status",
    ),
    Case(
        "api add tag",
        "POST",
        lambda w: f"/api/v1/demands/{published(w).public_id}/profile-tags",
        OWNER_ONLY,
        lambda w: {"code": "nc.cpp"},
        api=True,
        route="/api/v1/demands/{demand_id}/profile-tags",
    ),
    Case(
        "api remove tag",
        "DELETE",
        _tag_path,
        OWNER_ONLY,
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
        OWNER_ONLY,
        lambda w: {"url": "https://hr.acme.example/feed.json", "format": "jobposting"},
        api=True,
    ),
    Case(
        "api sync feed",
        "POST",
        lambda w: f"/api/v1/demands/feeds/{feed(w).pk}/sync",
        OWNER_ONLY,
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
        OWNER_ONLY,
        url_name="demands:create",
    ),
    Case(
        "create demand",
        "POST",
        lambda w: f"/demands/organisations/{org(w)}/new/",
        OWNER_ONLY,
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
        OWNER_ONLY,
        url_name="demands:create_webhook",
    ),
    Case(
        "add feed",
        "POST",
        lambda w: f"/demands/organisations/{org(w)}/feeds/",
        OWNER_ONLY,
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
        OWNER_ONLY,
        url_name="demands:sync_now",
    ),
    Case(
        "edit demand form",
        "GET",
        lambda w: f"/demands/{published(w).public_id}/edit/",
        OWNER_ONLY,
        url_name="demands:edit",
    ),
    Case(
        "edit demand",
        "POST",
        lambda w: f"/demands/{published(w).public_id}/edit/",
        OWNER_ONLY,
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
        OWNER_ONLY,
        lambda w: {"status": "paused"},
        url_name="demands:status",
    ),
    Case(
        "add tag",
        "POST",
        lambda w: f"/demands/{published(w).public_id}/tags/",
        OWNER_ONLY,
        lambda w: {"code": "nc.cpp"},
        url_name="demands:add_tag",
    ),
    Case("remove tag", "POST", _tag_page, OWNER_ONLY, url_name="demands:remove_tag"),
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

# The apps whose tables these requests write (demands, feeds and webhooks): the fingerprint covers
# them and the audit log.
APPS = ("demands",)
