"""Value only from real, verified work (issue 15 item 1; docs/risk.md, decision 0018).

- The fake-enterprise path of the attack report, through the real API: a person registers an
  enterprise (it stays unverified) and, with a second account registered the same minute, runs
  an order of ¥100,000.00 to acceptance. The credential is issued (it proves the work and says
  the enterprise is unverified) but no work unit reaches the wallet: a held issuance waits in
  the zone operator's queue with its reasons.
- A verified enterprise's ordinary order still credits at once.
- The operator's decisions are audited; release refuses while the organisation is unverified,
  then credits; cancel credits nothing and revokes the credential.
- The engine's rules and the dated parameters (core/rules.py) with a mid-year change.
"""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core import rules
from nomadcloud.core.models import AuditEvent
from nomadcloud.points import models as points
from nomadcloud.points.wallet.services import available_work_units
from nomadcloud.proofs.models import Credential
from nomadcloud.risk import engine
from nomadcloud.risk.models import Assessment, HeldIssuance
from tests.builders import orders as order_builders
from tests.builders.demands import make_concepts
from tests.builders.world import verify_org
from tests.conftest import World
from tests.helpers import assert_error

PASSWORD = "correct-horse-battery-staple-42"
ORDERS = "/api/v1/orders"
QUEUE = "/api/v1/risk/held-issuances"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


def send(client: Client, method: str, path: str, body: Any = None) -> Any:
    data = json.dumps(body) if body is not None else ""
    return client.generic(method, path, data, content_type="application/json")


def day(offset: int) -> str:
    return str(timezone.localdate() + timedelta(days=offset))


def operator(world: World) -> Client:
    """The zone operator, reading English (the language cookie wins over their profile)."""
    client = Client()
    client.force_login(world.oscar)
    client.cookies["nomadcloud_language"] = "en"
    return client


def code_sent_to(address: str) -> str:
    message = [m for m in mail.outbox if address in m.to][-1]
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None
    return found.group(1)


def fake_enterprise_path(*, confirm_nomad: bool) -> tuple[User, User, Organisation, str]:
    """The calls of the attack report, through the API from one client address."""
    make_concepts()
    boss, worker = Client(), Client()
    # 1, 2: two accounts registered the same minute
    for address, name in (("boss@fake.example", "Boss"), ("worker@fake.example", "Worker")):
        body = {"display_name": name, "email": address, "password": PASSWORD, "consent": True}
        assert send(Client(), "POST", "/api/v1/people", body).status_code == 202
    a = User.objects.get(email="boss@fake.example")
    b = User.objects.get(email="worker@fake.example")
    boss.force_login(a)
    worker.force_login(b)
    if confirm_nomad:  # the second account even proves its mailbox
        code = code_sent_to("worker@fake.example")
        confirmed = send(worker, "POST", "/api/v1/me/contact-verification/confirm", {"code": code})
        assert confirmed.status_code == 200 and confirmed.json()["contact_verified"] is True
    # 3: an "enterprise" (unverified)
    org = send(boss, "POST", "/api/v1/organisations", {"kind": "enterprise", "name_en": "Fake"})
    assert org.status_code == 201, org.content
    org_id = org.json()["id"]
    # 4: an order of ¥100,000.00
    order = {
        "organisation": org_id,
        "title_zh": "咨询",
        "skills": [{"code": "nc.python", "level": 3}],
        "milestones": [{"title": "全部", "amount": "100000.00", "due_on": day(5)}],
    }
    created = send(boss, "POST", ORDERS, order)
    assert created.status_code == 201, created.content
    path = f"{ORDERS}/{created.json()['id']}"
    # 5-9: open, apply, assign, start, deliver (with a link), accept
    assert send(boss, "POST", f"{path}/transitions", {"to": "open"}).status_code == 200
    application = send(worker, "POST", f"{path}/applications", {"note": "ok"}).json()
    assert send(boss, "POST", f"{path}/applications/{application['id']}/assign").status_code == 200
    assert send(worker, "POST", f"{path}/transitions", {"to": "in_progress"}).status_code == 200
    link = {"url": "https://example.com/report", "milestone": 1}
    assert send(worker, "POST", f"{path}/deliverables", link).status_code == 201
    assert send(worker, "POST", f"{path}/transitions", {"to": "delivered"}).status_code == 200
    accepted = send(boss, "POST", f"{path}/transitions", {"to": "accepted"})
    assert accepted.status_code == 200, accepted.content
    return a, b, Organisation.objects.get(public_id=org_id), created.json()["id"]


