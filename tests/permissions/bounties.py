"""Permission cases for teams and 揭榜挂帅 challenges; builders in tests/builders/bounties.py.

Challenges: Acme (Olivia owner) issues; 市科工信局 (Wendy reviewer) approves, reviews,
selects and co-signs; from publication on a challenge is public. The team (Tina's studio)
and the experts are not personas, so their own moves are refused to every persona with the
exact code. Teams: Charlie leads his own team (and is invited to Tina's); a team is seen by
its members and the zone operator only.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from nomadcloud.bounties.models import Assignment, Challenge, Clarification, Milestone
from nomadcloud.bounties.schemas import (
    DisputeDraft,
    ExtensionDraft,
    QuestionDraft,
    ReportDraft,
    ReviewDraft,
)
from nomadcloud.bounties.services import challenges as challenge_services
from nomadcloud.bounties.services import milestones as milestone_services
from nomadcloud.teams import services as team_services
from nomadcloud.teams.models import Team
from nomadcloud.teams.schemas import InvitationDraft
from tests.builders.bounties import (
    Flow,
    P,
    application_fields,
    challenge_fields,
    flow,
    person,
    team,
)
from tests.builders.orders import PDF, b64
from tests.builders.world import World
from tests.permissions import (
    ACME,
    AUTHENTICATED,
    CONFLICT,
    EVERYONE,
    INVALID,
    MEMBERS_AND_OPERATOR,
    NOT_FOUND,
    SIGNED_IN,
    Case,
    expect,
)

API = "/api/v1/bounties"
TEAMS = "/api/v1/teams"
OTHERS = ("outsider", "readonly", "reviewer", "operator")


def _c(f: Flow) -> str:
    return str(f.challenge.public_id)


def at(until: str) -> Any:
    return lambda w: _c(flow(w, until))


def clarification(w: World) -> Clarification:
    f = flow(w, "published")
    return challenge_services.ask_question(
        principal=P(w.charlie), challenge=f.challenge, draft=QuestionDraft(question="Data?")
    )


def assignment(w: World) -> Assignment:
    f = flow(w, "evaluation")
    return Assignment.objects.filter(application__challenge=f.challenge).first()  # type: ignore[return-value]


def milestone(w: World, submitted: bool = False, rejected: bool = False) -> Milestone:
    f = flow(w, "in_progress")
    m = Milestone.objects.filter(challenge=f.challenge).order_by("position").first()
    assert m is not None
    if submitted or rejected:
        milestone_services.submit(
            principal=P(f.lead),
            milestone=m,
            draft=ReportDraft(report="r", deliverable_sha256="e" * 64),
        )
    if rejected:
        milestone_services.review(
            principal=P(w.olivia),
            milestone=m,
            draft=ReviewDraft(accept=False, reject=True, note="The pilot did not run."),
        )
    return m


def extension_asked(w: World) -> Milestone:
    m = milestone(w)
    app = m.challenge.applications.get()
    milestone_services.request_extension(
        principal=P(app.team.lead),
        milestone=m,
        draft=ExtensionDraft(due_on=m.due_on + dt.timedelta(days=30), reason="Berth booked."),
    )
    return m


def disputed(w: World) -> Milestone:
    m = milestone(w, rejected=True)
    app = m.challenge.applications.get()
    milestone_services.raise_dispute(
        principal=P(app.team.lead), milestone=m, draft=DisputeDraft(reason="It ran.")
    )
    return m


def application_id(w: World, until: str) -> str:
    f = flow(w, until)
    assert f.application is not None
    return str(f.application.public_id)


def charlie_team(w: World) -> Team:
    return team(w.charlie, [w.bob], kind="team", name="Charlie Crew")


def tina_team_inviting_charlie(w: World) -> Team:
    t = team(person("Tina Lead"), [], kind="team", name="Tina Crew")
    team_services.invite_member(
        principal=P(t.lead), team=t, draft=InvitationDraft(email=w.charlie.email or "")
    )
    return t


def _challenge_body(w: World) -> dict[str, Any]:
    return {**challenge_fields(w), "organisation": str(w.acme.public_id)}


def _draft(w: World) -> Challenge:
    return flow(w, "draft").challenge


PRIVATE_SEERS = ("readonly", "owner", "reviewer", "operator")

API_CASES = [
    Case("bounties list", "GET", lambda w: API, EVERYONE, api=True),
    Case(
        "bounties create",
        "POST",
        lambda w: API,
        expect("owner", sees=OTHERS),
        _challenge_body,
        api=True,
    ),
    Case(
        "bounties get draft",
        "GET",
        lambda w: f"{API}/{_draft(w).public_id}",
        expect(*PRIVATE_SEERS, anonymous=NOT_FOUND),
        api=True,
        route=f"{API}/{{challenge_id}}",
    ),
    Case(
        "bounties get published",
        "GET",
        lambda w: f"{API}/{at('published')(w)}",
        EVERYONE,
        api=True,
        route=f"{API}/{{challenge_id}}",
    ),
    Case(
        "bounties change draft",
        "PUT",
        lambda w: f"{API}/{_draft(w).public_id}",
        expect("owner", sees=("readonly", "reviewer", "operator"), because="role_not_allowed"),
        lambda w: challenge_fields(w, budget="250000.00"),
        api=True,
        route=f"{API}/{{challenge_id}}",
    ),
    Case(
        "bounties submit",
        "POST",
        lambda w: f"{API}/{_draft(w).public_id}/actions",
        expect("owner", sees=("readonly", "reviewer", "operator"), because="role_not_allowed"),
        lambda w: {"action": "submit"},
        api=True,
        route=f"{API}/{{challenge_id}}/actions",
    ),
    Case(
        "bounties eligibility",
        "GET",
        lambda w: (
            f"{API}/{at('published')(w)}/eligibility"
            f"?team={flow(w, 'draft', lead_name='Ed Lead').team.public_id}"
        ),
        expect(),
        api=True,
        route=f"{API}/{{challenge_id}}/eligibility",
    ),
    Case(
        "bounties apply",
        "POST",
        lambda w: f"{API}/{at('published')(w)}/applications",
        expect(**{p: INVALID("unknown_team") for p in SIGNED_IN}),
        lambda w: (
            application_fields(charlie_team(w)) | {"team": "00000000-0000-0000-0000-000000000000"}
        ),
        api=True,
        route=f"{API}/{{challenge_id}}/applications",
    ),
    Case(
        "bounties applications",
        "GET",
        lambda w: f"{API}/{at('applied')(w)}/applications",
        EVERYONE,
        api=True,
        route=f"{API}/{{challenge_id}}/applications",
    ),
    Case(
        "bounties withdraw",
        "POST",
        lambda w: f"{API}/applications/{application_id(w, 'applied')}/withdraw",
        expect(sees=("owner", "reviewer", "operator"), because="lead_only"),
        api=True,
        route=f"{API}/applications/{{application_id}}/withdraw",
    ),
    Case(
        "bounties qualification review",
        "POST",
        lambda w: f"{API}/applications/{application_id(w, 'qualification_review')}/review",
        expect("reviewer", sees=("owner", "operator"), because="role_not_allowed"),
        lambda w: {"eligible": True},
        api=True,
        route=f"{API}/applications/{{application_id}}/review",
    ),
    Case(
        "bounties clarifications",
        "GET",
        lambda w: f"{API}/{at('published')(w)}/clarifications",
        EVERYONE,
        api=True,
        route=f"{API}/{{challenge_id}}/clarifications",
    ),
    Case(
        "bounties ask",
        "POST",
        lambda w: f"{API}/{at('published')(w)}/clarifications",
        AUTHENTICATED,
        lambda w: {"question": "Which data?"},
        api=True,
        route=f"{API}/{{challenge_id}}/clarifications",
    ),
    Case(
        "bounties answer",
        "POST",
        lambda w: f"{API}/clarifications/{clarification(w).pk}/answer",
        expect("owner", sees=OTHERS, because="role_not_allowed"),
        lambda w: {"answer": "Port logs of 2025."},
        api=True,
        route=f"{API}/clarifications/{{clarification_id}}/answer",
    ),
    Case(
        "bounties add expert",
        "POST",
        lambda w: f"{API}/pool/experts",
        expect("reviewer", sees=SIGNED_IN),
        lambda w: {"department": str(w.department.public_id), "email": "bob@example.com"},
        api=True,
    ),
    Case("bounties my sheets", "GET", lambda w: f"{API}/assignments/mine", AUTHENTICATED, api=True),
    Case(
        "bounties score",
        "POST",
        lambda w: f"{API}/assignments/{assignment(w).pk}/scores",
        expect(sees=("reviewer",), because="expert_only"),
        lambda w: {"scores": {"tech": 5, "team": 5}},
        api=True,
        route=f"{API}/assignments/{{assignment_id}}/scores",
    ),
    Case(
        "bounties recuse",
        "POST",
        lambda w: f"{API}/assignments/{assignment(w).pk}/recuse",
        expect(sees=("reviewer",), because="expert_only"),
        lambda w: {"conflict": "A colleague."},
        api=True,
        route=f"{API}/assignments/{{assignment_id}}/recuse",
    ),
    Case(
        "bounties assign",
        "POST",
        lambda w: f"{API}/{at('evaluation')(w)}/assign",
        expect(
            "reviewer",
            sees=("outsider", "readonly", "owner", "operator"),
            because="role_not_allowed",
        ),
        api=True,
        route=f"{API}/{{challenge_id}}/assign",
        changes=False,
    ),
    Case(
        "bounties select",
        "POST",
        lambda w: f"{API}/{_c(flow(w, 'selection'))}/selection",
        expect(
            "reviewer",
            sees=("outsider", "readonly", "owner", "operator"),
            because="role_not_allowed",
        ),
        lambda w: {
            "applications": [str(Challenge.objects.get().applications.get().public_id)],
            "reason": "Best.",
        },
        api=True,
        route=f"{API}/{{challenge_id}}/selection",
    ),
    Case(
        "bounties co-sign the selection",
        "POST",
        lambda w: f"{API}/{_c(flow(w, 'publicity'))}/selection/cosign",
        expect(
            "owner",
            sees=("outsider", "readonly", "reviewer", "operator"),
            because="role_not_allowed",
        ),
        lambda w: {"evidence": "Acme letter 2026-17"},
        api=True,
        route=f"{API}/{{challenge_id}}/selection/cosign",
    ),
    Case(
        "bounties task books",
        "GET",
        lambda w: f"{API}/{at('signing')(w)}/task-books",
        expect("owner", "reviewer", "operator"),
        api=True,
        route=f"{API}/{{challenge_id}}/task-books",
    ),
    Case(
        "bounties revise task book",
        "POST",
        lambda w: f"{API}/{at('signing')(w)}/task-books",
        expect("owner", "reviewer", sees=("outsider", "readonly", "operator")),
        lambda w: {"milestones": [{"title": "All", "amount": "200000.00", "due_on": "2026-12-31"}]},
        api=True,
        route=f"{API}/{{challenge_id}}/task-books",
    ),
    Case(
        "bounties sign",
        "POST",
        lambda w: f"{API}/{at('signing')(w)}/task-books/1/sign",
        expect("reviewer", sees=("outsider", "readonly", "owner", "operator")),
        api=True,
        route=f"{API}/{{challenge_id}}/task-books/{{version}}/sign",
    ),
    Case(
        "bounties milestones",
        "GET",
        lambda w: f"{API}/{at('in_progress')(w)}/milestones",
        EVERYONE,
        api=True,
        route=f"{API}/{{challenge_id}}/milestones",
    ),
    Case(
        "bounties report",
        "POST",
        lambda w: f"{API}/milestones/{milestone(w).public_id}/report",
        expect(sees=SIGNED_IN, because="not_the_team"),
        lambda w: {"report": "Work.", "deliverable_sha256": "f" * 64},
        api=True,
        route=f"{API}/milestones/{{milestone_id}}/report",
    ),
    Case(
        "bounties review milestone",
        "POST",
        lambda w: f"{API}/milestones/{milestone(w, submitted=True).public_id}/review",
        expect("owner", "reviewer", sees=("outsider", "readonly", "operator")),
        lambda w: {"accept": True},
        api=True,
        route=f"{API}/milestones/{{milestone_id}}/review",
    ),
    Case(
        "bounties dispute",
        "POST",
        lambda w: f"{API}/milestones/{milestone(w, rejected=True).public_id}/dispute",
        expect(sees=SIGNED_IN, because="not_the_team"),
        lambda w: {"reason": "The report meets the criteria."},
        api=True,
        route=f"{API}/milestones/{{milestone_id}}/dispute",
    ),
    Case(
        "bounties dispute response",
        "POST",
        lambda w: f"{API}/milestones/{disputed(w).public_id}/dispute/response",
        expect(
            "owner",
            sees=("outsider", "readonly", "reviewer", "operator"),
            because="role_not_allowed",
        ),
        lambda w: {"response": "The pilot did not run."},
        api=True,
        route=f"{API}/milestones/{{milestone_id}}/dispute/response",
    ),
    Case(
        "bounties dispute decision",
        "POST",
        lambda w: f"{API}/milestones/{disputed(w).public_id}/dispute/decision",
        expect(
            "reviewer",
            sees=("outsider", "readonly", "owner", "operator"),
            because="role_not_allowed",
        ),
        lambda w: {"decision": "redo", "reason": "Run the pilot again."},
        api=True,
        route=f"{API}/milestones/{{milestone_id}}/dispute/decision",
    ),
    Case(
        "bounties ask for a later date",
        "POST",
        lambda w: f"{API}/milestones/{milestone(w).public_id}/extension",
        expect(sees=SIGNED_IN, because="not_the_team"),
        lambda w: {"due_on": "2030-01-31", "reason": "The berth is booked until January."},
        api=True,
        route=f"{API}/milestones/{{milestone_id}}/extension",
    ),
    Case(
        "bounties decide a later date",
        "POST",
        lambda w: f"{API}/milestones/{extension_asked(w).public_id}/extension/decision",
        expect(
            "reviewer",
            sees=("outsider", "readonly", "owner", "operator"),
            because="role_not_allowed",
        ),
        lambda w: {"approve": True, "reason": "The berth booking is on file."},
        api=True,
        route=f"{API}/milestones/{{milestone_id}}/extension/decision",
    ),
    Case(
        "bounties midterm check",
        "POST",
        lambda w: f"{API}/{at('in_progress')(w)}/midterm-checks",
        expect(
            "reviewer",
            sees=("outsider", "readonly", "owner", "operator"),
            because="role_not_allowed",
        ),
        lambda w: {"outcome": "on_track", "findings": "Model delivered on time."},
        api=True,
        route=f"{API}/{{challenge_id}}/midterm-checks",
    ),
    Case(
        "bounties studio registration",
        "POST",
        lambda w: f"{API}/{at('in_progress')(w)}/studio-registration",
        expect(
            "reviewer",
            "operator",
            sees=("outsider", "readonly", "owner"),
            because="role_not_allowed",
        ),
        lambda w: {
            "registered_on": "2026-06-01",
            "documents": [{"file_name": "licence.pdf", "content_base64": b64(PDF)}],
        },
        api=True,
        route=f"{API}/{{challenge_id}}/studio-registration",
    ),
    # --- teams ---
    Case("teams list", "GET", lambda w: TEAMS, AUTHENTICATED, api=True),
    Case(
        "teams create",
        "POST",
        lambda w: TEAMS,
        AUTHENTICATED,
        lambda w: {"kind": "team", "name": "New crew"},
        api=True,
    ),
    Case(
        "teams get",
        "GET",
        lambda w: f"{TEAMS}/{charlie_team(w).public_id}",
        expect("outsider", "operator"),
        api=True,
        route=f"{TEAMS}/{{team_id}}",
    ),
    Case(
        "teams invite",
        "POST",
        lambda w: f"{TEAMS}/{charlie_team(w).public_id}/invitations",
        expect("outsider", sees=("operator",), because="lead_only"),
        lambda w: {"email": "rita@example.com"},
        api=True,
        route=f"{TEAMS}/{{team_id}}/invitations",
    ),
    Case(
        "teams answer",
        "POST",
        lambda w: f"{TEAMS}/{tina_team_inviting_charlie(w).public_id}/answer",
        expect("outsider", operator=CONFLICT("no_invitation")),
        lambda w: {"accept": True, "consent": True},
        api=True,
        route=f"{TEAMS}/{{team_id}}/answer",
    ),
    Case(
        "teams remove",
        "POST",
        lambda w: f"{TEAMS}/{charlie_team(w).public_id}/members/{w.bob.public_id}/remove",
        expect("outsider", sees=("operator",), because="lead_only"),
        api=True,
        route=f"{TEAMS}/{{team_id}}/members/{{user_id}}/remove",
    ),
    Case(
        "teams shares",
        "POST",
        lambda w: f"{TEAMS}/{charlie_team(w).public_id}/shares",
        expect("outsider", sees=("operator",), because="lead_only"),
        lambda w: {"shares": {str(w.charlie.public_id): "70.00", str(w.bob.public_id): "30.00"}},
        api=True,
        route=f"{TEAMS}/{{team_id}}/shares",
    ),
]

PAGE_CASES = [
    Case("challenges page", "GET", lambda w: "/bounties/", EVERYONE, url_name="bounties:list"),
    Case(
        "challenge page",
        "GET",
        lambda w: f"/bounties/{at('published')(w)}/",
        EVERYONE,
        url_name="bounties:detail",
    ),
    Case(
        "organisation challenges page",
        "GET",
        lambda w: f"/bounties/org/{w.acme.public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="bounties:organisation",
    ),
    Case(
        "draft challenge page",
        "GET",
        lambda w: f"/bounties/org/{w.acme.public_id}/new/",
        MEMBERS_AND_OPERATOR,
        url_name="bounties:create",
    ),
    Case(
        "apply page",
        "GET",
        lambda w: f"/bounties/{at('published')(w)}/apply/",
        AUTHENTICATED,
        url_name="bounties:apply",
    ),
    Case(
        "task book page",
        "GET",
        lambda w: f"/bounties/{at('signing')(w)}/task-book/",
        expect("owner", "reviewer", "operator", sees=("outsider", "readonly")),
        url_name="bounties:task_book",
    ),
    Case(
        "my challenges (the one card's deep link)",
        "GET",
        lambda w: "/bounties/mine/",
        AUTHENTICATED,
        url_name="bounties:mine",
    ),
    Case(
        "expert page",
        "GET",
        lambda w: "/bounties/expert/",
        AUTHENTICATED,
        url_name="bounties:expert",
    ),
    Case(
        "ocds releases",
        "GET",
        lambda w: "/api/ocds/releases.json",
        EVERYONE,
        url_name="ocds:releases",
    ),
    Case(
        "ocds records", "GET", lambda w: "/api/ocds/records.json", EVERYONE, url_name="ocds:records"
    ),
    Case("my teams page", "GET", lambda w: "/teams/", AUTHENTICATED, url_name="teams:mine"),
    Case(
        "create team page",
        "POST",
        lambda w: "/teams/",
        AUTHENTICATED,
        lambda w: {"kind": "team", "name": "Page crew"},
        url_name="teams:mine",
    ),
    Case(
        "team page",
        "GET",
        lambda w: f"/teams/{charlie_team(w).public_id}/",
        expect("outsider", "operator", anonymous=expect()["anonymous"]),
        url_name="teams:detail",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

APPS = ("bounties", "teams", "core", "payouts")
_ = (ACME, NOT_FOUND)
