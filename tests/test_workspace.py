"""The workspace per role (issue 14 item 4): every persona of the demo zone starts at its
workspace and finds every page its role needs within two clicks (the workspace's links and
the header's, then the links of those pages); every internal link reachable so is answered
with 200. The figures on each workspace are those of the apps' queries."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import timedelta
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import Client
from django.test.utils import override_settings
from django.urls import reverse
from django.utils import timezone

# Which tools a persona reaches does not depend on the database (docs/decisions/0047).
pytestmark = pytest.mark.one_database("sqlite")

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
NOMAD = "nomad@demo.nomadcloud.cn"
FOREIGN_NOMAD = "emma@demo.nomadcloud.cn"
OWNER = "enterprise@demo.nomadcloud.cn"
MEMBER = "hr@demo.nomadcloud.cn"
REVIEWER = "reviewer@demo.nomadcloud.cn"
CASHIER = "cashier@demo.nomadcloud.cn"
COMMUNITY = "community@demo.nomadcloud.cn"
OPERATOR = "operator@demo.nomadcloud.cn"


def model(label: str) -> Any:
    return apps.get_model(label)


def org_of(email: str) -> str:
    membership = model("accounts.Membership").objects.filter(user__email=email).first()
    return str(membership.organisation.public_id)


NOMAD_PAGES: list[tuple[str, Callable[[], list[Any]]]] = [
    ("talent:profile", list),
    ("talent:certification", list),
    ("demands:list", list),
    ("matching:recommended", list),
    ("matching:invitations", list),
    ("orders:list", list),
    ("training:mine", list),
    ("training:list", list),
    ("datatasks:list", list),
    ("proofs:mine", list),
    ("points:wallet", list),
    ("points:pay", list),
    ("notifications:list", list),
    ("accounts:settings", list),
]


def _enterprise(email: str, *, editor: bool) -> list[tuple[str, Callable[[], list[Any]]]]:
    of = lambda: [org_of(email)]  # noqa: E731
    pages = [
        ("accounts:organisation", of),
        ("demands:organisation", of),
        ("orders:organisation", of),
        ("training:organisation", of),
        ("datatasks:organisation", of),
        ("proofs:verify", list),
        ("notifications:list", list),
    ]
    if editor:
        pages.append(("demands:create", of))
    return pages


# persona → the pages (url name, arguments) its role needs
NEEDS: dict[str, list[tuple[str, Callable[[], list[Any]]]]] = {
    NOMAD: NOMAD_PAGES,
    FOREIGN_NOMAD: NOMAD_PAGES,
    OWNER: _enterprise(OWNER, editor=True),
    MEMBER: _enterprise(MEMBER, editor=True),
    REVIEWER: [("accounts:reviews", list), ("talent:reviews", list)],
    CASHIER: [
        ("points:merchant_cashier", lambda: [org_of(CASHIER)]),
        ("accounts:organisation", lambda: [org_of(CASHIER)]),
    ],
    COMMUNITY: [
        ("accounts:organisation", lambda: [org_of(COMMUNITY)]),
        ("demands:list", list),
        ("training:list", list),
        ("talent:rules", list),
        ("proofs:verify", list),
    ],
    OPERATOR: [
        ("accounts:audit", list),
        ("accounts:organisations", list),
        ("talent:rules", list),
        ("talent:reviews", list),
        ("taxonomy:imports", list),
        ("orders:disputes", list),
        ("orders:conversions", list),
        ("proofs:operator", list),
        ("points:operator", list),
        ("points:merchant_registry", list),
        ("demands:export_csv", list),
    ],
}

# Links that are not pages to walk: signing out and the language switch are forms; the API
# and the admin site have their own tests; media files are downloads of stored uploads.
SKIPPED = re.compile(r"^/(api/|admin/.+|static/|media/|accounts/logout/)")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href") or ""
            self.found.append(href)


def internal_links(html: str) -> Iterator[str]:
    parser = _Links()
    parser.feed(html)
    for href in parser.found:
        url, _fragment = urldefrag(href)
        parts = urlsplit(url)
        if not url or parts.scheme or parts.netloc or not url.startswith("/"):
            continue
        if SKIPPED.match(parts.path):
            continue
        yield url


def walk(client: Client, start: str, hops: int = 2) -> dict[str, int]:
    """Every internal link within ``hops`` clicks of ``start``, with its final status (after
    redirects). Pages are parsed for further links up to ``hops - 1``."""
    seen: dict[str, int] = {}
    frontier = [start]
    for depth in range(hops + 1):
        following: list[str] = []
        for url in frontier:
            if url in seen:
                continue
            response = client.get(url, follow=True)
            final = response.redirect_chain[-1][0] if response.redirect_chain else url
            # Sent to the sign-in page: the persona may not see it (a link it should not get).
            signed_out = urlsplit(final).path == reverse("accounts:login")
            seen[url] = 401 if signed_out else response.status_code
            seen.setdefault(final, seen[url])
            html = response.content.decode(errors="replace")
            is_html = "text/html" in response.get("Content-Type", "")
            if depth < hops and response.status_code == 200 and is_html:
                following.extend(u for u in internal_links(html) if u not in seen)
        frontier = list(dict.fromkeys(following))
    return seen


@pytest.fixture(scope="module")
def demo_zone(django_db_setup: None, django_db_blocker: Any) -> Iterator[None]:
    """The demo zone, seeded once for the module and removed after it."""
    from django.db import connection, transaction

    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic._from_testcase = True  # type: ignore[attr-defined]  (lets durable blocks run)
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                call_command("seed_demo", nomads=12, verbosity=0)
            yield
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            connection.close_if_unusable_or_obsolete()


@pytest.fixture
def zone(demo_zone: None, db: None, settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def client_of(email: str, language: str = "en") -> Client:
    """A browser of the persona, in ``language`` (the person's saved language wins over the
    browser's, so it is set too)."""
    user = model("accounts.User").objects.get(email=email)
    model("accounts.User").objects.filter(pk=user.pk).update(preferred_language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", list(NEEDS))
def test_every_page_a_role_needs_is_within_two_clicks_of_its_workspace(
    zone: None, persona: str
) -> None:
    reached = walk(client_of(persona), reverse("accounts:workspace"))
    broken = {url: status for url, status in reached.items() if status != 200}
    assert not broken, (persona, broken)
    needed = {reverse(name, args=args()) for name, args in NEEDS[persona]}
    reached_paths = {urlsplit(url).path for url in reached}
    missing = needed - reached_paths
    assert not missing, (persona, sorted(missing))


def figures(html: str) -> dict[str, str]:
    """The workspace's figures by test id."""
    return dict(re.findall(r'data-testid="figure-([\w-]+)"><dt>[^<]*</dt><dd>([^<]*)</dd>', html))


def test_the_nomads_figures_are_those_of_the_queries(zone: None) -> None:
    user = model("accounts.User").objects.get(email=NOMAD)
    html = client_of(NOMAD).get("/accounts/workspace/").content.decode()
    shown = figures(html)
    applications = model("orders.OrderApplication").objects.filter(applicant=user, status="pending")
    active = model("orders.Order").objects.filter(
        nomad=user, status__in=["assigned", "in_progress"]
    )
    assert shown["open-applications"] == str(applications.count())
    assert shown["orders-active"] == str(active.count())
    assert shown["proofs"] == str(model("proofs.Credential").objects.filter(user=user).count())
    profile = model("talent.Profile").objects.get(user=user)
    assert shown["skills"] == str(profile.skills.count())
    invitations = model("matching.Invitation").objects.filter(profile=profile, status="sent")
    assert shown["invitations"] == str(invitations.count())


def test_the_enterprises_figures_follow_its_orders(zone: None) -> None:
    org = model("accounts.Organisation").objects.get(public_id=org_of(OWNER))
    orders = model("orders.Order").objects.filter(organisation=org)
    html = client_of(OWNER).get("/accounts/workspace/").content.decode()
    delivered = orders.filter(status="delivered").count()
    assert figures(html)["orders-awaiting-acceptance"] == str(delivered)
    published = model("demands.Demand").objects.filter(organisation=org, status="published")
    assert figures(html)["demands-published"] == str(published.count())
    # One more delivered order shows at once, and asks for the next step.
    order = orders.exclude(status="delivered").first()
    model("orders.Order").objects.filter(pk=order.pk).update(status="delivered")
    html = client_of(OWNER).get("/accounts/workspace/").content.decode()
    assert figures(html)["orders-awaiting-acceptance"] == str(delivered + 1)
    assert "Review the delivered work and accept it." in html


def test_the_reviewers_queue_shows_its_length_and_oldest_age(zone: None) -> None:
    pending = model("accounts.Organisation").objects.filter(verification_status="pending")
    pending.update(created_at=timezone.now() - timedelta(days=3, hours=2))
    html = client_of(REVIEWER).get("/accounts/workspace/").content.decode()
    assert figures(html)["queue-length"] == str(pending.count())
    assert figures(html)["queue-age"] == "3 days"
    assert "Decide the oldest verification request." in html


def test_the_cashier_reaches_the_cashier_page_and_sees_todays_takings(zone: None) -> None:
    html = client_of(CASHIER).get("/accounts/workspace/").content.decode()
    cashier = reverse("points:merchant_cashier", args=[org_of(CASHIER)])
    assert f'href="{cashier}"' in html
    from nomadcloud.points.merchants.services.settlement import day_bounds

    start, end = day_bounds(timezone.localdate())
    today = model("points.Payment").objects.filter(
        merchant__organisation__public_id=org_of(CASHIER),
        status="confirmed",
        created_at__gte=start,
        created_at__lt=end,
    )
    assert figures(html)["payments-today"] == str(today.count())
    from nomadcloud.points.merchants.services.payments import amount_text

    net = sum(p.amount - p.refunded for p in today)
    merchant = model("points.Merchant").objects.get(organisation__public_id=org_of(CASHIER))
    assert figures(html)["takings-today"] == amount_text(merchant.scenario.asset, net)


def test_a_new_nomad_gets_a_first_run_checklist(db: None) -> None:
    from nomadcloud.accounts import services

    user = services.register_person(
        display_name="Mia",
        email="mia@example.com",
        password="x" * 20,
        consent=True,
        is_nomad=True,
        nationality="NZ",
        preferred_language="en",
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    html = client.get("/accounts/workspace/").content.decode()
    assert 'data-testid="checklist"' in html
    for step in ("details", "profile", "skills", "first-proof"):
        assert f'data-testid="step-{step}"' in html
    assert 'class="todo" data-testid="step-skills"' in html
    assert "Add your visa or permit and its dates" in html  # a foreign nomad
    assert "Add your skills, so that work can find you." in html  # the next step


def test_a_new_enterprise_owner_is_asked_for_verification_and_a_first_demand(db: None) -> None:
    from tests.builders.world import make_org, make_person

    owner = make_person("Olga", "olga@example.com", preferred_language="en")
    org = make_org(owner, "Olga Ltd")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(owner)
    html = client.get("/accounts/workspace/").content.decode()
    assert 'data-testid="enterprise-panel"' in html
    assert 'class="todo" data-testid="step-verification"' in html
    assert 'class="todo" data-testid="step-first-demand"' in html
    assert reverse("demands:create", args=[org.public_id]) in html
    assert "Ask for your organisation&#x27;s verification." in html


def test_the_workspace_speaks_chinese_without_raw_values(zone: None) -> None:
    for persona in NEEDS:
        html = client_of(persona, "zh-hans").get("/accounts/workspace/").content.decode()
        for raw in ("owner", "member", "reviewer", "pending", "verified", "enterprise"):
            assert f">{raw}<" not in html and f" {raw} " not in html, (persona, raw)
        assert "Next steps" not in html and "Getting started" not in html
