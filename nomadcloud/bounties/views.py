"""Pages of challenges: the public list and a challenge (Q&A, results once evaluation
closes, milestones, the OCDS trail, and the moves the reader may make), an organisation's
challenges (the issuer's and the department's), drafting, applying, the expert's score
sheets; and the OCDS feed (release and record packages)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import Action as OrgAction
from nomadcloud.accounts.access import is_zone_operator, organisation_for
from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, ocds, queries, transitions
from nomadcloud.bounties.forms import (
    ActionForm,
    ApplicationForm,
    ChallengeForm,
    CosignForm,
    DisputeDecisionForm,
    DisputeForm,
    DisputeResponseForm,
    EligibilityForm,
    ExtensionDecisionForm,
    ExtensionForm,
    MidtermForm,
    QuestionForm,
    ReportForm,
    ReviewForm,
    SelectionForm,
    SignForm,
    TaskBookForm,
)
from nomadcloud.bounties.models import (
    Application,
    Assignment,
    Challenge,
    MilestoneDispute,
    MilestoneExtension,
    SelectionCosign,
)
from nomadcloud.bounties.schemas import (
    ActionIn,
    ApplicationDraft,
    ChallengeDraft,
    CosignDraft,
    DisputeDecisionDraft,
    DisputeDraft,
    DisputeResponseDraft,
    EligibilityDraft,
    ExtensionDecisionDraft,
    ExtensionDraft,
    MidtermDraft,
    QuestionDraft,
    RecusalDraft,
    ReportDraft,
    ReviewDraft,
    ScoresDraft,
    SelectionDraft,
    TaskBookDraft,
)
from nomadcloud.bounties.services import (
    applications,
    challenges,
    evaluation,
    milestones,
    signing,
)
from nomadcloud.bounties.services._common import SUBJECT
from nomadcloud.core import publicity
from nomadcloud.core.errors import Conflict, DomainError, Forbidden
from nomadcloud.core.inputs import parse_draft
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.teams.models import Team


def challenge_list(request: HttpRequest) -> HttpResponse:
    rows = list(queries.public_challenges()[:200])
    return render(request, "bounties/list.html", {"challenges": rows})


def _submit(form: Any, call: Any) -> bool:
    """Run ``call``; a refusal is shown on ``form``."""
    try:
        call()
    except DomainError as exc:
        apply_error(form, exc)
        return False
    return True


@domain_errors
def detail(request: HttpRequest, challenge_id: str) -> HttpResponse:
    principal = Principal.of(request)
    challenge = access.challenge_for(principal, challenge_id)
    roles = access.roles_in(principal, challenge)
    which = request.POST.get("form", "")
    data = request.POST if request.method == "POST" else None
    kinds: dict[str, Any] = {
        "question": QuestionForm,
        "action": ActionForm,
        "report": ReportForm,
        "review": ReviewForm,
        "eligibility": EligibilityForm,
        "selection": SelectionForm,
        "cosign": CosignForm,
        "dispute": DisputeForm,
        "respond": DisputeResponseForm,
        "decide": DisputeDecisionForm,
        "midterm": MidtermForm,
        "extension": ExtensionForm,
        "extension_decision": ExtensionDecisionForm,
    }
    # each form its own ids (several forms share field names on this page)
    forms_: dict[str, Any] = {
        name: cls(data if which == name else None, auto_id=f"{name}_%s")
        for name, cls in kinds.items()
    }
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        form = forms_.get(which)
        if form is not None and form.is_valid():
            call = _detail_call(principal, challenge, which, form.cleaned_data, form)
            if _submit(form, call):
                messages.success(request, _("Done."))
                return redirect("bounties:detail", challenge_id=challenge.public_id)
    reveal = challenge.results_visible or transitions.DEPARTMENT in roles
    apps = list(queries.applications_of(challenge)) if (reveal or roles) else []
    user = principal.user
    in_team = bool(
        user
        and challenge.applications.filter(
            status=Application.Status.SIGNED, team__members__user=user
        ).exists()
    )
    return render(
        request,
        "bounties/detail.html",
        {
            "challenge": challenge,
            "ocid": ocds.ocid(challenge),
            "phases": list(challenge.phases.all()),
            "clarifications": list(challenge.clarifications.all()),
            "applications": apps,
            "reveal": reveal,
            "milestones": list(challenge.milestones.select_related("payout")),
            "moves": transitions.moves(challenge, roles),
            "reviewer": bool(roles),
            "department": transitions.DEPARTMENT in roles,
            "issuer": transitions.ISSUER in roles,
            "in_team": in_team,
            "disputes": {
                d.milestone_id: d
                for d in MilestoneDispute.objects.filter(milestone__challenge=challenge)
            },
            "midterm_checks": list(challenge.midterm_checks.all()),
            "extensions": {
                e.milestone_id: e
                for e in MilestoneExtension.objects.filter(
                    milestone__challenge=challenge, approved__isnull=True
                )
            },
            "notice": publicity.notice_for(SUBJECT, str(challenge.public_id)),
            "has_task_book": challenge.task_books.exists(),
            "cosignature": SelectionCosign.objects.filter(application__challenge=challenge)
            .select_related("signed_by", "organisation")
            .first(),
            **forms_,
            "may_apply": challenge.status == Challenge.Status.PUBLISHED,
        },
        status=form_status(*forms_.values()),
    )


def _detail_call(
    principal: Principal, challenge: Challenge, which: str, d: dict[str, Any], form: Any
) -> Any:
    """The use case a form of the challenge's page asks for."""
    if which == "question":
        return lambda: challenges.ask_question(
            principal=principal, challenge=challenge, draft=parse_draft(QuestionDraft, d)
        )
    if which == "action":
        return lambda: challenges.act(
            principal=principal, challenge=challenge, draft=parse_draft(ActionIn, d)
        )
    if which == "eligibility":
        return lambda: applications.review(
            principal=principal,
            application=access.application_for(principal, d["application"]),
            draft=parse_draft(EligibilityDraft, {"eligible": d["eligible"], "reason": d["reason"]}),
        )
    if which == "selection":
        chosen = [d["application"]] if d["application"] else []
        return lambda: signing.select(
            principal=principal,
            challenge=challenge,
            draft=parse_draft(SelectionDraft, {"applications": chosen, "reason": d["reason"]}),
        )
    if which == "cosign":
        return lambda: signing.cosign_selection(
            principal=principal, challenge=challenge, draft=parse_draft(CosignDraft, d)
        )
    if which == "midterm":
        return lambda: milestones.midterm_check(
            principal=principal, challenge=challenge, draft=parse_draft(MidtermDraft, d)
        )

    def on_milestone() -> None:
        milestone = access.milestone_for(principal, form.data.get("milestone", ""))
        if milestone.challenge_id != challenge.pk:
            raise Conflict(_("No such milestone."), code="not_found")
        if which == "report":
            milestones.submit(
                principal=principal, milestone=milestone, draft=parse_draft(ReportDraft, d)
            )
        elif which == "review":
            milestones.review(
                principal=principal,
                milestone=milestone,
                draft=parse_draft(ReviewDraft, form.draft_data()),
            )
        elif which == "dispute":
            milestones.raise_dispute(
                principal=principal, milestone=milestone, draft=parse_draft(DisputeDraft, d)
            )
        elif which == "respond":
            milestones.respond_dispute(
                principal=principal,
                milestone=milestone,
                draft=parse_draft(DisputeResponseDraft, d),
            )
        elif which == "extension":
            milestones.request_extension(
                principal=principal, milestone=milestone, draft=parse_draft(ExtensionDraft, d)
            )
        elif which == "extension_decision":
            milestones.decide_extension(
                principal=principal,
                milestone=milestone,
                draft=parse_draft(ExtensionDecisionDraft, d),
            )
        elif which == "decide":
            milestones.decide_dispute(
                principal=principal,
                milestone=milestone,
                draft=parse_draft(DisputeDecisionDraft, d),
            )

    return on_milestone