@pytest.mark.parametrize("confirm_nomad", [False, True], ids=["unconfirmed", "confirmed"])
def test_the_fake_enterprise_path_yields_no_exchangeable_points(
    world: World, confirm_nomad: bool
) -> None:
    _a, b, org, _order = fake_enterprise_path(confirm_nomad=confirm_nomad)
    credential = Credential.objects.get(user=b)
    work = credential.document["credentialSubject"]["work"]
    assert work["workUnits"] == "100000.00" and work["enterprise"]["verified"] is False
    # Nothing reached the wallet, so nothing can be exchanged.
    assert available_work_units(b) == 0
    assert not points.WorkUnitCredit.objects.filter(user=b).exists()
    held = HeldIssuance.objects.get(assessment__credential=credential.public_id)
    assert held.status == "held" and held.assessment.organisation == org
    rules_fired = {f["rule"] for f in held.assessment.findings}
    assert {"unverified_organisation", "new_account", "amount_above_history"} <= rules_fired
    assert "same_address" in rules_fired  # both accounts acted from one client address
    assert ("unverified_contact" in rules_fired) is not confirm_nomad
    # The zone operator sees it in the queue, with the reasons, localized.
    queue = send(Client(HTTP_ACCEPT_LANGUAGE="en"), "GET", QUEUE)
    assert queue.status_code == 401
    oscar = operator(world)
    items = oscar.get(QUEUE).json()["items"]
    assert [i["credential_id"] for i in items] == [str(credential.public_id)]
    reasons = {r["rule"]: r["reason"] for r in items[0]["reasons"]}
    assert reasons["unverified_organisation"] == (
        "The organisation that accepted the work is not verified."
    )
    assert "100000" in reasons["amount_above_history"]
    page = oscar.get("/risk/held/")
    assert page.status_code == 200 and "unverified_organisation" in page.content.decode()


def test_a_verified_enterprises_ordinary_order_issues_at_once(world: World) -> None:
    verify_org(world.acme)
    order = order_builders.accepted_order(world)
    credentials = Credential.objects.filter(source__startswith=order.reference)  # per milestone
    assert credentials and all(
        c.document["credentialSubject"]["work"]["enterprise"]["verified"] is True
        for c in credentials
    )
    assert available_work_units(world.wendy) == int(order_builders.TOTAL * 100)
    assessments = Assessment.objects.filter(credential__in=[c.public_id for c in credentials])
    assert len(assessments) == len(credentials) and not any(a.held for a in assessments)
    assert not HeldIssuance.objects.exists()


def test_unverified_organisations_work_is_held_and_released_only_after_verification(
    world: World,
) -> None:
    order_builders.accepted_order(world)  # Acme is unverified
    held = HeldIssuance.objects.order_by("pk")[0]
    units = int(held.assessment.units * 100)
    assert available_work_units(world.wendy) == 0
    oscar = operator(world)
    path = f"{QUEUE}/{held.public_id}/decision"
    refused = send(oscar, "POST", path, {"release": True, "reason": "checked"})
    assert_error(refused, "conflict")
    assert available_work_units(world.wendy) == 0
    verify_org(world.acme)
    released = send(oscar, "POST", path, {"release": True, "reason": "Acme verified; work real."})
    assert released.status_code == 200, released.content
    body = released.json()
    assert body["status"] == "released" and body["decided_by"] == str(world.oscar)
    assert body["decision_rule_version"].startswith(engine.RULES_VERSION)
    assert available_work_units(world.wendy) == units
    event = AuditEvent.objects.get(action="risk.held_issuance.release")
    assert event.actor_id == world.oscar.pk
    assert event.summary["after"]["reason"] == "Acme verified; work real."
    again = send(oscar, "POST", path, {"release": False, "reason": "changed my mind"})
    assert_error(again, "conflict")


