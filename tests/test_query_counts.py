"""The number of SQL queries of every list page and list endpoint is pinned in
``tests/query_counts.json`` (NetBox's idea): a change that adds a query per row, or per page,
fails here and must update the file on purpose.

Each list is requested twice on the demo zone (``seed_demo``: a few rows of everything) as a
persona who sees rows in it, and the second request is counted, so that caches warmed by
earlier tests in the same process (content types, assets, keys) do not change the figure.
The counts are the same on SQLite and PostgreSQL (no vendor-specific queries on reads).

To update the file after an intended change, run ``NOMADCLOUD_UPDATE_QUERY_COUNTS=1
NOMADCLOUD_TEST_DB=sqlite .venv/bin/pytest tests/test_query_counts.py`` and commit
``tests/query_counts.json`` with the change that explains it.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from nomadcloud.matching import matcher

COUNTS = Path(__file__).with_name("query_counts.json")
UPDATE = os.environ.get("NOMADCLOUD_UPDATE_QUERY_COUNTS") == "1"

NOMAD = "nomad@demo.nomadcloud.cn"
ENTERPRISE = "enterprise@demo.nomadcloud.cn"
REVIEWER = "reviewer@demo.nomadcloud.cn"
CASHIER = "cashier@demo.nomadcloud.cn"
OPERATOR = "operator@demo.nomadcloud.cn"
COMMUNITY = "community@demo.nomadcloud.cn"
POLICE = "gongan@demo.nomadcloud.cn"


def model(label: str) -> Any:
    return apps.get_model(label)


def owner_of(organisation: Any) -> str:
    membership = (
        model("accounts.Membership")
        .objects.filter(organisation=organisation, role="owner")
        .select_related("user")
        .order_by("pk")
        .first()
    )
    assert membership is not None, organisation
    return str(membership.user.email)


def first(label: str, **filters: Any) -> Any:
    row = model(label).objects.filter(**filters).order_by("pk").first()
    assert row is not None, (label, filters)
    return row


def shentou() -> tuple[str, Any]:
    """The demo's first community (bookings, stays, a foreign guest's registration)."""
    return COMMUNITY, first(
        "communities.Community", organisation__memberships__user__email=COMMUNITY
    )


def enterprise_org() -> Any:
    return first("accounts.Membership", user__email=ENTERPRISE, role="owner").organisation


def community_org() -> Any:
    return first("accounts.Membership", user__email=COMMUNITY, role="owner").organisation


def merchant_org() -> Any:
    return first("accounts.Membership", user__email=CASHIER).organisation


def busiest(label: str, related: str) -> Any:
    """The row of ``label`` with the most ``related`` rows (so that its list has rows)."""
    from django.db.models import Count

    row = model(label).objects.annotate(n=Count(related)).order_by("-n", "pk").first()
    assert row is not None, label
    return row


def of_organisation(label: str, related: str) -> Callable[[], tuple[str, Any]]:
    def resolve() -> tuple[str, Any]:
        row = busiest(label, related)
        return owner_of(row.organisation), row

    return resolve


def kegongxin_staff() -> tuple[str, Any]:
    """市科工信局, whose queue holds the community's maker-space application (onecard/demo.py)."""
    return REVIEWER, first("accounts.Organisation", code="kegongxin", kind="department")


def _eligibility_target() -> Any:
    """The demo challenge and the nomad persona's team: the path after /bounties/."""
    challenge = first("bounties.Challenge")
    team = first("teams.Team", kind="studio")  # the bounties demo's studio

    class Target:
        path = f"{challenge.public_id}/eligibility?team={team.public_id}"

    return Target()


# name → (persona, path); or (resolver → (persona, object), path with {id} for object's id)
def _booked_asset() -> tuple[str, Any]:
    """The demo's data asset in its holder's books (valuation, decision 0063)."""
    asset = first("valuation.BookEntry").asset
    return owner_of(asset.holder), asset


def _booked_holder() -> tuple[str, Any]:
    email, asset = _booked_asset()
    return email, asset.holder


Target = tuple[str, str] | tuple[Callable[[], tuple[str, Any]], str, str]

