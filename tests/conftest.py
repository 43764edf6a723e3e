"""Shared personas and helpers. The `world` fixture builds a small zone:

- Acme (enterprise, unverified): Olivia owner, Rita read-only, Bob member; an open invitation,
  an organisation API key; Olivia has a personal token.
- Globex (enterprise): Charlie (the outsider) owns it and has no role in Acme.
- Pending Ltd (enterprise) awaits verification by 市科工信局, where Wendy is a reviewer.
- The zone operator organisation, where Oscar is owner.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.test import Client

from nomadcloud.accounts import services
from nomadcloud.accounts.models import ApiToken, Invitation, Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.schemas import OrganisationDraft
from nomadcloud.accounts.validators import uscc_check_character
from nomadcloud.core.inputs import parse_draft

PASSWORD = "correct-horse-battery-staple-42"


def credit_code(seed: str) -> str:
    body = ("91460400" + hashlib.sha256(seed.encode()).hexdigest().upper())[:17]
    body = "".join(c if c in "0123456789ABCDEFGHJKLMNPQRTUWXY" else "1" for c in body)
    return body + uscc_check_character(body)


@pytest.fixture(autouse=True)
def _fast_hashing(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["nomadcloud.testing.hashers.FastArgon2PasswordHasher"]


@dataclass
class World:
    olivia: User
    rita: User
    bob: User
    charlie: User
    wendy: User
    oscar: User
    acme: Organisation
    globex: Organisation
    pending: Organisation
    department: Organisation
    operator_org: Organisation
    bob_membership: Membership
    invitation: Invitation
    invitation_token: str
    org_key: ApiToken
    org_key_secret: str
    olivia_token: ApiToken
    olivia_token_secret: str

    def persona(self, name: str) -> User | None:
        return None if name == "anonymous" else getattr(self, PERSONA_USERS[name])


PERSONA_USERS = {
    "outsider": "charlie",
    "readonly": "rita",
    "owner": "olivia",
    "reviewer": "wendy",
    "operator": "oscar",
}
PERSONAS = ["anonymous", *PERSONA_USERS]


def make_person(name: str, email: str, **extra: Any) -> User:
    return services.register_person(
        display_name=name, email=email, password=PASSWORD, consent=True, **extra
    )


def make_org(owner: User, name: str, kind: str = "enterprise", **extra: Any) -> Organisation:
    fields = {"name_zh": f"{name}（中文）", "credit_code": credit_code(name), **extra}
    draft = parse_draft(OrganisationDraft, {"kind": kind, "name_en": name, **fields})
    return services.create_organisation(principal=Principal.for_user(owner), draft=draft)


@pytest.fixture
def world(db: None) -> World:
    oscar = make_person("Oscar Operator", "oscar@example.com")
    operator_org = Organisation.objects.create(
        kind="operator", name_en="Zone Operator", code="zone-operator"
    )
    Membership.objects.create(user=oscar, organisation=operator_org, role="owner")
    wendy = make_person("Wendy Reviewer", "wendy@example.com")
    department = Organisation.objects.create(
        kind="department",
        name_zh="市科工信局",
        name_en="Bureau of Industry and IT",
        code="kegongxin",
    )
    Membership.objects.create(user=wendy, organisation=department, role="reviewer")

    olivia = make_person("Olivia Owner", "olivia@example.com", is_nomad=False)
    rita = make_person("Rita Readonly", "rita@example.com")
    bob = make_person("Bob Member", "bob@example.com")
    charlie = make_person("Charlie Outsider", "charlie@example.com")
    acme = make_org(olivia, "Acme")
    owner = Principal.for_user(olivia)
    Membership.objects.create(user=rita, organisation=acme, role="readonly")
    bob_membership = Membership.objects.create(user=bob, organisation=acme, role="member")
    globex = make_org(charlie, "Globex")
    pending_owner = make_person("Pat Pending", "pat@example.com")
    pending = make_org(pending_owner, "Pending Ltd")
    services.request_verification(principal=Principal.for_user(pending_owner), organisation=pending)
    invitation, invitation_token = services.invite_member(
        principal=owner, organisation=acme, email="newcomer@example.com", role="member"
    )
    org_key, org_key_secret = services.create_organisation_key(
        principal=owner, organisation=acme, name="HR system", scope="write"
    )
    olivia_token, olivia_token_secret = services.create_personal_token(
        principal=owner, name="laptop", scope="write"
    )
    return World(
        olivia=olivia,
        rita=rita,
        bob=bob,
        charlie=charlie,
        wendy=wendy,
        oscar=oscar,
        acme=acme,
        globex=globex,
        pending=pending,
        department=department,
        operator_org=operator_org,
        bob_membership=bob_membership,
        invitation=invitation,
        invitation_token=invitation_token,
        org_key=org_key,
        org_key_secret=org_key_secret,
        olivia_token=olivia_token,
        olivia_token_secret=olivia_token_secret,
    )


def client_for(user: User | None, **defaults: Any) -> Client:
    """A client signed in as ``user``. With HTTP_ACCEPT_LANGUAGE the person's saved language
    is set to it too, since a signed-in person's saved choice wins over the header."""
    client = Client(**defaults)
    if user is not None:
        language = defaults.get("HTTP_ACCEPT_LANGUAGE")
        if language and user.preferred_language != language:
            user.preferred_language = language
            user.save(update_fields=["preferred_language"])
        client.force_login(user)
    return client


# Tables whose rows change as a side effect of any request, not as the effect of an action.
VOLATILE_TABLES = {
    "sessions.Session",
    "axes.AccessAttempt",
    "axes.AccessLog",
    "axes.AccessFailureLog",
}


def database_fingerprint() -> dict[str, str]:
    """A hash per table over all its rows: equal before and after means nothing changed
    (and a difference names the table)."""
    hashes = {}
    for model in apps.get_models():
        if model._meta.label in VOLATILE_TABLES or model._meta.proxy:
            continue
        digest = hashlib.sha256()
        for row in model._default_manager.order_by("pk").values_list():
            digest.update(repr(row).encode())
        hashes[model._meta.label] = digest.hexdigest()[:16]
    return hashes


# Browser fixtures are defined once, here, for every browser test: each test process must
# start one Playwright only (a second sync_playwright() in the same thread fails).
from tests.browser_fixtures import (  # noqa: E402, F401
    audit_triggers_lifted_for_flush,
    browser,
    login,
    page,
)