def test_cancelling_credits_nothing_and_revokes_the_credential(world: World) -> None:
    order_builders.accepted_order(world)
    held = HeldIssuance.objects.order_by("pk")[0]
    credential = Credential.objects.get(public_id=held.assessment.credential)
    oscar = operator(world)
    path = f"{QUEUE}/{held.public_id}/decision"
    assert_error(send(oscar, "POST", path, {"release": False, "reason": ""}), "invalid_input")
    cancelled = send(oscar, "POST", path, {"release": False, "reason": "Fake work."})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    credential.refresh_from_db()
    assert credential.revoked_at is not None and "Fake work." in credential.revoked_reason
    assert available_work_units(world.wendy) == 0
    assert AuditEvent.objects.filter(action="risk.held_issuance.cancel").count() == 1


@pytest.mark.parametrize("who", ["anonymous", "outsider", "owner", "readonly", "reviewer"])
def test_only_the_zone_operator_sees_the_queue(world: World, who: str) -> None:
    order_builders.accepted_order(world)
    held = HeldIssuance.objects.order_by("pk")[0]
    user = world.persona(who)
    client = Client()
    if user is not None:
        client.force_login(user)
    expected = "not_authenticated" if user is None else "not_found"
    assert_error(client.get(QUEUE), expected)
    assert_error(client.get(f"{QUEUE}/{held.public_id}"), expected)
    decision = {"release": True, "reason": "x"}
    assert_error(send(client, "POST", f"{QUEUE}/{held.public_id}/decision", decision), expected)
    page = client.get(f"/risk/held/{held.public_id}/")
    assert page.status_code == (302 if user is None else 404)
    key = Client(HTTP_AUTHORIZATION=f"Bearer {world.org_key_secret}")
    assert_error(key.get(QUEUE), "not_found")


def test_the_queue_page_decides(world: World) -> None:
    verify_org(world.acme)
    world.wendy.contact_verified_at = None
    world.wendy.save(update_fields=["contact_verified_at"])
    order_builders.accepted_order(world)
    held = HeldIssuance.objects.order_by("pk")[0]
    assert [f["rule"] for f in held.assessment.findings] == ["unverified_contact", "new_account"]
    oscar = operator(world)
    page = oscar.get(f"/risk/held/{held.public_id}/")
    assert "has not verified an e-mail address" in page.content.decode()
    response = oscar.post(f"/risk/held/{held.public_id}/", {"release": "1", "reason": "Called."})
    assert response.status_code == 302
    assert available_work_units(world.wendy) == int(held.assessment.units * 100)


# ---- the engine and its parameters -------------------------------------------------------------


def facts(**extra: Any) -> engine.Facts:
    base: dict[str, Any] = {
        "on": date(2026, 3, 1),
        "units": Decimal("4000.00"),
        "organisation_found": True,
        "organisation_verified": True,
        "contact_verified": True,
        "holder_is_member": False,
        "shared_contact": False,
        "shared_device": False,
        "shared_address": False,
        "account_age_days": 400,
        "largest_earlier": Decimal("5000"),
        "accounts_on_address": 1,
        "circular": False,
        "issued_this_month": Decimal(0),
    }
    return engine.Facts(**{**base, **extra})


