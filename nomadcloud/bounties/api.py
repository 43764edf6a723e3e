"""The challenges part of /api/v1/: the public list and a challenge, drafting and moves,
eligibility explained, applications, Q&A, the expert pool, assignments and score sheets,
selection, task books and signatures, milestones. Handlers only translate HTTP to service
calls. The OCDS feed is at /api/ocds/ (views.py)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import is_zone_operator, require_person
from nomadcloud.accounts.auth import PUBLIC
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, ocds, queries, transitions
from nomadcloud.bounties.models import (
    Application,
    Challenge,
    Clarification,
    Milestone,
    MilestoneDispute,
    MilestoneExtension,
    TaskBook,
)
from nomadcloud.bounties.schemas import (
    ActionIn,
    ApplicationDraft,
    ApplicationOut,
    ApplicationRowOut,
    AssignmentOut,
    AssignmentRowOut,
    ChallengeDraft,
    ChallengeOut,
    ChallengeRowOut,
    ClarificationOut,
    ClarificationRowOut,
    CosignDraft,
    CosignOut,
    CriterionResult,
    DisputeDecisionDraft,
    DisputeDraft,
    DisputeResponseDraft,
    EligibilityDraft,
    ExtensionDecisionDraft,
    ExtensionDraft,
    ExtensionOut,
    MidtermDraft,
    MidtermOut,
    MilestoneDisputeOut,
    MilestoneOut,
    PhaseOut,
    QuestionDraft,
    RecusalDraft,
    ReplyDraft,
    ReportDraft,
    ReviewDraft,
    ScoresDraft,
    SelectionDraft,
    StudioRegistrationDraft,
    StudioRegistrationIn,
    StudioRegistrationOut,
    TaskBookDraft,
    TaskBookOut,
)
from nomadcloud.bounties.services import (
    applications,
    challenges,
    evaluation,
    milestones,
    signing,
    studios,
)
from nomadcloud.core import uploads
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import NotFound, invalid_field
from nomadcloud.teams.models import Team, TeamMember

router = Router(tags=["bounties"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def challenge_out(c: Challenge, principal: Principal) -> ChallengeOut:
    return ChallengeOut(
        id=c.public_id,
        ocid=ocds.ocid(c),
        status=c.status,
        issuer=c.issuer.public_id,
        department=c.department.public_id,
        title=c.title,
        statement=c.statement,
        kpis=c.kpis,
        terms=c.terms,
        budget=c.budget,
        subsidy=c.subsidy,
        eligibility=c.eligibility,
        rubric=c.rubric,
        aggregation=c.aggregation,
        min_experts=c.min_experts,
        blind_first_round=c.blind_first_round,
        phases=[
            PhaseOut(kind=p.kind, starts_on=p.starts_on, ends_on=p.ends_on) for p in c.phases.all()
        ],
        moves=transitions.moves(c, access.roles_in(principal, c)),
        created_at=c.created_at,
    )


HIDDEN = (Application.Status.ELIGIBLE, Application.Status.INELIGIBLE, Application.Status.SCORED)


def application_out(app: Application, *, reveal: bool) -> ApplicationOut:
    """Before the evaluation closes, eligibility decisions and scores are not shown (CONSUL
    #3709), except to the department running it."""
    status = app.status if reveal or app.status not in HIDDEN else Application.Status.SUBMITTED
    rows = [CriterionResult.model_validate(r) for r in app.eligibility]
    if reveal and app.review_reason:
        rows.append(
            CriterionResult(
                criterion="qualification_review",
                passed=app.status != Application.Status.INELIGIBLE,
                reason=app.review_reason,
            )
        )
    return ApplicationOut(
        id=app.public_id,
        challenge=app.challenge.public_id,
        team=app.team.public_id,
        team_name=app.team.name,
        status=status,
        amount=app.amount,
        eligibility=rows,
        score=app.score if reveal else None,
        rank=app.rank if reveal else None,
        submitted_at=app.submitted_at,
    )


def reveals(principal: Principal, challenge: Challenge) -> bool:
    return challenge.results_visible or transitions.DEPARTMENT in access.roles_in(
        principal, challenge
    )


class ChallengeCreateIn(ChallengeDraft):
    organisation: UUID

    def draft(self) -> ChallengeDraft:
        return ChallengeDraft.model_validate(self.model_dump(exclude={"organisation"}))


@router.get(
    "", response=_errors({200: list[ChallengeRowOut]}), **PUBLIC, summary="Published challenges"
)
@paginate(CursorPagination)
def list_challenges(request: HttpRequest) -> Any:
    return queries.public_challenges()


@router.post("", response=_errors({201: ChallengeOut}), summary="Draft a challenge")
def create_challenge(request: HttpRequest, body: ChallengeCreateIn) -> Any:
    principal = Principal.of(request)
    issuer = Organisation.objects.filter(public_id=body.organisation).first()
    if issuer is None:
        raise invalid_field("organisation", _("No such organisation."))
    c = challenges.create_challenge(principal=principal, issuer=issuer, draft=body.draft())
    return Status(201, challenge_out(c, principal))


@router.get(
    "/{challenge_id}", response=_errors({200: ChallengeOut}), **PUBLIC, summary="A challenge"
)
def get_challenge(request: HttpRequest, challenge_id: str) -> ChallengeOut:
    principal = Principal.of(request)
    return challenge_out(access.challenge_for(principal, challenge_id), principal)


@router.put("/{challenge_id}", response=_errors({200: ChallengeOut}), summary="Change a draft")
def update_challenge(request: HttpRequest, challenge_id: str, body: ChallengeDraft) -> ChallengeOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return challenge_out(
        challenges.update_challenge(principal=principal, challenge=c, draft=body), principal
    )


@router.post(
    "/{challenge_id}/actions", response=_errors({200: ChallengeOut}), summary="Move a challenge"
)
def act(request: HttpRequest, challenge_id: str, body: ActionIn) -> ChallengeOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return challenge_out(challenges.act(principal=principal, challenge=c, draft=body), principal)


class TeamQuery(Schema):
    team: UUID


@router.get(
    "/{challenge_id}/eligibility",
    response=_errors({200: list[CriterionResult]}),
    summary="Eligibility explained for one of your teams",
)
def eligibility(request: HttpRequest, challenge_id: str, query: Query[TeamQuery]) -> Any:
    principal = Principal.of(request)
    user = require_person(principal)
    c = access.challenge_for(principal, challenge_id)
    team = Team.objects.filter(public_id=query.team, members__user=user).first()
    if team is None:
        raise NotFound(_("No such team."))
    return [CriterionResult.model_validate(r) for r in applications.explain_eligibility(c, team)]


@router.post(
    "/{challenge_id}/applications", response=_errors({201: ApplicationOut}), summary="Apply"
)
def apply(request: HttpRequest, challenge_id: str, body: ApplicationDraft) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    app = applications.apply(principal=principal, challenge=c, draft=body)
    return Status(201, application_out(app, reveal=False))


@router.get(
    "/{challenge_id}/applications",
    response=_errors({200: list[ApplicationRowOut]}),
    **PUBLIC,
    summary="Applications (results once evaluation closes)",
)
@paginate(CursorPagination)
def list_applications(request: HttpRequest, challenge_id: str) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    reveal = reveals(principal, c)
    # read by ApplicationRowOut's resolvers
    setattr(request, "bounties_reveal", reveal)  # noqa: B010
    if not (reveal or access.roles_in(principal, c) or is_zone_operator(principal)):
        return Application.objects.none()
    return queries.applications_of(c)


@router.post(
    "/applications/{application_id}/withdraw",
    response=_errors({200: ApplicationOut}),
    summary="Withdraw an application",
)
def withdraw(request: HttpRequest, application_id: str) -> ApplicationOut:
    principal = Principal.of(request)
    app = access.application_for(principal, application_id)
    return application_out(
        applications.withdraw(principal=principal, application=app), reveal=False
    )


@router.post(
    "/applications/{application_id}/review",
    response=_errors({200: ApplicationOut}),
    summary="Qualification decision",
)
def review_application(
    request: HttpRequest, application_id: str, body: EligibilityDraft
) -> ApplicationOut:
    principal = Principal.of(request)
    app = access.application_for(principal, application_id)
    app = applications.review(principal=principal, application=app, draft=body)
    return application_out(app, reveal=True)


def clarification_out(q: Clarification) -> ClarificationOut:
    return ClarificationOut(
        id=q.pk,
        question=q.question,
        answer=q.answer,
        asked_at=q.asked_at,
        answered_at=q.answered_at,
    )


@router.get(
    "/{challenge_id}/clarifications",
    response=_errors({200: list[ClarificationRowOut]}),
    **PUBLIC,
    summary="Public Q&A",
)
@paginate(CursorPagination)
def list_clarifications(request: HttpRequest, challenge_id: str) -> Any:
    c = access.challenge_for(Principal.of(request), challenge_id)
    return c.clarifications.all()


@router.post(
    "/{challenge_id}/clarifications", response=_errors({201: ClarificationOut}), summary="Ask"
)
def ask(request: HttpRequest, challenge_id: str, body: QuestionDraft) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return Status(
        201,
        clarification_out(challenges.ask_question(principal=principal, challenge=c, draft=body)),
    )


@router.post(
    "/clarifications/{clarification_id}/answer",
    response=_errors({200: ClarificationOut}),
    summary="Answer a question",
)
def answer(request: HttpRequest, clarification_id: int, body: ReplyDraft) -> ClarificationOut:
    principal = Principal.of(request)
    q = Clarification.objects.filter(pk=clarification_id).select_related("challenge").first()
    if q is None or not access.may_see(principal, q.challenge):
        raise NotFound(_("No such question."))
    return clarification_out(
        challenges.answer_question(principal=principal, clarification=q, draft=body)
    )


class ExpertIn(Schema):
    department: UUID
    email: str
    affiliation: UUID | None = None
    fields: str = ""


class ExpertOut(Schema):
    user: UUID
    affiliation: UUID | None
    fields: str


@router.post("/pool/experts", response=_errors({201: ExpertOut}), summary="Add to the expert pool")
def add_expert(request: HttpRequest, body: ExpertIn) -> Any:
    principal = Principal.of(request)
    department = Organisation.objects.filter(public_id=body.department).first()
    if department is None:
        raise invalid_field("department", _("No such organisation."))
    person = User.objects.filter(email__iexact=body.email.strip()).first()
    if person is None:
        raise invalid_field("email", _("No registered person has this e-mail address."))
    affiliation = (
        Organisation.objects.filter(public_id=body.affiliation).first()
        if body.affiliation
        else None
    )
    expert = challenges.add_expert(
        principal=principal,
        department=department,
        person=person,
        affiliation=affiliation,
        fields=body.fields,
    )
    return Status(
        201,
        ExpertOut(
            user=person.public_id,
            affiliation=affiliation.public_id if affiliation else None,
            fields=expert.fields,
        ),
    )


def assignment_out(a: Any) -> AssignmentOut:
    return AssignmentOut(
        id=a.pk,
        challenge=a.application.challenge.public_id,
        application=a.application.public_id,
        team_name=a.team_label,
        status=a.status,
        scores=a.scores,
        total=a.total,
    )


@router.get(
    "/assignments/mine",
    response=_errors({200: list[AssignmentRowOut]}),
    summary="Your score sheets",
)
@paginate(CursorPagination)
def my_assignments(request: HttpRequest) -> Any:
    user = require_person(Principal.of(request))
    return queries.assignments_of(user)


@router.post(
    "/assignments/{assignment_id}/scores",
    response=_errors({200: AssignmentOut}),
    summary="Submit scores",
)
def score(request: HttpRequest, assignment_id: int, body: ScoresDraft) -> AssignmentOut:
    principal = Principal.of(request)
    a = access.assignment_for(principal, assignment_id)
    return assignment_out(evaluation.submit_scores(principal=principal, assignment=a, draft=body))


@router.post(
    "/assignments/{assignment_id}/recuse",
    response=_errors({200: AssignmentOut}),
    summary="Declare a conflict",
)
def recuse(request: HttpRequest, assignment_id: int, body: RecusalDraft) -> AssignmentOut:
    principal = Principal.of(request)
    a = access.assignment_for(principal, assignment_id)
    return assignment_out(evaluation.recuse(principal=principal, assignment=a, draft=body))


class CountOut(Schema):
    missing: int


@router.post(
    "/{challenge_id}/assign", response=_errors({200: CountOut}), summary="Fill expert places"
)
def assign(request: HttpRequest, challenge_id: str) -> CountOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return CountOut(missing=evaluation.assign_more(principal=principal, challenge=c))


@router.post("/{challenge_id}/selection", response=_errors({200: ChallengeOut}), summary="Select")
def select(request: HttpRequest, challenge_id: str, body: SelectionDraft) -> ChallengeOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return challenge_out(signing.select(principal=principal, challenge=c, draft=body), principal)


@router.post(
    "/{challenge_id}/selection/cosign",
    response=_errors({201: CosignOut}),
    summary="Co-sign the selection",
)
def cosign(request: HttpRequest, challenge_id: str, body: CosignDraft) -> Any:
    """The issuer co-signs the department's selection during its 公示, with evidence; the task
    book waits for it (``cosign_missing``)."""
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    item = signing.cosign_selection(principal=principal, challenge=c, draft=body)
    return Status(
        201,
        CosignOut(
            application=item.application.public_id,
            organisation=c.issuer.public_id,
            signed_by=item.signed_by.display_name,
            signed_at=item.signed_at,
            evidence=item.evidence,
            rule_version=item.rule_version,
        ),
    )


def book_out(b: TaskBook) -> TaskBookOut:
    return TaskBookOut(
        version=b.version,
        milestones=b.milestones,
        changes=b.changes,
        lead_signed_at=b.lead_signed_at,
        department_signed_at=b.department_signed_at,
    )


def _party_only(principal: Principal, c: Challenge) -> None:
    user = principal.user
    in_team = (
        user is not None
        and TeamMember.objects.filter(team__bounty_applications__challenge=c, user=user).exists()
    )
    if not (in_team or access.roles_in(principal, c) or is_zone_operator(principal)):
        raise NotFound(_("No such challenge."))


@router.get(
    "/{challenge_id}/task-books",
    response=_errors({200: list[TaskBookOut]}),
    summary="Task book versions",
)
def task_books(request: HttpRequest, challenge_id: str) -> list[TaskBookOut]:
    principal = Principal.of(request)
    require_person(principal)
    c = access.challenge_for(principal, challenge_id)
    _party_only(principal, c)
    return [book_out(b) for b in c.task_books.all()]


@router.post(
    "/{challenge_id}/task-books", response=_errors({201: TaskBookOut}), summary="Propose a version"
)
def revise(request: HttpRequest, challenge_id: str, body: TaskBookDraft) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return Status(
        201, book_out(signing.revise_task_book(principal=principal, challenge=c, draft=body))
    )


@router.post(
    "/{challenge_id}/task-books/{version}/sign",
    response=_errors({200: TaskBookOut}),
    summary="Sign",
)
def sign(request: HttpRequest, challenge_id: str, version: int) -> TaskBookOut:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    return book_out(signing.sign_task_book(principal=principal, challenge=c, version=version))


def milestone_out(m: Milestone) -> MilestoneOut:
    return MilestoneOut(
        id=m.public_id,
        position=m.position,
        title=m.title,
        amount=m.amount,
        due_on=m.due_on,
        status=m.status,
        deliverable_sha256=m.deliverable_sha256,
        review_due_at=m.review_due_at,
    )


@router.get(
    "/{challenge_id}/milestones",
    response=_errors({200: list[MilestoneOut]}),
    **PUBLIC,
    summary="Milestones",
)
def list_milestones(request: HttpRequest, challenge_id: str) -> list[MilestoneOut]:
    c = access.challenge_for(Principal.of(request), challenge_id)
    return [milestone_out(m) for m in c.milestones.all()]


@router.post(
    "/milestones/{milestone_id}/report",
    response=_errors({200: MilestoneOut}),
    summary="Submit a milestone report",
)
def report(request: HttpRequest, milestone_id: str, body: ReportDraft) -> MilestoneOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return milestone_out(milestones.submit(principal=principal, milestone=m, draft=body))


@router.post(
    "/milestones/{milestone_id}/review",
    response=_errors({200: MilestoneOut}),
    summary="Review a milestone",
)
def review_milestone(request: HttpRequest, milestone_id: str, body: ReviewDraft) -> MilestoneOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return milestone_out(milestones.review(principal=principal, milestone=m, draft=body))


# --- disputes, mid-term checks, a studio's registration ------------------------------------


def dispute_out(d: MilestoneDispute) -> MilestoneDisputeOut:
    return MilestoneDisputeOut(
        id=d.public_id,
        milestone=d.milestone.public_id,
        milestone_status=d.milestone.status,
        reason=d.reason,
        response=d.response,
        decision=d.decision,
        decision_reason=d.decision_reason,
        raised_at=d.raised_at,
        responded_at=d.responded_at,
        decided_at=d.decided_at,
    )


@router.post(
    "/milestones/{milestone_id}/dispute",
    response=_errors({201: MilestoneDisputeOut}),
    summary="Dispute a rejected milestone (the signed team)",
)
def raise_dispute(request: HttpRequest, milestone_id: str, body: DisputeDraft) -> Any:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return Status(
        201, dispute_out(milestones.raise_dispute(principal=principal, milestone=m, draft=body))
    )


@router.post(
    "/milestones/{milestone_id}/dispute/response",
    response=_errors({200: MilestoneDisputeOut}),
    summary="Respond to a dispute (the issuer)",
)
def respond_dispute(
    request: HttpRequest, milestone_id: str, body: DisputeResponseDraft
) -> MilestoneDisputeOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return dispute_out(milestones.respond_dispute(principal=principal, milestone=m, draft=body))


@router.post(
    "/milestones/{milestone_id}/dispute/decision",
    response=_errors({200: MilestoneDisputeOut}),
    summary="Decide a dispute with reasons (the department)",
)
def decide_dispute(
    request: HttpRequest, milestone_id: str, body: DisputeDecisionDraft
) -> MilestoneDisputeOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return dispute_out(milestones.decide_dispute(principal=principal, milestone=m, draft=body))


@router.post(
    "/{challenge_id}/midterm-checks",
    response=_errors({201: MidtermOut}),
    summary="Record the mid-term check (the department)",
)
def midterm_check(request: HttpRequest, challenge_id: str, body: MidtermDraft) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    row = milestones.midterm_check(principal=principal, challenge=c, draft=body)
    return Status(
        201, MidtermOut(outcome=row.outcome, findings=row.findings, checked_at=row.checked_at)
    )


@router.post(
    "/{challenge_id}/studio-registration",
    response=_errors({201: StudioRegistrationOut}),
    summary="Record that the signed studio registered in the zone (a conversion)",
)
def studio_registration(request: HttpRequest, challenge_id: str, body: StudioRegistrationIn) -> Any:
    principal = Principal.of(request)
    c = access.challenge_for(principal, challenge_id)
    files = [
        uploads.decode_base64_file(d.file_name, d.content_base64, field=f"documents.{i}")
        for i, d in enumerate(body.documents)
    ]
    row = studios.record_registration(
        principal=principal,
        challenge=c,
        draft=StudioRegistrationDraft(registered_on=body.registered_on, note=body.note),
        documents=files,
    )
    conversion = row.conversion
    assert conversion.registered_on is not None
    return Status(
        201,
        StudioRegistrationOut(
            team=row.team.public_id,
            conversion=conversion.public_id,
            business_name=conversion.business_name,
            credit_code=conversion.credit_code,
            registered_on=conversion.registered_on,
        ),
    )


def extension_out(e: MilestoneExtension) -> ExtensionOut:
    return ExtensionOut(
        milestone=e.milestone.public_id,
        previous_due_on=e.previous_due_on,
        due_on=e.due_on,
        reason=e.reason,
        approved=e.approved,
        decision_reason=e.decision_reason,
        milestone_due_on=e.milestone.due_on,
    )


@router.post(
    "/milestones/{milestone_id}/extension",
    response=_errors({201: ExtensionOut}),
    summary="Ask for a later due date, with a reason (the signed team)",
)
def request_extension(request: HttpRequest, milestone_id: str, body: ExtensionDraft) -> Any:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    row = milestones.request_extension(principal=principal, milestone=m, draft=body)
    return Status(201, extension_out(row))


@router.post(
    "/milestones/{milestone_id}/extension/decision",
    response=_errors({200: ExtensionOut}),
    summary="Approve or refuse a later due date, with reasons (the department)",
)
def decide_extension(
    request: HttpRequest, milestone_id: str, body: ExtensionDecisionDraft
) -> ExtensionOut:
    principal = Principal.of(request)
    m = access.milestone_for(principal, milestone_id)
    return extension_out(milestones.decide_extension(principal=principal, milestone=m, draft=body))
