"""The persona world every permission case and most tests start from:

- Acme (enterprise, unverified): Olivia owner, Rita read-only, Bob member; an open invitation,
  an organisation API key; Olivia has a personal token.
- Globex (enterprise): Charlie (the outsider) owns it and has no role in Acme.
- Pending Ltd (enterprise) awaits verification by 市科工信局, where Wendy is a reviewer.
- The zone operator organisation, where Oscar is owner.

Building it goes through the services (about a hundred queries and seven password hashes), so
tests/conftest.py builds it once per test module inside a transaction and hands each test
fresh instances of the same rows (`WorldKeys`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, fields
from typing import Any

from django.db.models import Model

from nomadcloud.accounts import services, verification
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


def make_person(name: str, email: str, *, verified: bool = True, **extra: Any) -> User:
    """A registered person; ``verified`` (the default) as if they had confirmed their contact
    with a one-time code, so that they may earn and exchange work units."""
    user = services.register_person(
        display_name=name, email=email, password=PASSWORD, consent=True, **extra
    )
    return verification.mark_verified(user) if verified else user


def make_org(owner: User, name: str, kind: str = "enterprise", **extra: Any) -> Organisation:
    fields = {"name_zh": f"{name}（中文）", "credit_code": credit_code(name), **extra}
    draft = parse_draft(OrganisationDraft, {"kind": kind, "name_en": name, **fields})
    return services.create_organisation(principal=Principal.for_user(owner), draft=draft)


def verify_org(organisation: Organisation) -> Organisation:
    """Mark an organisation verified (as a department's approval would): work it accepts
    earns work units at once unless another risk rule holds them (docs/risk.md)."""
    organisation.verification_status = Organisation.Verification.VERIFIED
    organisation.save(update_fields=["verification_status"])
    return organisation


def build_world() -> World:
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


@dataclass(frozen=True)
class WorldKeys:
    """A world as primary keys and secrets: what survives from one test to the next, since
    model instances would carry one test's in-memory changes into the following one."""

    rows: dict[str, tuple[type[Model], Any]]
    values: dict[str, Any]

    @classmethod
    def of(cls, world: World) -> WorldKeys:
        rows, values = {}, {}
        for f in fields(world):
            value = getattr(world, f.name)
            if isinstance(value, Model):
                rows[f.name] = (type(value), value.pk)
            else:
                values[f.name] = value
        return cls(rows=rows, values=values)

    def load(self) -> World:
        """Fresh instances of the world's rows: one query per model."""
        by_model: dict[type[Model], list[Any]] = {}
        for model, pk in self.rows.values():
            by_model.setdefault(model, []).append(pk)
        loaded = {model: model._default_manager.in_bulk(pks) for model, pks in by_model.items()}
        rows = {name: loaded[model][pk] for name, (model, pk) in self.rows.items()}
        return World(**rows, **self.values)
