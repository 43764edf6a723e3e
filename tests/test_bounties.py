"""揭榜挂帅 challenges and teams (issue 18 items 1–4): the whole flow through the services
and the API, the bad inputs of the specification refused with a localized error naming the
field (nothing changed), results hidden until evaluation closes, credentials for every
member, and the OCDS feed validating against the OCDS 1.1 schemas."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.utils import timezone

from nomadcloud.bounties import ocds, scoring
from nomadcloud.bounties.models import (
    Application,
    Assignment,
    Challenge,
    ChallengeEvent,
    Milestone,
)
from nomadcloud.bounties.schemas import (
    ApplicationDraft,
    RecusalDraft,
    ReportDraft,
    ReviewDraft,
    ScoresDraft,
    SelectionDraft,
    TaskBookDraft,
)
from nomadcloud.bounties.services import applications, evaluation, milestones, signing
from nomadcloud.core import publicity
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.models import PublicNotice
from nomadcloud.proofs.models import Credential
from tests.builders.bounties import (
    P,
    act,
    application_fields,
    challenge_fields,
    close_window,
    flow,
    ocds_validator,
    pay_all,
    person,
    team,
)
from tests.builders.world import World
from tests.helpers import api_get, api_post, assert_error

pytestmark = pytest.mark.django_db
API = "/api/v1/bounties"


def test_the_whole_flow_ends_rewarded_and_closed_with_a_credential_per_member(world: World) -> None:
    f = flow(world, "final_acceptance")
    c = f.challenge
    assert c.status == Challenge.Status.FINAL_ACCEPTANCE
    # one credential per accepted member per accepted milestone, for their share
    creds = Credential.objects.filter(kind=Credential.Kind.CHALLENGE)
    assert creds.count() == 2 * 3
    assert {cr.user_id for cr in creds} == {f.lead.pk, *(m.pk for m in f.members)}
    c = act(world, c, "accept_final", world.wendy)
    assert c.status == Challenge.Status.REWARDED  # paid only when confirmed
    response = api_post(world.wendy, f"{API}/{c.public_id}/actions", {"action": "close"})
    assert_error(response, "condition_not_met", status=409)
    pay_all(world, c)
    c.refresh_from_db()
    assert c.status == Challenge.Status.CLOSED
    commitment = c.commitment
    assert commitment is not None
    commitment.refresh_from_db()
    assert commitment.disbursed == Decimal("200000.00")
    assert commitment.released == Decimal("100000.00")  # the budget above the award
    moves = list(ChallengeEvent.objects.filter(challenge=c).values_list("action", flat=True))
    assert moves.count("close_evaluation") == 1
    assert moves[-2:] == ["accept_final", "close"]


def test_publishing_needs_a_budget_commitment(world: World) -> None:
    from nomadcloud.payouts.models import Budget

    f = flow(world, "submitted")
    Budget.objects.filter(owner=world.department).update(programme_code="other")
    response = api_post(
        world.wendy, f"{API}/{f.challenge.public_id}/actions", {"action": "approve"}
    )
    assert_error(response, "no_budget", status=409)
    assert f.refresh().status == Challenge.Status.SUBMITTED
    Budget.objects.filter(owner=world.department).update(
        programme_code="jiebang-guashuai", amount=Decimal("1.00")
    )
    response = api_post(
        world.wendy, f"{API}/{f.challenge.public_id}/actions", {"action": "approve"}
    )
    assert_error(response, "budget_exceeded", status=409)
    assert f.refresh().status == Challenge.Status.SUBMITTED


def test_team_shares_split_the_credit(world: World) -> None:
    f = flow(world, "in_progress")
    m = Milestone.objects.filter(challenge=f.challenge).first()
    assert m is not None
    milestones.submit(
        principal=P(f.lead), milestone=m, draft=ReportDraft(report="r", deliverable_sha256="b" * 64)
    )
    milestones.review(principal=P(world.wendy), milestone=m, draft=ReviewDraft(accept=True))
    units = sorted(
        Decimal(c.document["credentialSubject"]["work"]["workUnits"])
        for c in Credential.objects.filter(kind=Credential.Kind.CHALLENGE)
    )
    assert sum(units) == m.amount


def test_results_stay_hidden_until_evaluation_closes(world: World) -> None:
    f = flow(world, "evaluation")
    response = api_get(world.olivia, f"{API}/{f.challenge.public_id}/applications")
    row = response.json()["items"][0]
    assert row["status"] == "submitted" and row["score"] is None
    # the public sees nothing yet
    assert api_get(None, f"{API}/{f.challenge.public_id}/applications").json()["items"] == []
    from tests.builders.bounties import score_all

    score_all(f.challenge)
    row = api_get(None, f"{API}/{f.challenge.public_id}/applications").json()["items"][0]
    assert row["status"] == "scored" and row["score"] is not None and row["rank"] == 1


def test_eligibility_is_explained_per_criterion(world: World) -> None:
    f = flow(world, "published")
    response = api_get(f.lead, f"{API}/{f.challenge.public_id}/eligibility?team={f.team.public_id}")
    assert response.status_code == 200
    criteria = {r["criterion"]: r["passed"] for r in response.json()}
    assert criteria == {
        "kind": True,
        "members_accepted": True,
        "size": True,
        "entity": True,
        "foreign_members": True,
    }


# --- bad inputs --------------------------------------------------------------------------


def test_rubric_weights_summing_to_zero_are_refused(world: World) -> None:
    fields = challenge_fields(world)
    for c in fields["rubric"]:
        c["weight"] = 0
    response = api_post(world.olivia, API, {**fields, "organisation": str(world.acme.public_id)})
    assert_error(response, "invalid_input", "rubric", status=422)
    assert not Challenge.objects.exists()


@pytest.mark.parametrize("problem", ["gap", "overlap", "past"])
def test_bad_phase_windows_are_refused(world: World, problem: str) -> None:
    fields = challenge_fields(world)
    phases = fields["phases"]
    if problem == "gap":
        phases[1]["starts_on"] = phases[1]["ends_on"]
    elif problem == "overlap":
        phases[2]["starts_on"] = phases[1]["starts_on"]
    else:
        fields = challenge_fields(world)
        for p in fields["phases"]:
            p["starts_on"] = p["ends_on"] = "2020-01-0" + str(fields["phases"].index(p) + 1)
    response = api_post(world.olivia, API, {**fields, "organisation": str(world.acme.public_id)})
    assert_error(
        response, "phase_in_past" if problem == "past" else "invalid_input", "phases", status=422
    )
    assert not Challenge.objects.exists()


def test_in_chinese_the_error_is_in_chinese(world: World) -> None:
    fields = challenge_fields(world)
    for c in fields["rubric"]:
        c["weight"] = 0
    response = api_post(
        world.olivia,
        API,
        {**fields, "organisation": str(world.acme.public_id)},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    message = response.json()["fields"]["rubric"][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_editing_after_submission_is_refused(world: World) -> None:
    f = flow(world, "submitted")
    from django.test import Client

    client = Client()
    client.force_login(world.olivia)
    response = client.put(
        f"{API}/{f.challenge.public_id}",
        data=json.dumps(challenge_fields(world, budget="200000.00")),
        content_type="application/json",
    )
    assert_error(response, "challenge_frozen", status=409)
    f.refresh()
    assert f.challenge.budget == Decimal("300000.00")


def test_applying_after_the_window_closed_is_refused(world: World) -> None:
    f = flow(world, "published")
    close_window(f.challenge)
    response = api_post(
        f.lead, f"{API}/{f.challenge.public_id}/applications", application_fields(f.team)
    )
    assert_error(response, "applications_closed", status=409)
    assert not Application.objects.exists()


def test_a_member_who_has_not_accepted_makes_the_team_ineligible(world: World) -> None:
    f = flow(world, "published")
    from nomadcloud.teams import services as ts
    from nomadcloud.teams.schemas import InvitationDraft

    ts.invite_member(
        principal=P(f.lead), team=f.team, draft=InvitationDraft(email=world.bob.email or "")
    )
    response = api_post(
        f.lead, f"{API}/{f.challenge.public_id}/applications", application_fields(f.team)
    )
    body = assert_error(response, "ineligible", "eligibility.members_accepted", status=422)
    assert "Bob" in body["fields"]["eligibility.members_accepted"][0]
    assert not Application.objects.exists()


def test_the_same_person_in_two_competing_teams_is_refused(world: World) -> None:
    f = flow(world, "applied")
    other = team(person("Vic Lead"), [f.members[0]], kind="team", name="Other Team")
    with pytest.raises(InvalidInput) as refused:
        applications.apply(
            principal=P(person("Vic Lead")),
            challenge=f.challenge,
            draft=parse_draft(ApplicationDraft, application_fields(other)),
        )
    assert refused.value.code == "person_in_other_team" and "team" in refused.value.fields
    assert Application.objects.count() == 1


def test_a_team_without_the_required_entity_is_ineligible(world: World) -> None:
    f = flow(world, "published")
    f.challenge.eligibility = {**f.challenge.eligibility, "entity_required": True}
    f.challenge.save()
    plain = team(person("Wes Lead"), [], kind="team", name="Plain")
    with pytest.raises(InvalidInput) as refused:
        applications.apply(
            principal=P(person("Wes Lead")),
            challenge=f.challenge,
            draft=parse_draft(ApplicationDraft, application_fields(plain)),
        )
    assert refused.value.code == "ineligible" and "eligibility.entity" in refused.value.fields


def test_a_recused_expert_cannot_score_and_is_replaced(world: World) -> None:
    f = flow(world, "evaluation")
    first = Assignment.objects.filter(application__challenge=f.challenge).select_related(
        "expert__user", "application__challenge"
    )[0]
    evaluation.recuse(
        principal=P(first.expert.user),
        assignment=first,
        draft=RecusalDraft(conflict="Former colleague."),
    )
    with pytest.raises(Conflict) as refused:
        evaluation.submit_scores(
            principal=P(first.expert.user),
            assignment=first,
            draft=ScoresDraft(scores={"tech": 5, "team": 5}),
        )
    assert refused.value.code == "recused"
    live = Assignment.objects.filter(application__challenge=f.challenge).exclude(
        status=Assignment.Status.RECUSED
    )
    assert live.count() == 3  # the fourth expert took the place


def test_a_score_out_of_range_names_the_criterion(world: World) -> None:
    f = flow(world, "evaluation")
    a = Assignment.objects.filter(application__challenge=f.challenge).select_related(
        "expert__user"
    )[0]
    response = api_post(
        a.expert.user, f"{API}/assignments/{a.pk}/scores", {"scores": {"tech": 11, "team": 3}}
    )
    assert_error(response, "invalid_scores", "scores.tech", status=422)
    a.refresh_from_db()
    assert a.status == Assignment.Status.ASSIGNED


def test_selection_before_all_sheets_are_in_is_refused(world: World) -> None:
    f = flow(world, "evaluation")
    assert f.application is not None
    with pytest.raises(Conflict) as refused:
        signing.select(
            principal=P(world.wendy),
            challenge=f.challenge,
            draft=SelectionDraft(applications=[f.application.public_id], reason="Early."),
        )
    assert refused.value.code == "evaluation_open"
    assert f.refresh().status == Challenge.Status.EVALUATION


def test_signing_during_publicity_or_with_a_pending_objection_is_refused(world: World) -> None:
    f = flow(world, "publicity")
    with pytest.raises(Conflict) as during:
        signing.sign_task_book(principal=P(f.lead), challenge=f.challenge, version=1)
    assert during.value.code == "not_signing"
    notice = PublicNotice.objects.get(subject_id=str(f.challenge.public_id))
    publicity.file_objection(notice, actor=world.charlie, grounds="The team copied the idea.")
    from tests.builders.bounties import end_publicity

    end_publicity(f.challenge)
    response = api_post(
        world.wendy, f"{API}/{f.challenge.public_id}/actions", {"action": "start_signing"}
    )
    assert_error(response, "objection_pending", status=409)
    assert f.refresh().status == Challenge.Status.PUBLICITY


def test_milestone_amounts_must_sum_to_the_award(world: World) -> None:
    f = flow(world, "signing")
    today = timezone.localdate().isoformat()
    with pytest.raises(InvalidInput) as refused:
        signing.revise_task_book(
            principal=P(world.wendy),
            challenge=f.challenge,
            draft=parse_draft(
                TaskBookDraft,
                {"milestones": [{"title": "All", "amount": "1.00", "due_on": today}]},
            ),
        )
    assert refused.value.code == "milestones_not_award" and "milestones" in refused.value.fields
    book = signing.revise_task_book(
        principal=P(f.lead),
        challenge=f.challenge,
        draft=parse_draft(
            TaskBookDraft,
            {"milestones": [{"title": "All", "amount": "200000.00", "due_on": today}]},
        ),
    )
    assert book.version == 2 and book.changes


def test_work_from_outside_the_signed_team_and_self_acceptance_are_refused(world: World) -> None:
    f = flow(world, "in_progress")
    m = Milestone.objects.filter(challenge=f.challenge).first()
    assert m is not None
    with pytest.raises(Forbidden) as outsider:
        milestones.submit(
            principal=P(world.charlie),
            milestone=m,
            draft=ReportDraft(report="x", deliverable_sha256="c" * 64),
        )
    assert outsider.value.code == "not_the_team"
    milestones.submit(
        principal=P(f.lead), milestone=m, draft=ReportDraft(report="x", deliverable_sha256="c" * 64)
    )
    from nomadcloud.accounts.models import Membership

    Membership.objects.create(user=f.members[1], organisation=world.acme, role="member")
    with pytest.raises(Forbidden) as own:
        milestones.review(principal=P(f.members[1]), milestone=m, draft=ReviewDraft(accept=True))
    assert own.value.code == "own_work"
    m.refresh_from_db()
    assert m.status == Milestone.Status.SUBMITTED


def test_an_unreviewed_milestone_escalates_and_is_never_approved_by_silence(world: World) -> None:
    f = flow(world, "in_progress")
    m = Milestone.objects.filter(challenge=f.challenge).first()
    assert m is not None
    milestones.submit(
        principal=P(f.lead), milestone=m, draft=ReportDraft(report="x", deliverable_sha256="d" * 64)
    )
    m.refresh_from_db()
    assert m.review_due_at is not None
    assert milestones.escalate_overdue(m.review_due_at + timezone.timedelta(seconds=1)) == 1
    m.refresh_from_db()
    assert m.status == Milestone.Status.ESCALATED
    with pytest.raises(Forbidden):
        milestones.review(principal=P(world.olivia), milestone=m, draft=ReviewDraft(accept=True))
    milestones.review(principal=P(world.wendy), milestone=m, draft=ReviewDraft(accept=True))


def test_cancel_before_signing_and_terminate_after(world: World) -> None:
    f = flow(world, "published")
    response = api_post(
        world.olivia, f"{API}/{f.challenge.public_id}/actions", {"action": "cancel"}
    )
    assert_error(response, "condition_not_met", status=409)
    act(world, f.challenge, "cancel", world.olivia, "The need was met in house.")
    assert f.refresh().status == Challenge.Status.CANCELLED
    commitment = f.challenge.commitment
    assert commitment is not None
    commitment.refresh_from_db()
    assert commitment.status == "released"  # the budget is never trapped
    g = flow(world, "in_progress", lead_name="Zed Lead")
    act(world, g.challenge, "terminate", world.wendy, "The team stopped.")
    assert g.refresh().status == Challenge.Status.TERMINATED


def test_aggregation_methods() -> None:
    sheets = [
        ("e1", "a", Decimal(80)),
        ("e2", "a", Decimal(60)),
        ("e3", "a", Decimal(100)),
        ("e1", "b", Decimal(70)),
        ("e2", "b", Decimal(70)),
        ("e3", "b", Decimal(70)),
    ]
    assert scoring.aggregate("mean", sheets)["a"] == Decimal("80.0000")
    assert scoring.aggregate("trimmed_mean", sheets)["a"] == Decimal("80.0000")
    z = scoring.aggregate("zscore", sheets)
    assert z["a"] > 0 > z["b"]
    assert scoring.rank({"a": Decimal(1), "b": Decimal(1)}, {"a": 1, "b": 0}) == ["b", "a"]


# --- OCDS --------------------------------------------------------------------------------


def test_the_ocds_feed_validates_with_zero_errors(world: World) -> None:
    f = flow(world, "final_acceptance")
    act(world, f.challenge, "accept_final", world.wendy)
    pay_all(world, f.challenge)
    releases = api_get(None, "/api/ocds/releases.json")
    records = api_get(None, "/api/ocds/records.json")
    assert releases.status_code == records.status_code == 200
    package = releases.json()
    tags = [r["tag"][0] for r in package["releases"]]
    assert tags[0] == "tender" and "award" in tags and "contract" in tags
    assert "implementation" in tags
    for name, doc in (
        ("release-package-schema.json", package),
        ("record-package-schema.json", records.json()),
    ):
        errors = list(ocds_validator(name).iter_errors(doc))
        assert errors == [], [e.message for e in errors[:5]]
    record = records.json()["records"][0]
    assert record["ocid"] == ocds.ocid(f.challenge)
    contract = record["compiledRelease"]["contracts"][0]
    assert [m["status"] for m in contract["milestones"]] == ["met", "met"]
    related = [t["relatedMilestone"]["id"] for t in contract["implementation"]["transactions"]]
    assert related == ["milestone-1", "milestone-2"]


def test_the_issuer_cosigns_the_selection_before_the_task_book(world: World) -> None:
    from nomadcloud.bounties.models import SelectionCosign
    from tests.builders.bounties import end_publicity

    f = flow(world, "publicity")
    end_publicity(f.challenge)
    response = api_post(
        world.wendy, f"{API}/{f.challenge.public_id}/actions", {"action": "start_signing"}
    )
    assert_error(response, "cosign_missing", status=409)
    refused = api_post(
        world.wendy, f"{API}/{f.challenge.public_id}/selection/cosign", {"evidence": "x"}
    )
    assert_error(refused, "role_not_allowed", status=403)
    signed = api_post(
        world.olivia, f"{API}/{f.challenge.public_id}/selection/cosign", {"evidence": "函 17"}
    )
    assert signed.status_code == 201, signed.json()
    body = signed.json()
    assert (body["evidence"], body["rule_version"]) == ("函 17", f.challenge.rule_version)
    assert body["application"] == str(f.application.public_id) if f.application else False
    again = api_post(
        world.olivia, f"{API}/{f.challenge.public_id}/selection/cosign", {"evidence": "again"}
    )
    assert_error(again, "already_cosigned", status=409)
    cosign = SelectionCosign.objects.get()
    assert (cosign.signed_by, cosign.organisation) == (world.olivia, world.acme)
    response = api_post(
        world.wendy, f"{API}/{f.challenge.public_id}/actions", {"action": "start_signing"}
    )
    assert response.status_code == 200, response.json()
    assert f.refresh().status == Challenge.Status.SIGNING


def test_the_one_card_items_deep_link_into_challenges_and_competitions(world: World) -> None:
    from nomadcloud.onecard import catalogue_data
    from tests.conftest import client_for

    links = {i.code: i.deep_link for i in catalogue_data.ITEMS}
    assert links["KGX-JB-016"] == "bounties:mine"  # the enterprise's need list
    assert links["KGX-JB-017"] == "bounties:list"  # teams apply to published challenges
    assert links["YP-SS-018"] == "competitions:index"
    answer = client_for(world.olivia).get("/bounties/mine/")
    assert answer.status_code == 302
    assert answer["Location"] == f"/bounties/org/{world.acme.public_id}/"
    assert client_for(world.charlie).get("/bounties/mine/").status_code == 302