@pytest.mark.parametrize(
    ("extra", "fired", "held"),
    [
        ({}, [], False),
        ({"organisation_verified": False}, ["unverified_organisation"], True),
        ({"contact_verified": False}, ["unverified_contact"], True),
        ({"holder_is_member": True}, ["same_person"], True),
        ({"shared_contact": True}, ["same_contact"], True),
        ({"shared_device": True}, ["same_device"], False),
        ({"shared_address": True, "account_age_days": 1}, ["same_address", "new_account"], False),
        (
            {"shared_address": True, "shared_device": True, "account_age_days": 1},
            ["same_device", "same_address", "new_account"],
            True,
        ),
        ({"units": Decimal("50000.01")}, ["amount_above_history"], False),
        ({"largest_earlier": None, "units": Decimal("20000.01")}, ["amount_above_history"], False),
        ({"accounts_on_address": 5}, ["many_identities"], False),
        ({"circular": True}, ["circular_flow"], False),
        ({"issued_this_month": Decimal("496000.01")}, ["monthly_cap"], True),
    ],
)
def test_each_rule_fires_with_its_weight(
    extra: dict[str, Any], fired: list[str], held: bool
) -> None:
    decision, findings = engine.assess(facts(**extra), engine.parameters())
    assert [f.rule for f in findings] == fired
    assert decision.eligible is not held
    assert decision.amount == (Decimal(0) if held else facts(**extra).units)
    assert decision.rule_version.startswith("risk-1+")
    assert decision.params_used["hold_threshold"] == (date(2026, 1, 1), Decimal(100))
    for finding in findings:
        assert engine.reason(finding.plain())


CAP = """
description: Work units an organisation may issue in one calendar month
metadata:
  unit: work_units
  reference: docs/risk.md#caps
values:
  2026-01-01:
    value: 500000
  2026-07-01:
    value: "300000.50"
"""


def test_dated_parameters_change_mid_year() -> None:
    cap = rules.parse("monthly_cap_per_organisation", CAP)
    assert cap.at(date(2026, 6, 30)) == (date(2026, 1, 1), Decimal(500000))
    assert cap.at(date(2026, 7, 1)) == (date(2026, 7, 1), Decimal("300000.50"))
    with pytest.raises(LookupError):
        cap.at(date(2025, 12, 31))
    texts = [(p.stem, p.read_text()) for p in engine.PARAMETERS_DIR.glob("*.yaml")]
    params = rules.load_texts(
        [(n, CAP if n == "monthly_cap_per_organisation" else t) for n, t in texts]
    )
    before, _f = engine.assess(
        facts(on=date(2026, 6, 30), issued_this_month=Decimal(400000)), params
    )
    after, found = engine.assess(
        facts(on=date(2026, 7, 1), issued_this_month=Decimal(400000)), params
    )
    assert before.eligible and not after.eligible and [f.rule for f in found] == ["monthly_cap"]
    assert after.params_used["monthly_cap_per_organisation"] == (
        date(2026, 7, 1),
        Decimal("300000.50"),
    )
    assert before.rule_version == after.rule_version != engine.parameters().snapshot


@pytest.mark.parametrize(
    "text",
    [
        "values: {2026-01-01: {value: 1}}",  # no description
        "description: x\nvalues: {2026-01-01: {value: 1}}",  # no unit
        "description: x\nmetadata: {unit: y}\nvalues: {}",
        "description: x\nmetadata: {unit: y}\nvalues: {soon: {value: 1}}",
        "description: x\nmetadata: {unit: y}\nvalues: {2026-01-01: 1}",
        "description: x\nmetadata: {unit: y}\nvalues: {2026-01-01: {value: .nan}}",
        "description: x\nmetadata: {unit: y}\nvalues: {2026-01-01: {value: [1]}}",
        "description: x\nmetadata: {unit: y}\n"
        "values: {2026-01-01: {value: 1}, 2026-02-01: {value: a}}",
        "description: x\nmetadata: {unit: y}\nextra: 1\nvalues: {2026-01-01: {value: 1}}",
        "- not a mapping",
        "description: x\nmetadata: {unit: y}\n"
        "values: {2026-01-01: {value: !!python/name:os.system }}",
    ],
)
def test_malformed_parameter_files_are_refused(text: str) -> None:
    with pytest.raises(rules.ParameterError):
        rules.parse("a_parameter", text)


def test_the_shipped_parameters_load_and_cover_every_rule() -> None:
    params = engine.parameters()
    assert set(params.items) >= engine.REQUIRED
    for rule in engine.RULES:
        assert params[rule.weight].unit == "weight"
