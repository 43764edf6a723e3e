"""Pages of teams: your teams and invitations with the form to create one; a team with the
lead's invitation form and the invitee's answer."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.teams import access, queries, services, transitions
from nomadcloud.teams.forms import AnswerForm, InvitationForm, TeamForm
from nomadcloud.teams.models import TeamMember
from nomadcloud.teams.schemas import AnswerDraft, InvitationDraft, TeamDraft


@login_required
@domain_errors
def mine(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    form = TeamForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, TeamDraft)
        if draft is not None:
            try:
                team = services.create_team(principal=principal, draft=draft)
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The team has been created."))
                return redirect("teams:detail", team_id=team.public_id)
    user = principal.user
    assert user is not None
    return render(
        request,
        "teams/mine.html",
        {
            "teams": list(queries.teams_of(user)[:200]),
            "invitations": list(queries.invitations_for(user)),
            "form": form,
        },
        status=form_status(form),
    )


@login_required
@domain_errors
def detail(request: HttpRequest, team_id: str) -> HttpResponse:
    principal = Principal.of(request)
    team = access.team_for(principal, team_id)
    user = principal.user
    assert user is not None
    invite = InvitationForm(request.POST if request.POST.get("form") == "invite" else None)
    answer = AnswerForm(request.POST if request.POST.get("form") == "answer" else None)
    if request.method == "POST":
        form = invite if invite.is_bound else answer
        if form.is_valid():
            try:
                if form is invite:
                    draft = draft_from_form(invite, InvitationDraft)
                    if draft is not None:
                        services.invite_member(principal=principal, team=team, draft=draft)
                        messages.success(request, _("The invitation has been sent."))
                        return redirect("teams:detail", team_id=team.public_id)
                else:
                    reply = draft_from_form(answer, AnswerDraft)
                    if reply is not None:
                        services.answer_invitation(principal=principal, team=team, draft=reply)
                        messages.success(request, _("Your answer has been recorded."))
                        return redirect("teams:mine")
            except DomainError as exc:
                apply_error(form, exc)
    mine = TeamMember.objects.filter(team=team, user=user).first()
    roles = {transitions.INVITEE} if mine else set()
    return render(
        request,
        "teams/detail.html",
        {
            "team": team,
            "members": list(team.members.filter(status__in=queries.LIVE).select_related("user")),
            "is_lead": team.lead_id == user.pk,
            "moves": transitions.moves(mine, roles) if mine else [],
            "invite": invite,
            "answer": answer,
        },
        status=max(form_status(invite), form_status(answer)),
    )