PAGES: dict[str, Target] = {
    "notifications:list": (NOMAD, "/notifications/"),
    "demands:list": (NOMAD, "/demands/"),
    "incentives:policies": (NOMAD, "/incentives/"),
    "incentives:publicity": (NOMAD, "/incentives/publicity/"),
    "incentives:review": (REVIEWER, "/incentives/review/"),
    "incentives:organisation": (
        lambda: (ENTERPRISE, None),
        "/incentives/organisations/{org}/",
        "",
    ),
    "incentives:investments": (
        lambda: (COMMUNITY, community_org()),
        "/incentives/organisations/{id}/investments/",
        "public_id",
    ),
    "incentives:conferences": (
        lambda: (ENTERPRISE, None),
        "/incentives/organisations/{org}/conferences/",
        "",
    ),
    "training:list": (NOMAD, "/training/"),
    "training:mine": (NOMAD, "/training/mine/"),
    "orders:list": (ENTERPRISE, "/orders/"),
    "orders:disputes": (OPERATOR, "/orders/disputes/"),
    "orders:conversions": (OPERATOR, "/orders/conversions/"),
    "datatasks:list": (NOMAD, "/datatasks/"),
    "datatasks:appeals": (
        of_organisation("datatasks.Batch", "items"),
        "/datatasks/{id}/appeals/",
        "public_id",
    ),
    "accounts:organisations": (ENTERPRISE, "/accounts/organisations/"),
    "accounts:tokens": (ENTERPRISE, "/accounts/tokens/"),
    "accounts:reviews": (REVIEWER, "/accounts/reviews/"),
    "accounts:audit": (OPERATOR, "/accounts/audit/"),
    "taxonomy:search": (NOMAD, "/taxonomy/?q=python"),
    "taxonomy:imports": (OPERATOR, "/taxonomy/imports/"),
    "talent:reviews": (OPERATOR, "/talent/reviews/"),
    "matching:recommended": (NOMAD, "/matching/recommended/"),
    "matching:invitations": (NOMAD, "/matching/invitations/"),
    "proofs:mine": (NOMAD, "/proofs/mine/"),
    "points:merchant_registry": (OPERATOR, "/points/merchants/"),
    # The workspace of every role: each app's tools add a bounded number of queries.
    "accounts:workspace nomad": (NOMAD, "/accounts/workspace/"),
    "accounts:workspace enterprise owner": (ENTERPRISE, "/accounts/workspace/"),
    "accounts:workspace enterprise member": ("hr@demo.nomadcloud.cn", "/accounts/workspace/"),
    "accounts:workspace cashier": (CASHIER, "/accounts/workspace/"),
    "accounts:workspace community": ("community@demo.nomadcloud.cn", "/accounts/workspace/"),
    "accounts:workspace reviewer": (REVIEWER, "/accounts/workspace/"),
    "accounts:workspace operator": (OPERATOR, "/accounts/workspace/"),
    "home": (NOMAD, "/"),
    "demands:my_applications": (NOMAD, "/demands/applications/mine/"),
    "conversations:mine": (NOMAD, "/conversations/"),
    "conversations:people": (
        of_organisation("demands.Demand", "applications"),
        "/conversations/demands/{id}/people/",
        "public_id",
    ),
    "risk:queue": (OPERATOR, "/risk/held/"),
    "payouts:index": (OPERATOR, "/payouts/"),
    "competitions:index": (NOMAD, "/competitions/"),
    "competitions:detail": (
        lambda: (
            first("competitions.Entry").person.email,
            first("competitions.Competition", status="published"),
        ),
        "/competitions/{id}/",
        "public_id",
    ),
    "competitions:manage": (
        lambda: (ENTERPRISE, first("competitions.Competition", status="published")),
        "/competitions/{id}/manage/",
        "public_id",
    ),
    "payouts:budget": (
        lambda: (OPERATOR, first("payouts.Budget")),
        "/payouts/budgets/{id}/",
        "public_id",
    ),
    "consent:mine": (NOMAD, "/consent/"),
    "vouchers:list": (NOMAD, "/vouchers/"),
    "datapools:list": (NOMAD, "/datapools/"),
    "datapools:mine": (NOMAD, "/datapools/mine/"),
    "crossborder:exporter": (lambda: (ENTERPRISE, None), "/crossborder/org/{org}/", ""),
    "crossborder:review": ("wangxin@demo.nomadcloud.cn", "/crossborder/review/"),
    "crossborder:list": (ENTERPRISE, "/crossborder/"),
    "datapools:negotiations": (ENTERPRISE, "/datapools/negotiations/"),
    "datapools:scenarios": (NOMAD, "/datapools/scenarios/"),
    "vouchers:review": (REVIEWER, "/vouchers/review/"),
    "vouchers:organisation": (lambda: (ENTERPRISE, None), "/vouchers/organisations/{org}/", ""),
    "communities:list": (NOMAD, "/communities/"),
    "communities:my_bookings": (NOMAD, "/communities/bookings/"),
    "communities:bookings": (shentou, "/communities/{id}/bookings/", "public_id"),
    "communities:police": (POLICE, "/communities/registrations/"),
    "communities:visits": (OPERATOR, "/communities/visits/"),
    "communities:calendars": (shentou, "/communities/{id}/calendars/", "public_id"),
    "communities:statistics_overview": (OPERATOR, "/communities/statistics/"),
    "communities:authorities": (OPERATOR, "/communities/authorities/"),
    "onecard:catalogue": (NOMAD, "/services/"),
    "onecard:mine": (ENTERPRISE, "/services/mine/"),
    "onecard:manage": (OPERATOR, "/services/manage/"),
    "onecard:queue": (kegongxin_staff, "/services/departments/{id}/queue/", "public_id"),
    "bounties:list": (NOMAD, "/bounties/"),
    "bounties:expert": (NOMAD, "/bounties/expert/"),
    "teams:mine": (NOMAD, "/teams/"),
    "valuation:list": ("valuer@demo.nomadcloud.cn", "/valuation/"),
    "valuation:alerts": ("lvwen@demo.nomadcloud.cn", "/valuation/alerts/"),
    "valuation:books": (_booked_holder, "/valuation/books/{id}/", "public_id"),
    "supervision:list": (OPERATOR, "/supervision/"),
    "supervision:list unit": (REVIEWER, "/supervision/"),
}

