"""A permission test for every page and API endpoint, generated from one table.

Each endpoint is requested as six personas (anonymous, outsider from another organisation,
read-only member, owner, a department reviewer, the zone operator). Refused requests must
answer 302-to-login/401/403/404/409 and change nothing in the database; allowed ones must
succeed. A test fails when a URL or API operation exists that the table does not cover.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from nomadcloud.api import api
from tests.conftest import PERSONAS, World, client_for, database_fingerprint

ALLOW, DENY = "allow", "deny"
AUTHENTICATED = dict.fromkeys(PERSONAS, ALLOW) | {"anonymous": DENY}
OWNER_ONLY = dict.fromkeys(PERSONAS, DENY) | {"owner": ALLOW}
MEMBERS_AND_OPERATOR = dict.fromkeys(PERSONAS, DENY) | {
    "readonly": ALLOW,
    "owner": ALLOW,
    "operator": ALLOW,
}
REVIEWER_ONLY = dict.fromkeys(PERSONAS, DENY) | {"reviewer": ALLOW}
OPERATOR_ONLY = dict.fromkeys(PERSONAS, DENY) | {"operator": ALLOW}
# Erasure is refused to sole owners (Olivia, Charlie, Oscar) until they hand over.
ERASE = {
    "anonymous": DENY,
    "outsider": DENY,
    "readonly": ALLOW,
    "owner": DENY,
    "reviewer": ALLOW,
    "operator": DENY,
}
# Anyone signed in who holds the link may accept; existing members may not join twice.
ACCEPT = AUTHENTICATED | {"readonly": DENY, "owner": DENY}


@dataclass
class Case:
    name: str
    method: str
    path: Callable[[World], str]
    expect: dict[str, str]
    body: Callable[[World], dict[str, Any]] = field(default=lambda w: {})
    api: bool = False


def org(w: World) -> str:
    return str(w.acme.public_id)


API_CASES = [
    Case("api get me", "GET", lambda w: "/api/v1/me", AUTHENTICATED, api=True),
    Case(
        "api patch me",
        "PATCH",
        lambda w: "/api/v1/me",
        AUTHENTICATED,
        lambda w: {"display_name": "New Name"},
        api=True,
    ),
    Case(
        "api foreign details",
        "PUT",
        lambda w: "/api/v1/me/foreign-details",
        AUTHENTICATED,
        lambda w: {"nationality": "FR", "passport_number": "12AB34567"},
        api=True,
    ),
    Case("api export", "GET", lambda w: "/api/v1/me/export", AUTHENTICATED, api=True),
    Case(
        "api erase",
        "POST",
        lambda w: "/api/v1/me/erase",
        ERASE,
        lambda w: {"password": "correct-horse-battery-staple-42"},
        api=True,
    ),
    Case(
        "api list organisations", "GET", lambda w: "/api/v1/organisations", AUTHENTICATED, api=True
    ),
    Case(
        "api create organisation",
        "POST",
        lambda w: "/api/v1/organisations",
        AUTHENTICATED,
        lambda w: {"kind": "merchant", "name_en": "New Shop"},
        api=True,
    ),
    Case(
        "api get organisation",
        "GET",
        lambda w: f"/api/v1/organisations/{org(w)}",
        MEMBERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api patch organisation",
        "PATCH",
        lambda w: f"/api/v1/organisations/{org(w)}",
        OWNER_ONLY,
        lambda w: {"name_en": "Acme Renamed"},
        api=True,
    ),
    Case(
        "api request verification",
        "POST",
        lambda w: f"/api/v1/organisations/{org(w)}/verification-request",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api list members",
        "GET",
        lambda w: f"/api/v1/organisations/{org(w)}/members",
        MEMBERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api change role",
        "PATCH",
        lambda w: f"/api/v1/organisations/{org(w)}/members/{w.bob_membership.pk}",
        OWNER_ONLY,
        lambda w: {"role": "admin"},
        api=True,
    ),
    Case(
        "api remove member",
        "DELETE",
        lambda w: f"/api/v1/organisations/{org(w)}/members/{w.bob_membership.pk}",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api list invitations",
        "GET",
        lambda w: f"/api/v1/organisations/{org(w)}/invitations",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api invite",
        "POST",
        lambda w: f"/api/v1/organisations/{org(w)}/invitations",
        OWNER_ONLY,
        lambda w: {"email": "x@example.com", "role": "member"},
        api=True,
    ),
    Case(
        "api revoke invitation",
        "POST",
        lambda w: f"/api/v1/organisations/{org(w)}/invitations/{w.invitation.pk}/revoke",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api accept invitation",
        "POST",
        lambda w: "/api/v1/invitations/accept",
        ACCEPT,
        lambda w: {"token": w.invitation_token},
        api=True,
    ),
    Case("api list tokens", "GET", lambda w: "/api/v1/tokens", AUTHENTICATED, api=True),
    Case(
        "api create token",
        "POST",
        lambda w: "/api/v1/tokens",
        AUTHENTICATED,
        lambda w: {"name": "ci", "scope": "read"},
        api=True,
    ),
    Case(
        "api revoke personal token",
        "POST",
        lambda w: f"/api/v1/tokens/{w.olivia_token.public_id}/revoke",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api revoke organisation key",
        "POST",
        lambda w: f"/api/v1/tokens/{w.org_key.public_id}/revoke",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api list keys",
        "GET",
        lambda w: f"/api/v1/organisations/{org(w)}/api-keys",
        OWNER_ONLY,
        api=True,
    ),
    Case(
        "api create key",
        "POST",
        lambda w: f"/api/v1/organisations/{org(w)}/api-keys",
        OWNER_ONLY,
        lambda w: {"name": "ERP", "scope": "read"},
        api=True,
    ),
    Case(
        "api review queue",
        "GET",
        lambda w: "/api/v1/reviews/organisations",
        AUTHENTICATED,
        api=True,
    ),
    Case(
        "api decide",
        "POST",
        lambda w: f"/api/v1/reviews/organisations/{w.pending.public_id}/decision",
        REVIEWER_ONLY,
        lambda w: {"approve": True, "reason": "Code checked."},
        api=True,
    ),
    Case("api audit events", "GET", lambda w: "/api/v1/audit-events", OPERATOR_ONLY, api=True),
]

PAGE_CASES = [
    Case("workspace", "GET", lambda w: "/accounts/workspace/", AUTHENTICATED),
    Case("settings", "GET", lambda w: "/accounts/settings/", AUTHENTICATED),
    Case(
        "settings save",
        "POST",
        lambda w: "/accounts/settings/",
        AUTHENTICATED,
        lambda w: {
            "form": "profile",
            "display_name": "Renamed",
            "email": "",
            "phone": "+8613812345678",
            "preferred_language": "en",
        },
    ),
    Case("export", "GET", lambda w: "/accounts/settings/export/", AUTHENTICATED),
    Case("erase form", "GET", lambda w: "/accounts/settings/erase/", AUTHENTICATED),
    Case(
        "erase",
        "POST",
        lambda w: "/accounts/settings/erase/",
        ERASE,
        lambda w: {"password": "correct-horse-battery-staple-42"},
    ),
    Case("tokens", "GET", lambda w: "/accounts/tokens/", AUTHENTICATED),
    Case(
        "revoke token",
        "POST",
        lambda w: f"/accounts/tokens/{w.olivia_token.public_id}/revoke/",
        OWNER_ONLY,
    ),
    Case("organisations", "GET", lambda w: "/accounts/organisations/", AUTHENTICATED),
    Case(
        "create organisation",
        "POST",
        lambda w: "/accounts/organisations/new/",
        AUTHENTICATED,
        lambda w: {"kind": "merchant", "name_en": "Shop", "country": "CN"},
    ),
    Case(
        "organisation", "GET", lambda w: f"/accounts/organisations/{org(w)}/", MEMBERS_AND_OPERATOR
    ),
    Case(
        "edit organisation",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/edit/",
        OWNER_ONLY,
        lambda w: {
            "name_en": "Acme 2",
            "name_zh": "",
            "country": "CN",
            "credit_code": w.acme.credit_code,
        },
    ),
    Case(
        "request verification",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/verification/",
        OWNER_ONLY,
    ),
    Case(
        "invite",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/invite/",
        OWNER_ONLY,
        lambda w: {"email": "y@example.com", "role": "member"},
    ),
    Case(
        "revoke invitation",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/invitations/{w.invitation.pk}/revoke/",
        OWNER_ONLY,
    ),
    Case(
        "change role",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/members/{w.bob_membership.pk}/role/",
        OWNER_ONLY,
        lambda w: {"role": "admin"},
    ),
    Case(
        "remove member",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/members/{w.bob_membership.pk}/remove/",
        OWNER_ONLY,
    ),
    Case(
        "leave organisation",
        "POST",
        lambda w: (
            f"/accounts/organisations/{org(w)}/members/"
            f"{w.acme.memberships.get(user=w.rita).pk}/remove/"
        ),
        dict.fromkeys(PERSONAS, DENY) | {"readonly": ALLOW, "owner": ALLOW},
    ),
    Case(
        "create key",
        "POST",
        lambda w: f"/accounts/organisations/{org(w)}/keys/",
        OWNER_ONLY,
        lambda w: {"name": "ERP", "scope": "read", "expires_in_days": "30"},
    ),
    Case(
        "accept invitation",
        "POST",
        lambda w: f"/accounts/invitations/{w.invitation_token}/",
        ACCEPT,
    ),
    Case("reviews", "GET", lambda w: "/accounts/reviews/", AUTHENTICATED),
    Case("review", "GET", lambda w: f"/accounts/reviews/{w.pending.public_id}/", REVIEWER_ONLY),
    Case(
        "decide review",
        "POST",
        lambda w: f"/accounts/reviews/{w.pending.public_id}/",
        REVIEWER_ONLY,
        lambda w: {"approve": "1", "reason": "Checked."},
    ),
    Case("audit log", "GET", lambda w: "/accounts/audit/", OPERATOR_ONLY),
]

# Pages anyone may open; not part of the matrix.
PUBLIC_PAGES = {
    "home",
    "healthz",
    "privacy",
    "set_language",
    "accounts:login",
    "accounts:logout",
    "accounts:register",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:password_reset_complete",
}
PUBLIC_API = {("POST", "/api/v1/people")}
# Pages covered by the matrix under the name of the page they belong to.
PAGE_NAMES = {
    "accounts:workspace": "workspace",
    "accounts:settings": "settings",
    "accounts:export": "export",
    "accounts:erase": "erase",
    "accounts:tokens": "tokens",
    "accounts:revoke_token": "revoke token",
    "accounts:organisations": "organisations",
    "accounts:create_organisation": "create organisation",
    "accounts:organisation": "organisation",
    "accounts:edit_organisation": "edit organisation",
    "accounts:request_verification": "request verification",
    "accounts:invite": "invite",
    "accounts:revoke_invitation": "revoke invitation",
    "accounts:change_role": "change role",
    "accounts:remove_member": "remove member",
    "accounts:create_key": "create key",
    "accounts:accept_invitation": "accept invitation",
    "accounts:reviews": "reviews",
    "accounts:review": "review",
    "accounts:audit": "audit log",
}


def _named_patterns(resolver: URLResolver, namespace: str = "") -> list[str]:
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name in {"admin", "api"} or entry.namespace in {"admin", "api"}:
                continue  # admin checks is_staff itself; the API is covered operation by operation
            prefix = f"{entry.namespace}:" if entry.namespace else namespace
            names.extend(_named_patterns(entry, prefix))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(namespace + entry.name)
    return names


def test_every_page_is_in_the_matrix() -> None:
    covered = {case.name for case in PAGE_CASES}
    missing = [
        name
        for name in _named_patterns(get_resolver())
        if name not in PUBLIC_PAGES and PAGE_NAMES.get(name) not in covered
    ]
    assert missing == []


def test_every_api_operation_is_in_the_matrix(db: None) -> None:
    schema = api.get_openapi_schema()
    operations = {
        (method.upper(), re.sub(r"\{[^}]+\}", "{}", path))
        for path, methods in schema["paths"].items()
        for method in methods
    }
    world_paths = {
        (case.method, re.sub(r"[0-9a-f-]{36}|/\d+(?=/|$)", _placeholder, _sample_path(case)))
        for case in API_CASES
    }
    assert operations - PUBLIC_API - world_paths == set()


def _placeholder(match: re.Match[str]) -> str:
    return "/{}" if match.group(0).startswith("/") else "{}"


class _Fake:
    """Stands in for World when only the shape of a case's path is needed."""

    def __getattr__(self, name: str) -> Any:
        return self

    public_id = "00000000-0000-0000-0000-000000000000"
    pk = 1

    def __str__(self) -> str:
        return self.public_id


