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
from nomadcloud.accounts.access import organisation_for
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.bounties import access, ocds, queries, transitions
from nomadcloud.bounties.forms import (
    ActionForm,
    ApplicationForm,
    ChallengeForm,
    QuestionForm,
    ReportForm,
    ReviewForm,
)
from nomadcloud.bounties.models import Application, Assignment, Challenge
from nomadcloud.bounties.schemas import (
    ActionIn,
    ApplicationDraft,
    ChallengeDraft,
    QuestionDraft,
    RecusalDraft,
    ReportDraft,
    ReviewDraft,
    ScoresDraft,
)
from nomadcloud.bounties.services import applications, challenges, evaluation, milestones
from nomadcloud.core.errors import DomainError
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
    question = QuestionForm(request.POST if which == "question" else None)
    action = ActionForm(request.POST if which == "action" else None)
    report = ReportForm(request.POST if which == "report" else None)
    review = ReviewForm(request.POST if which == "review" else None)
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect("accounts:login")
        done = False
        milestone = None
        if which in ("report", "review"):
            milestone = access.milestone_for(principal, request.POST.get("milestone", ""))
        if which == "question" and question.is_valid():
            done = _submit(
                question,
                lambda: challenges.ask_question(
                    principal=principal,
                    challenge=challenge,
                    draft=parse_draft(QuestionDraft, question.cleaned_data),
                ),
            )
        elif which == "action" and action.is_valid():
            done = _submit(
                action,
                lambda: challenges.act(
                    principal=principal,
                    challenge=challenge,
                    draft=parse_draft(ActionIn, action.cleaned_data),
                ),
            )
        elif which == "report" and report.is_valid() and milestone is not None:
            done = _submit(
                report,
                lambda: milestones.submit(
                    principal=principal,
                    milestone=milestone,
                    draft=parse_draft(ReportDraft, report.cleaned_data),
                ),
            )
        elif which == "review" and review.is_valid() and milestone is not None:
            done = _submit(
                review,
                lambda: milestones.review(
                    principal=principal,
                    milestone=milestone,
                    draft=parse_draft(ReviewDraft, review.cleaned_data),
                ),
            )
        if done:
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
            "milestones": list(challenge.milestones.all()),
            "moves": transitions.moves(challenge, roles),
            "reviewer": bool(roles),
            "in_team": in_team,
            "question": question,
            "action": action,
            "report": report,
            "review": review,
            "may_apply": challenge.status == Challenge.Status.PUBLISHED,
        },
        status=form_status(question, action, report, review),
    )


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