API: dict[str, Target] = {
    "/api/v1/supervision/tasks": (OPERATOR, "/api/v1/supervision/tasks"),
    "/api/v1/supervision/tasks/{task_id}/milestones": (
        lambda: (REVIEWER, first("supervision.Task", code="004-5")),
        "/api/v1/supervision/tasks/{id}/milestones",
        "public_id",
    ),
    "/api/v1/services/items": (NOMAD, "/api/v1/services/items"),
    "/api/v1/services/applications": (ENTERPRISE, "/api/v1/services/applications"),
    "/api/v1/services/departments/{org_id}/queue": (
        kegongxin_staff,
        "/api/v1/services/departments/{id}/queue",
        "public_id",
    ),
    "/api/v1/bounties": (NOMAD, "/api/v1/bounties"),
    "/api/v1/bounties/assignments/mine": (NOMAD, "/api/v1/bounties/assignments/mine"),
    "/api/v1/bounties/{challenge_id}/applications": (
        lambda: (ENTERPRISE, first("bounties.Challenge")),
        "/api/v1/bounties/{id}/applications",
        "public_id",
    ),
    "/api/v1/bounties/{challenge_id}/clarifications": (
        lambda: (ENTERPRISE, first("bounties.Challenge")),
        "/api/v1/bounties/{id}/clarifications",
        "public_id",
    ),
    "/api/v1/bounties/{challenge_id}/milestones": (
        lambda: (ENTERPRISE, first("bounties.Challenge")),
        "/api/v1/bounties/{id}/milestones",
        "public_id",
    ),
    "/api/v1/bounties/{challenge_id}/task-books": (
        lambda: (ENTERPRISE, first("bounties.Challenge")),
        "/api/v1/bounties/{id}/task-books",
        "public_id",
    ),
    "/api/v1/bounties/{challenge_id}/eligibility": (
        lambda: (NOMAD, _eligibility_target()),
        "/api/v1/bounties/{id}",
        "path",
    ),
    "/api/v1/teams": (NOMAD, "/api/v1/teams"),
    "/api/v1/valuation/valuations": ("valuer@demo.nomadcloud.cn", "/api/v1/valuation/valuations"),
    "/api/v1/valuation/alerts": ("lvwen@demo.nomadcloud.cn", "/api/v1/valuation/alerts"),
    "/api/v1/valuation/assets/{asset_id}/book-entries": (
        _booked_asset,
        "/api/v1/valuation/assets/{id}/book-entries",
        "public_id",
    ),
    "/api/v1/audit-events": (OPERATOR, "/api/v1/audit-events"),
    "/api/v1/datatasks/accepted-work": (NOMAD, "/api/v1/datatasks/accepted-work"),
    "/api/v1/datatasks/batches": (ENTERPRISE, "/api/v1/datatasks/batches"),
    "/api/v1/datatasks/batches/{batch_id}/accepted-work": (
        of_organisation("datatasks.Batch", "items"),
        "/api/v1/datatasks/batches/{id}/accepted-work",
        "public_id",
    ),
    "/api/v1/datatasks/batches/{batch_id}/appeals": (
        of_organisation("datatasks.Batch", "items"),
        "/api/v1/datatasks/batches/{id}/appeals",
        "public_id",
    ),
    "/api/v1/datatasks/batches/{batch_id}/answers": (
        of_organisation("datatasks.Batch", "items"),
        "/api/v1/datatasks/batches/{id}/answers",
        "public_id",
    ),
    "/api/v1/datatasks/batches/{batch_id}/items": (
        of_organisation("datatasks.Batch", "items"),
        "/api/v1/datatasks/batches/{id}/items",
        "public_id",
    ),
    "/api/v1/datatasks/batches/{batch_id}/workers": (
        of_organisation("datatasks.Batch", "items"),
        "/api/v1/datatasks/batches/{id}/workers",
        "public_id",
    ),
    "/api/v1/demands": (NOMAD, "/api/v1/demands"),
    "/api/v1/demands/applications/mine": (NOMAD, "/api/v1/demands/applications/mine"),
    "/api/v1/demands/{demand_id}/applications": (
        of_organisation("demands.Demand", "applications"),
        "/api/v1/demands/{id}/applications",
        "public_id",
    ),
    "/api/v1/conversations": (NOMAD, "/api/v1/conversations"),
    "/api/v1/conversations/{conversation_id}/messages": (
        lambda: (NOMAD, busiest("conversations.Conversation", "messages")),
        "/api/v1/conversations/{id}/messages",
        "public_id",
    ),
    "/api/v1/demands/feeds/{feed_id}/syncs": (
        of_organisation("demands.Feed", "syncs"),
        "/api/v1/demands/feeds/{id}/syncs",
        "pk",
    ),
    "/api/v1/demands/organisations/{org_id}/feeds": (
        lambda: (owner_of(busiest("demands.Feed", "syncs").organisation), None),
        "/api/v1/demands/organisations/{org}/feeds",
        "",
    ),
    "/api/v1/matching/demands/{demand_id}/candidates": (
        of_organisation("demands.Demand", "skills"),
        "/api/v1/matching/demands/{id}/candidates",
        "public_id",
    ),
    "/api/v1/matching/invitations": (NOMAD, "/api/v1/matching/invitations"),
    "/api/v1/matching/recommendations": (NOMAD, "/api/v1/matching/recommendations"),
    "/api/v1/notifications": (NOMAD, "/api/v1/notifications"),
    "/api/v1/notifications/preferences": (NOMAD, "/api/v1/notifications/preferences"),
    "/api/v1/orders": (ENTERPRISE, "/api/v1/orders"),
    "/api/v1/orders/accepted": (NOMAD, "/api/v1/orders/accepted"),
    "/api/v1/orders/conversions": (OPERATOR, "/api/v1/orders/conversions"),
    "/api/v1/orders/conversions/report": (OPERATOR, "/api/v1/orders/conversions/report"),
    "/api/v1/orders/disputes": (OPERATOR, "/api/v1/orders/disputes"),
    "/api/v1/orders/{order_id}/applications": (
        of_organisation("orders.Order", "applications"),
        "/api/v1/orders/{id}/applications",
        "public_id",
    ),
    "/api/v1/orders/{order_id}/deliverables": (
        of_organisation("orders.Order", "deliverables"),
        "/api/v1/orders/{id}/deliverables",
        "public_id",
    ),
    "/api/v1/orders/{order_id}/history": (
        of_organisation("orders.Order", "events"),
        "/api/v1/orders/{id}/history",
        "public_id",
    ),
    "/api/v1/orders/{order_id}/messages": (
        of_organisation("orders.Order", "messages"),
        "/api/v1/orders/{id}/messages",
        "public_id",
    ),
    "/api/v1/organisations": (ENTERPRISE, "/api/v1/organisations"),
    "/api/v1/organisations/{org_id}/api-keys": (
        lambda: (ENTERPRISE, None),
        "/api/v1/organisations/{org}/api-keys",
        "",
    ),
    "/api/v1/organisations/{org_id}/invitations": (
        lambda: (ENTERPRISE, None),
        "/api/v1/organisations/{org}/invitations",
        "",
    ),
    "/api/v1/organisations/{org_id}/members": (
        lambda: (ENTERPRISE, None),
        "/api/v1/organisations/{org}/members",
        "",
    ),
    "/api/v1/points/exchanges": (NOMAD, "/api/v1/points/exchanges"),
    "/api/v1/points/merchants": (OPERATOR, "/api/v1/points/merchants"),
    "/api/v1/risk/held-issuances": (OPERATOR, "/api/v1/risk/held-issuances"),
    "/api/v1/payouts/budgets": (OPERATOR, "/api/v1/payouts/budgets"),
    "/api/v1/payouts/payouts": (OPERATOR, "/api/v1/payouts/payouts"),
    "/api/v1/dashboard/indicators": (NOMAD, "/api/v1/dashboard/indicators"),
    "/api/v1/dashboard/observations": (OPERATOR, "/api/v1/dashboard/observations"),
    "/api/v1/competitions/": (NOMAD, "/api/v1/competitions/"),
    "/api/v1/competitions/entries/{entry_id}/submissions": (
        lambda: (first("competitions.Entry").person.email, first("competitions.Entry")),
        "/api/v1/competitions/entries/{id}/submissions",
        "public_id",
    ),
    "/api/v1/competitions/introductions": (OPERATOR, "/api/v1/competitions/introductions"),
    "/api/v1/competitions/{competition_id}/appeals": (
        lambda: (ENTERPRISE, first("competitions.Competition", status="awarded")),
        "/api/v1/competitions/{id}/appeals",
        "public_id",
    ),
    "/api/v1/consent/records": (NOMAD, "/api/v1/consent/records"),
    "/api/v1/communities": (NOMAD, "/api/v1/communities"),
    "/api/v1/communities/bookings/mine": (NOMAD, "/api/v1/communities/bookings/mine"),
    "/api/v1/communities/registrations": (POLICE, "/api/v1/communities/registrations"),
    "/api/v1/communities/authorities": (OPERATOR, "/api/v1/communities/authorities"),
    "/api/v1/communities/{community_id}/calendar-feeds": (
        shentou,
        "/api/v1/communities/{id}/calendar-feeds",
        "public_id",
    ),
    "/api/v1/services/items/{code}/versions": (
        lambda: (OPERATOR, None),
        "/api/v1/services/items/KGX-GF-002/versions",
        "",
    ),
    "/api/v1/communities/{community_id}/bookings": (
        shentou,
        "/api/v1/communities/{id}/bookings",
        "public_id",
    ),
    "/api/v1/communities/{community_id}/availability": (
        shentou,
        "/api/v1/communities/{id}/availability?start=2026-01-01&end=2026-01-31",
        "public_id",
    ),
    "/api/v1/points/merchants/{org_id}/payments": (
        lambda: (CASHIER, None),
        "/api/v1/points/merchants/{merchant}/payments",
        "",
    ),
    "/api/v1/points/merchants/{org_id}/statements": (
        lambda: (CASHIER, None),
        "/api/v1/points/merchants/{merchant}/statements",
        "",
    ),
    "/api/v1/points/operator/campaigns": (OPERATOR, "/api/v1/points/operator/campaigns"),
    "/api/v1/points/operator/forecast": (OPERATOR, "/api/v1/points/operator/forecast"),
    "/api/v1/points/operator/liability": (OPERATOR, "/api/v1/points/operator/liability"),
    "/api/v1/points/operator/programmes": (OPERATOR, "/api/v1/points/operator/programmes"),
    "/api/v1/points/operator/rates": (OPERATOR, "/api/v1/points/operator/rates"),
    "/api/v1/points/operator/rules": (OPERATOR, "/api/v1/points/operator/rules"),
    "/api/v1/points/operator/scenarios": (OPERATOR, "/api/v1/points/operator/scenarios"),
    "/api/v1/points/operator/shortfalls": (OPERATOR, "/api/v1/points/operator/shortfalls"),
    "/api/v1/points/rates": (NOMAD, "/api/v1/points/rates"),
    "/api/v1/points/scenarios": (NOMAD, "/api/v1/points/scenarios"),
    "/api/v1/points/settlement/rates": (OPERATOR, "/api/v1/points/settlement/rates"),
    "/api/v1/points/settlement/statements": (OPERATOR, "/api/v1/points/settlement/statements"),
    "/api/v1/points/wallet/expiry": (NOMAD, "/api/v1/points/wallet/expiry"),
    "/api/v1/points/wallet/history": (NOMAD, "/api/v1/points/wallet/history"),
    "/api/v1/points/wallet/lots": (NOMAD, "/api/v1/points/wallet/lots"),
    "/api/v1/proofs/credentials": (NOMAD, "/api/v1/proofs/credentials"),
    "/api/v1/proofs/keys": (OPERATOR, "/api/v1/proofs/keys"),
    "/api/v1/reviews/organisations": (REVIEWER, "/api/v1/reviews/organisations"),
    "/api/v1/talent/applications": (NOMAD, "/api/v1/talent/applications"),
    "/api/v1/talent/me/certificates": (NOMAD, "/api/v1/talent/me/certificates"),
    "/api/v1/talent/reviews/applications": (OPERATOR, "/api/v1/talent/reviews/applications"),
    "/api/v1/talent/rule-sets": (NOMAD, "/api/v1/talent/rule-sets"),
    "/api/v1/taxonomy/concepts": (NOMAD, "/api/v1/taxonomy/concepts"),
    "/api/v1/taxonomy/search": (NOMAD, "/api/v1/taxonomy/search?q=sjbz"),
    "/api/v1/taxonomy/imports": (OPERATOR, "/api/v1/taxonomy/imports"),
    "/api/v1/tokens": (ENTERPRISE, "/api/v1/tokens"),
    "/api/v1/incentives/policies": (NOMAD, "/api/v1/incentives/policies"),
    "/api/v1/incentives/organisations/{org_id}/entitlements": (
        lambda: (ENTERPRISE, None),
        "/api/v1/incentives/organisations/{org}/entitlements",
        "",
    ),
    "/api/v1/incentives/organisations/{org_id}/investments": (
        lambda: (COMMUNITY, community_org()),
        "/api/v1/incentives/organisations/{id}/investments",
        "public_id",
    ),
    "/api/v1/incentives/organisations/{org_id}/conferences": (
        lambda: (ENTERPRISE, None),
        "/api/v1/incentives/organisations/{org}/conferences",
        "",
    ),
    "/api/v1/incentives/review/claims": (REVIEWER, "/api/v1/incentives/review/claims"),
    "/api/v1/incentives/recalculation": (REVIEWER, "/api/v1/incentives/recalculation"),
    "/api/v1/vouchers/programmes": (NOMAD, "/api/v1/vouchers/programmes"),
    "/api/v1/datapools/pools": (NOMAD, "/api/v1/datapools/pools"),
    "/api/v1/datapools/contributions": (NOMAD, "/api/v1/datapools/contributions"),
    "/api/v1/datapools/negotiations": (ENTERPRISE, "/api/v1/datapools/negotiations"),
    "/api/v1/datapools/rewards": (NOMAD, "/api/v1/datapools/rewards"),
    "/api/v1/datapools/negotiations/{negotiation_id}/download-links": (
        lambda: (ENTERPRISE, first("datapools.Negotiation", pool__kind="metaverse")),
        "/api/v1/datapools/negotiations/{id}/download-links",
        "public_id",
    ),
    "/api/v1/datapools/pools/{pool_id}/templates": (
        lambda: (ENTERPRISE, model("datapools.QueryTemplate").objects.first().pool),
        "/api/v1/datapools/pools/{id}/templates",
        "public_id",
    ),
    "/api/v1/datapools/scenarios": (NOMAD, "/api/v1/datapools/scenarios"),
    "/api/v1/crossborder/requests": (ENTERPRISE, "/api/v1/crossborder/requests"),
    "/api/v1/crossborder/entries": ("wangxin@demo.nomadcloud.cn", "/api/v1/crossborder/entries"),
    "/api/v1/vouchers/programmes/{programme_id}/providers": (
        lambda: (NOMAD, first("vouchers.Programme")),
        "/api/v1/vouchers/programmes/{id}/providers",
        "public_id",
    ),
    "/api/v1/vouchers/vouchers": (REVIEWER, "/api/v1/vouchers/vouchers"),
    "/api/v1/training/completions": (NOMAD, "/api/v1/training/completions"),
    "/api/v1/training/enrolments": (NOMAD, "/api/v1/training/enrolments"),
    "/api/v1/training/scenarios": (NOMAD, "/api/v1/training/scenarios"),
    "/api/v1/training/scenarios/{scenario_id}/enrolments": (
        of_organisation("training.Scenario", "enrolments"),
        "/api/v1/training/scenarios/{id}/enrolments",
        "public_id",
    ),
    "/api/v1/training/scenarios/{scenario_id}/materials": (
        of_organisation("training.Scenario", "materials"),
        "/api/v1/training/scenarios/{id}/materials",
        "public_id",
    ),
}


