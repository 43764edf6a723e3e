"""Applications to demands, conversations, and the order made from them (issue 14 item 2):
the lifecycle and its notifications, who sees what, and bad input refused with a code and
nothing changed. Charlie (an outsider to Acme) is the nomad; Olivia owns Acme."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from nomadcloud.accounts.principal import Principal
from nomadcloud.conversations.models import Conversation, Message
from nomadcloud.core.audit import AuditEvent
from nomadcloud.core.errors import Conflict
from nomadcloud.demands import applications
from nomadcloud.demands import services as demand_services
from nomadcloud.demands.models import Demand, DemandApplication
from nomadcloud.demands.schemas import ApplicationDraft
from nomadcloud.matching import services as matching_services
from nomadcloud.notifications.models import Notification
from nomadcloud.orders.models import Order
from nomadcloud.proofs import services as proof_services
from tests.builders.demands import published
from tests.builders.matching import matched
from tests.builders.proofs import claims
from tests.conftest import World, client_for, database_fingerprint
from tests.helpers import api_get, api_post, assert_error

APPS = ("demands", "conversations", "orders", "notifications", "matching")


def _apply(world: World, demand: Any, **body: Any) -> Any:
    client = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    return api_post(
        client,
        f"/api/v1/demands/{demand.public_id}/applications",
        {"note": "I built this before", "proposed_rate": "18000.50", **body},
    )


def _unchanged(before: dict[str, str]) -> None:
    assert database_fingerprint(APPS) == before


def test_apply_shortlist_talk_and_convert(world: World) -> None:
    demand = published(world)
    credential = proof_services.issue_credential(world.charlie, claims("charlie-batch"))
    assert credential is not None
    response = _apply(world, demand, availability="from July", proofs=[str(credential.public_id)])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["status"] == "submitted" and body["proposed_rate"] == "18000.50"
    assert body["proofs"] == [str(credential.public_id)]
    application = DemandApplication.objects.get(public_id=body["id"])
    assert Notification.objects.filter(
        recipient=world.olivia, kind="demands.application_received"
    ).exists()
    assert AuditEvent.objects.filter(action="demands.application.create").exists()

    # The enterprise lists and shortlists it: the nomad is told and a conversation opens.
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    listed = api_get(olivia, f"/api/v1/demands/{demand.public_id}/applications").json()
    assert [a["id"] for a in listed["items"]] == [body["id"]]
    decided = api_post(
        olivia,
        f"/api/v1/demands/applications/{application.public_id}/decision",
        {"decision": "shortlisted", "note": "Let us talk"},
    )
    assert decided.json()["status"] == "shortlisted", decided.content
    assert Notification.objects.filter(
        recipient=world.charlie, kind="demands.application_shortlisted"
    ).exists()
    conversation = Conversation.objects.get(application=application)
    assert conversation.nomad == world.charlie and conversation.organisation == world.acme

    # Both parties talk; the nomad's message notifies the enterprise, with a file on the page.
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    url = f"/api/v1/conversations/{conversation.public_id}/messages"
    assert api_post(charlie, url, {"body": "Hello"}).status_code == 201
    page = charlie.post(
        f"/conversations/{conversation.public_id}/",
        {"body": "My plan", "attachments": [SimpleUploadedFile("plan.txt", b"step one\n")]},
    )
    assert page.status_code == 302, page.content[:500]
    message = Message.objects.filter(conversation=conversation).order_by("-id").first()
    assert message is not None and message.attachments.get().original_name == "plan.txt"
    file_url = f"/conversations/{conversation.public_id}/files/{message.attachments.get().pk}/"
    assert olivia.get(file_url).status_code == 200
    assert client_for(world.oscar).get(file_url).status_code == 404
    assert Notification.objects.filter(recipient=world.olivia, kind="conversations.message")
    messages = api_get(olivia, url).json()["items"]
    assert {m["body"] for m in messages} == {"Hello", "My plan"}

    # The enterprise turns it into an order prefilled from the demand.
    made = api_post(olivia, f"/api/v1/conversations/{conversation.public_id}/order", {})
    assert made.status_code == 201, made.content
    order = Order.objects.get(public_id=made.json()["id"])
    assert order.status == "assigned" and order.nomad == world.charlie
    assert order.application == application and order.demand == demand
    assert order.title_en == demand.title_en and order.total == demand.budget_max
    application.refresh_from_db()
    assert application.status == "ordered"
    assert Notification.objects.filter(recipient=world.charlie, kind="orders.assigned").exists()

    # Converting twice is refused, nothing changed.
    before = database_fingerprint(APPS)
    again = api_post(olivia, f"/api/v1/conversations/{conversation.public_id}/order", {})
    assert_error(again, "already_converted", status=409)
    _unchanged(before)


def test_only_the_two_parties_see_a_conversation(world: World) -> None:
    demand = published(world)
    application = applications.apply(
        principal=Principal.for_user(world.charlie), demand=demand, draft=ApplicationDraft()
    )
    applications.decide(
        principal=Principal.for_user(world.olivia), application=application, decision="shortlisted"
    )
    conversation = Conversation.objects.get(application=application)
    path = f"/api/v1/conversations/{conversation.public_id}"
    for who in (world.charlie, world.olivia, world.rita, world.bob):
        assert api_get(who, path).status_code == 200
    for who in (world.oscar, world.wendy):
        assert_error(api_get(who, path), "not_found")
        assert client_for(who).get(f"/conversations/{conversation.public_id}/").status_code == 404
    assert_error(api_get(None, path), "not_authenticated")
    # Rita (read-only member) reads but cannot make the order.
    assert_error(api_post(world.rita, f"{path}/order", {}), "forbidden", status=403)


def test_accepting_an_invitation_opens_a_conversation_and_an_order(world: World) -> None:
    demand, profile = matched(world)
    invitation = matching_services.invite(
        principal=Principal.for_user(world.olivia), demand=demand, profile=profile
    )
    matching_services.respond(
        principal=Principal.for_user(world.charlie), invitation=invitation, accept=True
    )
    conversation = Conversation.objects.get(invitation=invitation)
    assert Notification.objects.filter(recipient=world.olivia, kind="conversations.opened").exists()
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    people = olivia.get(f"/conversations/demands/{demand.public_id}/people/")
    assert people.status_code == 200
    assert b'data-origin="invitation"' in people.content
    assert b'data-testid="explanation"' in people.content
    form = olivia.get(f"/conversations/{conversation.public_id}/order/")
    assert form.status_code == 200 and demand.title_en.encode() in form.content
    made = olivia.post(
        f"/conversations/{conversation.public_id}/order/",
        {
            "title_en": "Pipeline",
            "m0_title": "Design",
            "m0_amount": "1200.50",
            "m0_due_on": "2030-01-31",
            "m1_title": "Build",
            "m1_amount": "800",
            "m1_due_on": "2030-02-28",
        },
    )
    assert made.status_code == 302, made.content[:800]
    order = Order.objects.get(invitation=invitation)
    assert str(order.total) == "2000.50" and order.milestones.count() == 2
    assert order.status == "assigned"


def test_bad_applications_are_refused_and_change_nothing(world: World) -> None:
    demand = published(world)
    data_task = published(world, kind="data_task", title_en="Label", title_zh="标注")
    before = database_fingerprint(APPS)
    for rate in ("1e3", "３５０", "-5", "12.345", 350.5, " 3 5"):
        assert_error(_apply(world, demand, proposed_rate=rate), "invalid_input", "proposed_rate")
    assert_error(
        _apply(world, demand, proofs=["00000000-0000-0000-0000-000000000000"]),
        "unknown_proof",
        "proofs.0",
        status=422,
    )
    assert_error(_apply(world, data_task), "apply_elsewhere", status=409)
    bob = client_for(world.bob, HTTP_ACCEPT_LANGUAGE="en")  # a member of Acme
    own = api_post(bob, f"/api/v1/demands/{demand.public_id}/applications", {})
    assert_error(own, "own_organisation", status=403)
    _unchanged(before)

    # Past its deadline (still published): refused with a clear message in each language.
    Demand.objects.filter(pk=demand.pk).update(deadline=date(2020, 1, 1))
    before = database_fingerprint(APPS)
    closed = _apply(world, demand)
    body = assert_error(closed, "demand_closed", status=409)
    assert body["message"] == "This demand no longer takes applications."
    zh = api_post(
        client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="zh-hans"),
        f"/api/v1/demands/{demand.public_id}/applications",
        {},
    )
    assert assert_error(zh, "demand_closed", status=409)["message"] != body["message"]
    _unchanged(before)
    # Closed: the public no longer sees it (404); the use case itself refuses it too.
    Demand.objects.filter(pk=demand.pk).update(deadline=None)
    demand_services.change_status(
        principal=Principal.for_user(world.olivia), demand=demand, status="closed"
    )
    demand.refresh_from_db()
    before = database_fingerprint(APPS)
    assert_error(_apply(world, demand), "not_found")
    with pytest.raises(Conflict) as refused:
        applications.apply(
            principal=Principal.for_user(world.charlie), demand=demand, draft=ApplicationDraft()
        )
    assert refused.value.code == "demand_closed"
    _unchanged(before)


def test_second_application_and_withdrawing_a_decided_one(world: World) -> None:
    demand = published(world)
    first = _apply(world, demand)
    assert first.status_code == 201
    before = database_fingerprint(APPS)
    assert_error(_apply(world, demand), "already_applied", status=409)
    _unchanged(before)
    application = DemandApplication.objects.get(public_id=first.json()["id"])
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    api_post(
        olivia,
        f"/api/v1/demands/applications/{application.public_id}/decision",
        {"decision": "declined"},
    )
    before = database_fingerprint(APPS)
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    withdrawn = api_post(charlie, f"/api/v1/demands/applications/{application.public_id}/withdraw")
    assert_error(withdrawn, "application_decided", status=409)
    # The enterprise cannot withdraw for the nomad; the nomad cannot shortlist himself.
    assert_error(
        api_post(olivia, f"/api/v1/demands/applications/{application.public_id}/withdraw"),
        "application_decided",
        status=409,
    )
    _unchanged(before)


def test_withdraw_and_role_refusals(world: World) -> None:
    demand = published(world)
    application = DemandApplication.objects.get(public_id=_apply(world, demand).json()["id"])
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    before = database_fingerprint(APPS)
    path = f"/api/v1/demands/applications/{application.public_id}"
    assert_error(
        api_post(charlie, f"{path}/decision", {"decision": "shortlisted"}),
        "role_not_allowed",
        status=403,
    )
    assert_error(
        api_post(world.rita, f"{path}/decision", {"decision": "declined"}),
        "role_not_allowed",
        status=403,
    )
    assert_error(api_get(world.wendy, path), "not_found")
    _unchanged(before)
    assert api_post(charlie, f"{path}/withdraw").json()["status"] == "withdrawn"
    assert Notification.objects.filter(
        recipient=world.olivia, kind="demands.application_withdrawn"
    ).exists()
    # A withdrawn application's conversation never opens; converting it is refused.
    assert not Conversation.objects.filter(application=application).exists()


def test_the_demand_page_leads_a_nomad_to_a_sent_application(world: World) -> None:
    """Clicks from a demand's page to a submitted application: 1 (Apply) + 1 (Send)."""
    demand = published(world)
    charlie = client_for(world.charlie, HTTP_ACCEPT_LANGUAGE="en")
    page = charlie.get(f"/demands/{demand.public_id}/")
    apply_url = f"/demands/{demand.public_id}/apply/"
    assert f'href="{apply_url}"'.encode() in page.content
    assert charlie.get(apply_url).status_code == 200
    sent = charlie.post(apply_url, {"note": "Hi", "proposed_rate": "300", "availability": "now"})
    assert sent.status_code == 302, sent.content[:800]
    application = DemandApplication.objects.get(demand=demand, applicant=world.charlie)
    mine = charlie.get("/demands/applications/mine/")
    assert str(application.public_id).encode() in mine.content
    shown = charlie.get(f"/demands/{demand.public_id}/")
    assert b'data-testid="my-application"' in shown.content
    bad = charlie.post(
        f"/demands/{published(world, title_en='Other').public_id}/apply/",
        {"proposed_rate": "1,000"},
    )
    assert bad.status_code == 422
    # A data task and a training link to their own flows.
    task = published(world, kind="data_task", title_en="Label it")
    assert b'data-testid="take-batch-link"' in charlie.get(f"/demands/{task.public_id}/").content
    training = published(world, kind="training", title_en="Learn it")
    assert b'data-testid="enrol-link"' in charlie.get(f"/demands/{training.public_id}/").content


def test_page_decisions_and_people_list(world: World) -> None:
    demand = published(world)
    application = applications.apply(
        principal=Principal.for_user(world.charlie),
        demand=demand,
        draft=ApplicationDraft(note="hi"),
    )
    olivia = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="en")
    page = olivia.get(f"/demands/applications/{application.public_id}/")
    assert b'data-testid="shortlist"' in page.content
    done = olivia.post(
        f"/demands/applications/{application.public_id}/decide/", {"decision": "shortlisted"}
    )
    assert done.status_code == 302
    people = olivia.get(f"/conversations/demands/{demand.public_id}/people/")
    assert b'data-origin="application"' in people.content
    assert b'data-testid="person-conversation"' in people.content
    assert json.dumps(str(world.charlie))[1:-1].encode() in people.content