def _sample_path(case: Case) -> str:
    return case.path(_Fake())  # type: ignore[arg-type]


def _request(case: Case, world: World, client: Any) -> Any:
    path = case.path(world)
    body = case.body(world)
    if case.api:
        return client.generic(
            case.method, path, json.dumps(body) if body else "", content_type="application/json"
        )
    if case.method == "GET":
        return client.get(path)
    return client.post(path, body)


ALL = [(case, persona) for case in API_CASES + PAGE_CASES for persona in PERSONAS]


@pytest.mark.parametrize(("case", "persona"), ALL, ids=[f"{c.name}-{p}" for c, p in ALL])
def test_permission(case: Case, persona: str, world: World) -> None:
    client = client_for(world.persona(persona), HTTP_ACCEPT_LANGUAGE="en")
    before = database_fingerprint()
    response = _request(case, world, client)
    expected = case.expect[persona]
    if expected == DENY:
        if case.api:
            assert response.status_code in {401, 403, 404, 409}, response.content
            assert set(response.json()) == {"code", "message", "fields"}
        elif persona == "anonymous":
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
        else:
            assert response.status_code in {403, 404, 409, 422, 302}, response.status_code
            if response.status_code == 302:  # a refusal shown as a message on the way back
                assert not response["Location"].startswith("/accounts/login/")
        assert database_fingerprint() == before, "a refused request changed the database"
    else:
        assert response.status_code in {200, 201, 204, 302}, response.content[:500]
        if response.status_code == 302:
            assert not response["Location"].startswith("/accounts/login/")
        if case.method != "GET":
            assert database_fingerprint() != before, "an allowed action changed nothing"