def resolve(target: Target) -> tuple[str, str]:
    if isinstance(target[0], str):
        persona, path = target  # type: ignore[misc]
        return persona, path
    resolver, template, attribute = target  # type: ignore[misc]
    persona, row = resolver()
    values = {
        "org": enterprise_org().public_id,
        "merchant": merchant_org().public_id,
        "id": getattr(row, attribute) if attribute else "",
    }
    return persona, template.format(**values)


def count(persona: str, path: str) -> int:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(model("accounts.User").objects.get(email=persona))
    first_answer = client.get(path)
    assert first_answer.status_code == 200, (persona, path, first_answer.status_code)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(path)
    assert again.status_code == 200, (persona, path, again.status_code)
    return len(queries.captured_queries)


@pytest.fixture
def demo(db: None, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", nomads=12, verbosity=0)  # the named personas and a few more
    # The demo zone pulls no feed: two, with a few pulls each, for the feed lists.
    owner = model("accounts.User").objects.get(email=ENTERPRISE)
    for n in range(2):
        feed = model("demands.Feed").objects.create(
            organisation=enterprise_org(),
            url=f"https://jobs.example.com/feed-{n}.json",
            format="jobposting",
            created_by=owner,
        )
        for status in ("ok", "not_modified", "failed"):
            model("demands.FeedSync").objects.create(feed=feed, status=status)
    # As if the zone had been seeded a while ago: matching's index reloads the profiles stamped
    # within its clock overlap of the last look, so fresh stamps would make counts depend on
    # how fast the machine is.
    earlier = timezone.now() - timedelta(minutes=5)
    model("matching.ProfileStamp").objects.update(changed_at=earlier)
    matcher.reset()


def test_list_pages_and_endpoints_keep_their_query_counts(demo: None) -> None:
    """One test for all lists, so that the demo zone is built once and every difference is
    reported together."""
    measured = {
        "pages": {name: count(*resolve(target)) for name, target in PAGES.items()},
        "api": {name: count(*resolve(target)) for name, target in API.items()},
    }
    if UPDATE:
        COUNTS.write_text(json.dumps(measured, indent=2, sort_keys=True) + "\n", encoding="utf-8")
        return
    pinned = json.loads(COUNTS.read_text(encoding="utf-8"))
    changed = [
        f"{kind} {name}: {pinned.get(kind, {}).get(name)} → {value} queries"
        for kind, values in measured.items()
        for name, value in values.items()
        if pinned.get(kind, {}).get(name) != value
    ]
    stale = [
        f"{kind} {name}: pinned but no longer measured"
        for kind, values in pinned.items()
        for name in values
        if name not in measured.get(kind, {})
    ]
    assert not changed and not stale, (
        "Query counts differ from tests/query_counts.json:\n  "
        + "\n  ".join(changed + stale)
        + "\nIf the change is intended, rewrite the file with "
        "NOMADCLOUD_UPDATE_QUERY_COUNTS=1 NOMADCLOUD_TEST_DB=sqlite "
        ".venv/bin/pytest tests/test_query_counts.py and commit it."
    )


def test_every_list_endpoint_of_the_api_is_pinned() -> None:
    """A new list endpoint (a GET answering an array or a cursor page) must join the file."""
    document = json.loads(
        (Path(__file__).resolve().parents[1] / "docs" / "api" / "openapi.json").read_text()
    )
    lists = set()
    for path, operations in document["paths"].items():
        get = operations.get("get")
        if not get:
            continue
        schema = (
            get["responses"].get("200", {}).get("content", {}).get("application/json", {})
        ).get("schema", {})
        query = {p["name"] for p in get.get("parameters", []) if p["in"] == "query"}
        if schema.get("type") == "array" or "cursor" in query:
            lists.add(path)
    assert lists == set(API), (sorted(lists - set(API)), sorted(set(API) - lists))
