"""Permission cases for incentives (builders: tests/builders/incentives.py).

Acme (Olivia owner, Rita read-only) claims; Wendy (the reviewer persona) verifies for
市科工信局, the department of the seeded policies; Oscar (operator) sees every claim and
simulates but decides none; Charlie (outsider) sees nothing of Acme's."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.incentives.models import Claim
from tests.builders.incentives import (
    PDF,
    budget,
    certified_nomads,
    contract,
    contracts_claim,
    ensure_policies,
    last_year,
    publicity_claim,
    second_officer,
    submitted_claim,
)
from tests.conftest import World
from tests.permissions import (
    EVERYONE,
    MEMBERS_AND_OPERATOR,
    OWNER_ONLY,
    Case,
    expect,
)

API = "/api/v1/incentives"
DEPARTMENT_AND_CLAIMANT = expect("readonly", "owner", "operator", "reviewer")
OFFICER = expect("reviewer", sees=("readonly", "owner", "operator"))
OFFICERS_AND_OPERATOR = expect("reviewer", "operator", sees=("outsider", "readonly", "owner"))


def _facts(w: World) -> str:
    year = last_year()
    for i, nomad in enumerate(certified_nomads(w, 2, prefix="perm")):
        contract(w.acme, nomad, date(year, 4, 1 + i), 12)
    return str(w.acme.public_id)


def _policies(path: str) -> str:
    ensure_policies()
    return path


def _claim_body(w: World) -> dict[str, Any]:
    return {"policy": "contract", "year": last_year()}


def _draft(w: World) -> str:
    return str(contracts_claim(w, 2).public_id)


def _submitted(w: World) -> str:
    return str(submitted_claim(w).public_id)


def _publicity(w: World) -> str:
    budget(w)
    return str(publicity_claim(w, verifier=second_officer(w)).public_id)


def _first_item(w: World) -> dict[str, Any]:
    claim = Claim.objects.latest("id")
    return {"item": claim.items.order_by("id").first().reference, "counted": True}  # type: ignore[union-attr]


def _introduction(w: World) -> dict[str, Any]:
    return {
        "nomad_email": "bob@example.com",
        "introduced_on": str(date(last_year(), 5, 1)),
        "channel": "employment",
    }


def _community(w: World) -> str:
    """A community operator Olivia owns and Rita reads (investments are a community's)."""
    from tests.builders.world import make_org

    found = Organisation.objects.filter(name_en="Permission Community").first()
    if found is None:
        found = make_org(w.olivia, "Permission Community", kind="community")
        Membership.objects.create(user=w.rita, organisation=found, role="readonly")
    return str(found.public_id)


def _evidence() -> dict[str, str]:
    return {"evidence_name": "evidence.pdf", "evidence_base64": base64.b64encode(PDF).decode()}


def _investment(w: World) -> dict[str, Any]:
    return {
        "invested_on": str(date(last_year(), 5, 1)),
        "amount": "1200000.00",
        "category": "building",
        "description": "Renovation of the co-working floor",
        **_evidence(),
    }


def _conference(w: World) -> dict[str, Any]:
    return {
        "title_zh": "数字游民大会",
        "title_en": "Nomad conference",
        "starts_on": str(date(last_year(), 5, 1)),
        "ends_on": str(date(last_year(), 5, 2)),
        "venue": "Hall A",
        "participants": 260,
        **_evidence(),
    }


API_CASES = [
    Case("api incentive policies", "GET", lambda w: f"{API}/policies", EVERYONE, api=True),
    Case(
        "api entitlements",
        "GET",
        lambda w: f"{API}/organisations/{w.acme.public_id}/entitlements",
        MEMBERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api start claim",
        "POST",
        lambda w: f"{API}/organisations/{_facts(w)}/claims",
        OWNER_ONLY,
        _claim_body,
        api=True,
        route=f"{API}/organisations/{{org_id}}/claims",
    ),
    Case(
        "api record introduction",
        "POST",
        lambda w: f"{API}/organisations/{w.acme.public_id}/introductions",
        OWNER_ONLY,
        _introduction,
        api=True,
    ),
    Case(
        "api investments",
        "GET",
        lambda w: f"{API}/organisations/{_community(w)}/investments",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/organisations/{{org_id}}/investments",
    ),
    Case(
        "api record investment",
        "POST",
        lambda w: f"{API}/organisations/{_community(w)}/investments",
        OWNER_ONLY,
        _investment,
        api=True,
        route=f"{API}/organisations/{{org_id}}/investments",
    ),
    Case(
        "api conferences",
        "GET",
        lambda w: f"{API}/organisations/{w.acme.public_id}/conferences",
        MEMBERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api record conference",
        "POST",
        lambda w: f"{API}/organisations/{w.acme.public_id}/conferences",
        OWNER_ONLY,
        _conference,
        api=True,
    ),
    Case(
        "api get claim",
        "GET",
        lambda w: f"{API}/claims/{_submitted(w)}",
        DEPARTMENT_AND_CLAIMANT,
        api=True,
        route=f"{API}/claims/{{claim_id}}",
    ),
    Case(
        "api submit claim",
        "POST",
        lambda w: f"{API}/claims/{_draft(w)}/moves/submit",
        OWNER_ONLY,
        lambda w: {"declaration": "True and complete."},
        api=True,
        route=f"{API}/claims/{{claim_id}}/moves/{{move}}",
    ),
    Case(
        "api verify claim item",
        "POST",
        lambda w: f"{API}/claims/{_submitted(w)}/moves/verify_item",
        OFFICER,
        _first_item,
        api=True,
        route=f"{API}/claims/{{claim_id}}/moves/{{move}}",
    ),
    Case(
        "api approve claim",
        "POST",
        lambda w: f"{API}/claims/{_publicity(w)}/moves/approve",
        OFFICER,
        lambda w: {"text": ""},
        api=True,
        route=f"{API}/claims/{{claim_id}}/moves/{{move}}",
    ),
    Case(
        "api review claims",
        "GET",
        lambda w: f"{API}/review/claims",
        OFFICERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api recalculation",
        "GET",
        lambda w: f"{API}/recalculation",
        OFFICERS_AND_OPERATOR,
        api=True,
    ),
    Case(
        "api simulation",
        "POST",
        lambda w: _policies(f"{API}/policies/contract/simulation"),
        OFFICERS_AND_OPERATOR,
        lambda w: {
            "year": last_year(),
            "effective": str(date(last_year(), 1, 1)),
            "changes": {"contract.cap": "1000"},
        },
        api=True,
        route=f"{API}/policies/{{code}}/simulation",
        changes=False,
    ),
]

PAGE_CASES = [
    Case(
        "incentive policies",
        "GET",
        lambda w: "/incentives/",
        EVERYONE,
        url_name="incentives:policies",
    ),
    Case(
        "incentive policy",
        "GET",
        lambda w: _policies("/incentives/policies/contract/"),
        EVERYONE,
        url_name="incentives:policy",
    ),
    Case(
        "incentive publicity",
        "GET",
        lambda w: "/incentives/publicity/",
        EVERYONE,
        url_name="incentives:publicity",
    ),
    Case(
        "organisation incentives",
        "GET",
        lambda w: f"/incentives/organisations/{w.acme.public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="incentives:organisation",
    ),
    Case(
        "start a claim",
        "POST",
        lambda w: f"/incentives/organisations/{_facts(w)}/claim/",
        OWNER_ONLY,
        _claim_body,
        url_name="incentives:claim_start",
    ),
    Case(
        "record an introduction",
        "POST",
        lambda w: f"/incentives/organisations/{w.acme.public_id}/introductions/",
        OWNER_ONLY,
        lambda w: {
            "nomad": "bob@example.com",
            "introduced_on": str(date(last_year(), 5, 1)),
            "channel": "employment",
        },
        url_name="incentives:introduction_add",
    ),
    Case(
        "investments page",
        "GET",
        lambda w: f"/incentives/organisations/{_community(w)}/investments/",
        MEMBERS_AND_OPERATOR,
        url_name="incentives:investments",
    ),
    Case(
        "conferences page",
        "GET",
        lambda w: f"/incentives/organisations/{w.acme.public_id}/conferences/",
        MEMBERS_AND_OPERATOR,
        url_name="incentives:conferences",
    ),
    Case(
        "claim page",
        "GET",
        lambda w: f"/incentives/claims/{_submitted(w)}/",
        DEPARTMENT_AND_CLAIMANT,
        url_name="incentives:claim",
    ),
    Case(
        "verify a claim item",
        "POST",
        lambda w: f"/incentives/claims/{_submitted(w)}/verify_item/",
        OFFICER,
        lambda w: {**_first_item(w), "counted": "1"},
        url_name="incentives:claim_move",
    ),
    Case(
        "claims to verify",
        "GET",
        lambda w: "/incentives/review/",
        OFFICERS_AND_OPERATOR,
        url_name="incentives:review",
    ),
    Case(
        "recalculation",
        "GET",
        lambda w: "/incentives/recalculation/",
        OFFICERS_AND_OPERATOR,
        url_name="incentives:recalculation",
    ),
    Case(
        "simulation page",
        "GET",
        lambda w: _policies("/incentives/policies/contract/simulate/"),
        OFFICERS_AND_OPERATOR,
        url_name="incentives:simulate",
    ),
    Case(
        "run a simulation",
        "POST",
        lambda w: _policies("/incentives/policies/contract/simulate/"),
        OFFICERS_AND_OPERATOR,
        lambda w: {
            "year": str(last_year()),
            "effective": str(date(last_year(), 1, 1)),
            "contract.cap": "1000",
        },
        url_name="incentives:simulate",
        changes=False,
    ),
]

PUBLIC_PAGES = {"incentives:policies", "incentives:policy", "incentives:publicity"}
PUBLIC_API = {("GET", f"{API}/policies")}
APPS = ("incentives", "notifications")