@login_required
@domain_errors
def task_book(request: HttpRequest, challenge_id: str) -> HttpResponse:
    """The task book (任务书): the latest version with its changes from the one before, the
    signatures, a form to propose a revision and, for the lead and the department, signing
    after an explicit confirmation of the version read."""
    principal = Principal.of(request)
    challenge = access.challenge_for(principal, challenge_id)
    books = list(challenge.task_books.select_related("application__team"))
    if not books:
        raise Conflict(_("This challenge has no task book yet."), code="no_task_book")
    latest = books[-1]
    app = latest.application
    user = principal.user
    roles = access.roles_in(principal, challenge)
    is_lead = user is not None and app.team.lead_id == user.pk
    in_team = user is not None and app.team.members.filter(user=user).exists()
    if not (is_lead or in_team or roles or is_zone_operator(principal)):
        raise Forbidden(_("Only the team, the issuer and the department see the task book."))
    which = request.POST.get("form", "")
    sign = SignForm(request.POST if which == "sign" else None, initial={"version": latest.version})
    initial = "\n".join(
        " | ".join([m["title"], str(m["amount"]), str(m["due_on"]), m.get("criteria", "")])
        for m in latest.milestones
    )
    revise = TaskBookForm(
        request.POST if which == "revise" else None, initial={"milestones": initial}
    )
    if request.method == "POST":
        if which == "sign" and sign.is_valid():
            version = sign.cleaned_data["version"]
            if _submit(
                sign,
                lambda: signing.sign_task_book(
                    principal=principal, challenge=challenge, version=version
                ),
            ):
                messages.success(request, _("You signed version %(v)d.") % {"v": version})
                return redirect("bounties:task_book", challenge_id=challenge.public_id)
        elif which == "revise" and revise.is_valid():
            draft = revise.draft_data()
            if _submit(
                revise,
                lambda: signing.revise_task_book(
                    principal=principal,
                    challenge=challenge,
                    draft=parse_draft(TaskBookDraft, draft),
                ),
            ):
                messages.success(request, _("A new version of the task book is proposed."))
                return redirect("bounties:task_book", challenge_id=challenge.public_id)
    signing_now = challenge.status == Challenge.Status.SIGNING
    may_sign = signing_now and (
        (is_lead and latest.lead_signed_at is None)
        or (transitions.DEPARTMENT in roles and latest.department_signed_at is None)
    )
    return render(
        request,
        "bounties/task_book.html",
        {
            "challenge": challenge,
            "application": app,
            "book": latest,
            "books": books,
            "sign": sign,
            "revise": revise,
            "may_sign": may_sign,
            "may_revise": signing_now and (is_lead or bool(roles)),
        },
        status=form_status(sign, revise),
    )


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The one-card catalogue's deep link for an enterprise's need list (揭榜挂帅榜单): the
    challenge list of the first enterprise or department the person belongs to, where the
    enterprise drafts and submits a challenge; the public list for anyone else."""
    membership = (
        Membership.objects.filter(
            user=Principal.of(request).user,
            organisation__kind__in=(Organisation.Kind.ENTERPRISE, Organisation.Kind.DEPARTMENT),
        )
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    if membership is None:
        return redirect("bounties:list")
    return redirect("bounties:organisation", org_id=membership.organisation.public_id)


@login_required
@domain_errors
def organisation(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = Principal.of(request)
    org = organisation_for(principal, org_id, OrgAction.VIEW)
    if org.kind == Organisation.Kind.DEPARTMENT:
        rows = list(
            Challenge.objects.filter(department=org).select_related("issuer").order_by("-pk")[:200]
        )
    else:
        rows = list(queries.challenges_of(org)[:200])
    return render(
        request,
        "bounties/organisation.html",
        {
            "organisation": org,
            "challenges": rows,
            "issuer": org.kind == Organisation.Kind.ENTERPRISE,
        },
    )


@login_required
@domain_errors
def create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = Principal.of(request)
    org = organisation_for(principal, org_id, OrgAction.VIEW)
    form = ChallengeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            draft = parse_draft(ChallengeDraft, form.draft_data())
            challenge = challenges.create_challenge(principal=principal, issuer=org, draft=draft)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The challenge has been drafted."))
            return redirect("bounties:detail", challenge_id=challenge.public_id)
    return render(
        request,
        "bounties/create.html",
        {"organisation": org, "form": form},
        status=form_status(form),
    )


@login_required
@domain_errors
def apply(request: HttpRequest, challenge_id: str) -> HttpResponse:
    principal = Principal.of(request)
    challenge = access.challenge_for(principal, challenge_id)
    led = list(Team.objects.filter(lead=principal.user).order_by("name"))
    form = ApplicationForm(request.POST or None, teams=[(str(t.public_id), t.name) for t in led])
    explained = [(t, applications.explain_eligibility(challenge, t)) for t in led]
    if request.method == "POST" and form.is_valid():
        try:
            draft = parse_draft(ApplicationDraft, form.draft_data())
            applications.apply(principal=principal, challenge=challenge, draft=draft)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Your application has been submitted."))
            return redirect("bounties:detail", challenge_id=challenge.public_id)
    return render(
        request,
        "bounties/apply.html",
        {"challenge": challenge, "form": form, "explained": explained},
        status=form_status(form),
    )


@login_required
@domain_errors
def expert(request: HttpRequest) -> HttpResponse:
    """The expert's score sheets: one form per open assignment (a number per criterion), or
    a declared conflict of interest."""
    principal = Principal.of(request)
    user = principal.user
    assert user is not None
    error = ""
    if request.method == "POST":
        row = access.assignment_for(principal, request.POST.get("assignment", ""))
        try:
            if request.POST.get("form") == "recuse":
                evaluation.recuse(
                    principal=principal,
                    assignment=row,
                    draft=parse_draft(RecusalDraft, {"conflict": request.POST.get("conflict", "")}),
                )
            else:
                rubric = row.application.challenge.rubric
                scores = {c["code"]: request.POST.get(f"score_{c['code']}", "") for c in rubric}
                evaluation.submit_scores(
                    principal=principal,
                    assignment=row,
                    draft=parse_draft(
                        ScoresDraft,
                        {"scores": scores, "comment": request.POST.get("comment", "")},
                    ),
                )
        except DomainError as exc:
            error = (
                exc.message + " " + " ".join(f"{k}: {' '.join(v)}" for k, v in exc.fields.items())
            )
        else:
            messages.success(request, _("Recorded."))
            return redirect("bounties:expert")
    rows = list(queries.assignments_of(user)[:200])
    return render(
        request,
        "bounties/expert.html",
        {"assignments": rows, "error": error, "open": Assignment.Status.ASSIGNED},
        status=422 if error else 200,
    )


def _base(request: HttpRequest) -> str:
    return f"{request.scheme}://{request.get_host()}"


def ocds_releases(request: HttpRequest) -> HttpResponse:
    """The OCDS 1.1 release package of every public step of every challenge."""
    return JsonResponse(
        ocds.release_package(_base(request)), json_dumps_params={"ensure_ascii": False}
    )


def ocds_records(request: HttpRequest) -> HttpResponse:
    """The OCDS 1.1 record package: one record per challenge, with its compiled release."""
    return JsonResponse(
        ocds.record_package(_base(request)), json_dumps_params={"ensure_ascii": False}
    )
