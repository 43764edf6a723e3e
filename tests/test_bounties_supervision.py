"""揭榜挂帅 supervision (issue 18, the challenges half): milestone rejection and disputes
(raise, respond, decide with reasons, recorded), the mid-term check as a move of the
transition table, the blind first round, the daily reminders to the role that must act,
the task book's page (diff, confirmation before signing) and a studio's registration in the
zone recorded as a conversion with evidence."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core.management import call_command
from django.utils import timezone

from nomadcloud.bounties import ocds, transitions
from nomadcloud.bounties.models import (
    Assignment,
    Challenge,
    ChallengeEvent,
    Milestone,
    MilestoneDispute,
)
from nomadcloud.bounties.schemas import DisputeDraft, ReportDraft, ReviewDraft
from nomadcloud.bounties.services import milestones, reminders
from nomadcloud.core.errors import Conflict, Forbidden
from nomadcloud.core.models import PublicNotice
from nomadcloud.notifications.models import Notification
from nomadcloud.orders.models import Conversion
from nomadcloud.payouts.models import Payout
from nomadcloud.proofs.models import Credential
from tests.builders.bounties import P, flow, score_all
from tests.builders.orders import PDF, b64
from tests.builders.world import World
from tests.conftest import client_for
from tests.helpers import api_get, api_post, assert_error

pytestmark = pytest.mark.django_db
API = "/api/v1/bounties"
M = Milestone.Status


def _first(c: Challenge) -> Milestone:
    m = c.milestones.order_by("position").first()
    assert m is not None
    return m


def _submitted(f: object) -> Milestone:
    m = _first(f.challenge)  # type: ignore[attr-defined]
    return milestones.submit(
        principal=P(f.members[0]),  # type: ignore[attr-defined]
        milestone=m,
        draft=ReportDraft(report="Model trained.", deliverable_sha256="b" * 64),
    )


def _rejected(world: World, f: object) -> Milestone:
    return milestones.review(
        principal=P(world.olivia),
        milestone=_submitted(f),
        draft=ReviewDraft(accept=False, reject=True, note="The pilot did not run."),
    )


def test_a_dispute_is_raised_answered_and_decided_with_reasons(world: World) -> None:
    f = flow(world)
    m = _rejected(world, f)
    assert m.status == M.REJECTED
    # the issuer cannot dispute, the team cannot decide, nobody pays a rejected milestone
    response = api_post(world.olivia, f"{API}/milestones/{m.public_id}/dispute", {"reason": "x"})
    assert_error(response, "not_the_team", status=403)
    assert not Payout.objects.exists()
    d = milestones.raise_dispute(
        principal=P(f.members[1]), milestone=m, draft=DisputeDraft(reason="It ran on day 3.")
    )
    with pytest.raises(Conflict) as again:
        milestones.raise_dispute(
            principal=P(f.lead), milestone=m, draft=DisputeDraft(reason="Again.")
        )
    assert again.value.code == "already_disputed"
    # the department is told, in each person's language
    assert Notification.objects.filter(recipient=world.wendy, kind="bounties.dispute_raised")
    response = api_post(
        world.olivia,
        f"{API}/milestones/{m.public_id}/dispute/response",
        {"response": "The log shows no run."},
    )
    assert response.status_code == 200, response.content
    response = api_post(
        world.olivia,
        f"{API}/milestones/{m.public_id}/dispute/decision",
        {"decision": "accept", "reason": "x"},
    )
    assert_error(response, "role_not_allowed", status=403)
    response = api_post(
        world.wendy,
        f"{API}/milestones/{m.public_id}/dispute/decision",
        {"decision": "accept", "reason": "The run log of day 3 is attached."},
    )
    assert response.status_code == 200, response.content
    assert response.json()["milestone_status"] == "accepted"
    d.refresh_from_db()
    assert (d.decision, d.decided_by_id, d.response) == ("accept", world.wendy.pk, d.response)
    assert d.decision_reason == "The run log of day 3 is attached."
    m.refresh_from_db()
    assert m.status == M.ACCEPTED and m.payout is not None
    assert m.payout.amount == m.amount
    assert Credential.objects.filter(kind=Credential.Kind.CHALLENGE).count() == 3


def test_a_dispute_may_send_the_milestone_back_and_outsiders_are_refused(world: World) -> None:
    f = flow(world)
    m = _rejected(world, f)
    with pytest.raises(Forbidden) as outsider:
        milestones.raise_dispute(
            principal=P(world.charlie), milestone=m, draft=DisputeDraft(reason="x")
        )
    assert outsider.value.code == "not_the_team"
    milestones.raise_dispute(principal=P(f.lead), milestone=m, draft=DisputeDraft(reason="x"))
    response = api_post(
        world.wendy,
        f"{API}/milestones/{m.public_id}/dispute/decision",
        {"decision": "redo", "reason": ""},
    )
    assert_error(response, "invalid_input", "reason", status=422)
    assert MilestoneDispute.objects.get().decision == ""
    response = api_post(
        world.wendy,
        f"{API}/milestones/{m.public_id}/dispute/decision",
        {"decision": "redo", "reason": "Run the pilot with real arrivals."},
    )
    assert response.json()["milestone_status"] == "changes_requested"
    # the team resubmits; the table allows it from changes_requested
    m.refresh_from_db()
    m = milestones.submit(
        principal=P(f.lead),
        milestone=m,
        draft=ReportDraft(report="Re-run.", deliverable_sha256="c" * 64),
    )
    assert m.status == M.SUBMITTED


def test_the_midterm_check_is_a_recorded_move_that_keeps_the_challenge_in_progress(
    world: World,
) -> None:
    f = flow(world)
    c = f.challenge
    client = client_for(world.wendy)
    response = client.post(
        f"/bounties/{c.public_id}/",
        {"form": "midterm", "outcome": "concerns", "findings": "The pilot site is not booked."},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    c.refresh_from_db()
    assert c.status == Challenge.Status.IN_PROGRESS
    event = ChallengeEvent.objects.filter(challenge=c, action="midterm_check").get()
    assert (event.source, event.target) == ("in_progress", "in_progress")
    assert event.reason == "The pilot site is not booked."
    assert c.midterm_checks.get().outcome == "concerns"
    assert Notification.objects.filter(recipient=f.lead, kind="bounties.midterm_checked")
    page = client_for(f.lead).get(f"/bounties/{c.public_id}/").content.decode()
    assert "The pilot site is not booked." in page
    response = api_post(
        world.olivia,
        f"{API}/{c.public_id}/midterm-checks",
        {"outcome": "on_track", "findings": "x"},
    )
    assert_error(response, "role_not_allowed", status=403)
    assert transitions.moves(c, {transitions.DEPARTMENT}).count("midterm_check") == 0


def test_the_blind_first_round_shows_experts_an_anonymised_proposal(world: World) -> None:
    f = flow(world, "evaluation")
    c = f.challenge
    Challenge.objects.filter(pk=c.pk).update(blind_first_round=True)
    a = Assignment.objects.filter(application__challenge=c).select_related("expert__user").first()
    assert a is not None
    expert = a.expert.user
    page = client_for(expert).get("/bounties/expert/").content.decode()
    assert f.team.name not in page
    code = a.application.public_id.hex[:6].upper()
    assert code in page
    rows = api_get(expert, f"{API}/assignments/mine").json()
    names = {r["team_name"] for r in rows["items"]} if isinstance(rows, dict) else set()
    assert f.team.name not in names
    # nor can the public OCDS feed of the evaluation name the team
    c.refresh_from_db()  # blind since the builder's flow: write the evaluation's release again
    ocds.record_release(c, "tenderUpdate", at=timezone.now())
    feed = api_get(None, "/api/ocds/releases.json").content.decode()
    assert f.team.name not in json.dumps(json.loads(feed)["releases"][-1]["parties"])
    assert f"Proposal {code}" in feed
    score_all(c)
    c.refresh_from_db()
    assert c.results_visible
    page = client_for(expert).get("/bounties/expert/").content.decode()
    assert f.team.name in page  # revealed once the evaluation closed


def test_reminders_go_once_to_the_role_that_must_act_in_their_language(world: World) -> None:
    f = flow(world)
    c = f.challenge
    f.members[0].preferred_language = "en"
    f.members[0].save(update_fields=["preferred_language"])
    m1, m2 = list(c.milestones.order_by("position"))
    Milestone.objects.filter(pk=m1.pk).update(due_on=timezone.localdate() + dt.timedelta(days=1))
    m2 = milestones.submit(
        principal=P(f.lead),
        milestone=m2,
        draft=ReportDraft(report="Early.", deliverable_sha256="d" * 64),
    )
    Milestone.objects.filter(pk=m2.pk).update(review_due_at=timezone.now() - dt.timedelta(hours=1))
    counts = reminders.send_reminders()
    assert counts == {"escalated": 1, "due": 1, "review": 1, "publicity": 0}
    due = Notification.objects.filter(kind="bounties.milestone_due")
    assert {n.recipient_id for n in due} == {f.lead.pk, *(p.pk for p in f.members)}
    english = due.get(recipient=f.members[0])
    assert english.params["challenge"] == "Port scheduling algorithm"
    assert due.get(recipient=f.lead).params["challenge"] == "港口调度算法榜单"
    # escalated first, so the department (not the issuer) is asked to review
    waiting = Notification.objects.filter(kind="bounties.review_waiting")
    assert {n.recipient_id for n in waiting} == {world.wendy.pk}
    m2.refresh_from_db()
    assert m2.status == M.ESCALATED
    assert reminders.send_reminders() == {"escalated": 0, "due": 0, "review": 0, "publicity": 0}


def test_the_department_is_reminded_when_the_public_notice_ends(world: World) -> None:
    f = flow(world, "publicity")
    PublicNotice.objects.filter(subject_id=str(f.challenge.public_id)).update(
        ends_at=timezone.now() + dt.timedelta(hours=2)
    )
    assert reminders.send_reminders()["publicity"] == 1
    notes = Notification.objects.filter(kind="bounties.publicity_ending")
    assert {n.recipient_id for n in notes} == {world.wendy.pk}
    assert reminders.send_reminders()["publicity"] == 0


def test_the_task_book_page_shows_the_diff_and_asks_for_confirmation(world: World) -> None:
    f = flow(world, "signing")
    c = f.challenge
    lead = client_for(f.lead, HTTP_ACCEPT_LANGUAGE="en")
    url = f"/bounties/{c.public_id}/task-book/"
    page = lead.get(url).content.decode()
    assert "This is the first version" in page
    response = lead.post(
        url,
        {
            "form": "revise",
            "milestones": "Model | 80000.00 | 2027-02-01 | F1 above 0.8\n"
            "Pilot | 120000.00 | 2027-04-01 | Three berths",
            "note": "More for the pilot.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    page = lead.get(url).content.decode()
    assert "80000.00" in page and "100000.00" in page  # before and after
    # no confirmation: nothing signed
    response = lead.post(url, {"form": "sign", "version": "2"})
    assert response.status_code == 422
    response = lead.post(url, {"form": "sign", "version": "1", "confirm": "on"})
    assert response.status_code in (409, 422)
    assert "Version 2 is the latest" in response.content.decode()
    response = lead.post(url, {"form": "sign", "version": "2", "confirm": "on"})
    assert response.status_code == 302
    response = client_for(world.wendy).post(url, {"form": "sign", "version": "2", "confirm": "on"})
    assert response.status_code == 302
    c.refresh_from_db()
    assert c.status == Challenge.Status.IN_PROGRESS
    assert [str(m.amount) for m in c.milestones.order_by("position")] == ["80000.00", "120000.00"]


def test_a_studio_registering_in_the_zone_is_a_conversion_with_evidence(world: World) -> None:
    f = flow(world)
    c = f.challenge
    body = {
        "registered_on": "2026-06-01",
        "documents": [{"file_name": "licence.pdf", "content_base64": b64(PDF)}],
    }
    response = api_post(world.olivia, f"{API}/{c.public_id}/studio-registration", body)
    assert_error(response, "role_not_allowed", status=403)
    response = api_post(
        world.wendy, f"{API}/{c.public_id}/studio-registration", {**body, "documents": []}
    )
    assert_error(response, "invalid_input", "documents", status=422)
    assert not Conversion.objects.exists()
    response = api_post(world.wendy, f"{API}/{c.public_id}/studio-registration", body)
    assert response.status_code == 201, response.content
    conversion = Conversion.objects.get()
    assert conversion.kind == Conversion.Kind.BUSINESS
    assert conversion.credit_code == f.team.credit_code
    assert conversion.nomad_id == f.lead.pk and conversion.organisation_id == world.acme.pk
    assert conversion.documents.count() == 1
    response = api_post(world.wendy, f"{API}/{c.public_id}/studio-registration", body)
    assert_error(response, "duplicate", status=409)


def test_the_daily_command_reports_what_it_did(db: None) -> None:
    out = io.StringIO()
    call_command("send_challenge_reminders", stdout=out)
    assert out.getvalue().strip() == "escalated: 0, due: 0, review: 0, publicity: 0"


def test_a_due_date_moves_only_with_a_reason_and_the_departments_approval(world: World) -> None:
    f = flow(world)
    m = _first(f.challenge)
    path = f"{API}/milestones/{m.public_id}/extension"
    response = api_post(f.lead, path, {"due_on": m.due_on.isoformat(), "reason": "Later."})
    assert_error(response, "not_later", "due_on", status=422)
    response = api_post(f.lead, path, {"due_on": "2030-01-31", "reason": ""})
    assert_error(response, "invalid_input", "reason", status=422)
    later = m.due_on + dt.timedelta(days=30)
    client = client_for(f.members[0])
    response = client.post(
        f"/bounties/{f.challenge.public_id}/",
        {
            "form": "extension",
            "milestone": str(m.public_id),
            "due_on": later.isoformat(),
            "reason": "The berth is booked.",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    response = api_post(f.lead, path, {"due_on": later.isoformat(), "reason": "Again."})
    assert_error(response, "pending", status=409)
    assert Notification.objects.filter(recipient=world.wendy, kind="bounties.extension_requested")
    m.refresh_from_db()
    assert m.due_on != later  # nothing moves before the department decides
    response = api_post(
        world.olivia, f"{path}/decision", {"approve": True, "reason": "Fine by the issuer."}
    )
    assert_error(response, "role_not_allowed", status=403)
    response = api_post(
        world.wendy, f"{path}/decision", {"approve": True, "reason": "The booking is on file."}
    )
    assert response.status_code == 200, response.content
    assert response.json()["milestone_due_on"] == later.isoformat()
    m.refresh_from_db()
    assert m.due_on == later and m.due_reminded_at is None
    row = m.extensions.get()
    assert (row.approved, row.decided_by_id, row.reason) == (True, world.wendy.pk, row.reason)
