"""The competition pages: the public list and each competition's page (tracks, rounds with
their windows and limits, leaderboards), entering and submitting with the submissions left
always shown, selecting final submissions, and the organiser's pages to create a competition,
add its tracks and rounds and publish it."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from nomadcloud.accounts.models import Membership
from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions import access, queries, results, results_views, services, transitions
from nomadcloud.competitions.forms import (
    AppealForm,
    CompetitionForm,
    EntryForm,
    FinalForm,
    MoveForm,
    RoundForm,
    SubmissionForm,
    TrackForm,
)
from nomadcloud.competitions.models import Competition, Judge, Round
from nomadcloud.competitions.schemas import (
    CompetitionDraft,
    CompetitionEntryDraft,
    CompetitionRoundDraft,
    CompetitionSubmissionDraft,
    CompetitionTrackDraft,
)
from nomadcloud.core.errors import DomainError, Forbidden, InvalidInput
from nomadcloud.core.i18n import localized_text
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.teams.models import Team

MOVE_LABELS = {
    "publish": gettext_lazy("Publish"),
    "close": gettext_lazy("Close the competition"),
    "cancel": gettext_lazy("Cancel the competition"),
}


def _managed_organisations(request: HttpRequest) -> list[tuple[str, str]]:
    if not request.user.is_authenticated:
        return []
    memberships = Membership.objects.filter(
        user_id=request.user.pk, role__in=access.MANAGER_ROLES
    ).select_related("organisation")
    return [(str(m.organisation.public_id), str(m.organisation)) for m in memberships]


@domain_errors
def index(request: HttpRequest) -> HttpResponse:
    principal = Principal.of(request)
    items = list(queries.competitions_for(principal)[:100])
    return render(
        request,
        "competitions/index.html",
        {
            "competitions": items,
            "entries": list(queries.entries_of(principal)[:50]) if principal.user else [],
            "may_organise": bool(principal.user and _managed_organisations(request)),
        },
    )


def _round_rows(item: Competition, entry: Any, now: Any) -> list[dict[str, Any]]:
    rows = []
    submissions = list(entry.submissions.select_related("round").order_by("-id")) if entry else []
    for r in item.rounds.all():
        is_open = r.opens_at <= now < r.closes_at
        rows.append(
            {
                "round": r,
                "open": is_open,
                "closed": now >= r.closes_at,
                "left": services.remaining(entry, r, now=now) if entry else None,
                "form": SubmissionForm(initial={"round": r.number}, auto_id=f"r{r.number}_%s")
                if entry and is_open and item.status == Competition.Status.PUBLISHED
                else None,
                "mine": [s for s in submissions if s.round_id == r.pk],
                "public": queries.leaderboard(r, "public")
                if r.scoring == Round.Scoring.METRIC
                else [],
                "private": queries.leaderboard(r, "private")
                if r.scoring == Round.Scoring.METRIC and now >= r.closes_at
                else [],
            }
        )
    return rows


@domain_errors
def detail(request: HttpRequest, competition_id: str, entry_form: Any = None) -> HttpResponse:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id)
    now = timezone.now()
    entry = queries.my_entry(principal, item)
    entry_open = (
        item.status == Competition.Status.PUBLISHED
        and item.entry_opens_at <= now < item.entry_closes_at
    )
    if entry_form is None and entry is None and entry_open and principal.user:
        entry_form = EntryForm(tracks=_tracks(item), teams=_teams(request))
    return render(
        request,
        "competitions/detail.html",
        {
            "competition": item,
            "tracks": list(item.tracks.all()),
            "rounds": _round_rows(item, entry, now),
            "entry": entry,
            "entry_open": entry_open,
            "entry_form": entry_form,
            "may_manage": access.may_manage(principal, item.organiser),
            "is_judge": bool(
                principal.user
                and Judge.objects.filter(round__competition=item, user=principal.user).exists()
            ),
            "appeal_rounds": _appeal_rounds(item, entry, now),
            "winners": item.status in (Competition.Status.PUBLICITY, Competition.Status.AWARDED),
        },
        status=form_status(entry_form) if entry_form is not None else 200,
    )


def _teams(request: HttpRequest) -> list[tuple[str, str]]:
    """The teams the signed-in person leads (a team enters through its lead)."""
    if not request.user.is_authenticated:
        return []
    return [
        (str(t.public_id), t.name)
        for t in Team.objects.filter(lead_id=request.user.pk).order_by("name")[:50]
    ]


def _appeal_rounds(item: Competition, entry: Any, now: Any) -> list[dict[str, Any]]:
    """The rounds whose results the entrant may appeal now, each with its form."""
    if entry is None:
        return []
    rows = []
    for r in item.rounds.all():
        deadline = results.appeal_deadline(r)
        published = r.scoring_closed_at is not None or (
            r.scoring == Round.Scoring.METRIC and now >= r.closes_at
        )
        if published and deadline is not None and now < deadline:
            rows.append(
                {
                    "round": r,
                    "deadline": deadline,
                    "form": AppealForm(initial={"round": r.number}, auto_id=f"a{r.number}_%s"),
                    "board": results.jury_board(r),
                }
            )
    return rows


def _tracks(item: Competition) -> list[tuple[str, str]]:
    return [(t.code, localized_text(t.title)) for t in item.tracks.all()]


@login_required
@domain_errors
def create(request: HttpRequest) -> HttpResponse:
    organisations = _managed_organisations(request)
    if not organisations:
        raise Forbidden(
            _("Only an organisation's owners and administrators can organise a competition."),
            code="organiser_only",
        )
    form = CompetitionForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        draft = draft_from_form(form, CompetitionDraft)
        if draft is not None:
            principal = Principal.of(request)
            try:
                organiser, user = access.organiser_for(principal, draft.organisation)
                item = services.create_competition(organiser=organiser, actor=user, draft=draft)
            except InvalidInput as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The competition is saved as a draft."))
                return redirect("competitions:manage", competition_id=item.public_id)
    return render(request, "competitions/create.html", {"form": form}, status=form_status(form))


@login_required
@domain_errors
def manage(
    request: HttpRequest,
    competition_id: str,
    track_form: TrackForm | None = None,
    round_form: RoundForm | None = None,
) -> HttpResponse:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    draft = item.status == Competition.Status.DRAFT
    moves = transitions.moves(item.status)
    return render(
        request,
        "competitions/manage.html",
        {
            "competition": item,
            "tracks": list(item.tracks.all()),
            "rounds": list(item.rounds.all()),
            "entries": list(item.entries.select_related("track", "person").order_by("id")[:500]),
            "track_form": (track_form or TrackForm()) if draft else None,
            "round_form": (round_form or RoundForm()) if draft else None,
            "move_labels": [(m, MOVE_LABELS[m]) for m in moves],
            **results_views.manage_context(item),
        },
        status=form_status(*(f for f in (track_form, round_form) if f is not None)),
    )


@login_required
@require_POST
@domain_errors
def add_track(request: HttpRequest, competition_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    form = TrackForm(request.POST)
    draft = draft_from_form(form, CompetitionTrackDraft) if form.is_valid() else None
    if draft is not None:
        try:
            services.add_track(item, actor=user, draft=draft)
        except InvalidInput as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Track added."))
            return redirect("competitions:manage", competition_id=item.public_id)
    return manage(request, competition_id, track_form=form)


@login_required
@require_POST
@domain_errors
def add_round(request: HttpRequest, competition_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    form = RoundForm(request.POST)
    draft = draft_from_form(form, CompetitionRoundDraft) if form.is_valid() else None
    if draft is not None:
        try:
            services.add_round(item, actor=user, draft=draft)
        except InvalidInput as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Round added."))
            return redirect("competitions:manage", competition_id=item.public_id)
    return manage(request, competition_id, round_form=form)


@login_required
@require_POST
@domain_errors
def move(request: HttpRequest, competition_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    form = MoveForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Choose what to do."))
    moved = services.move(item, actor=user, action=form.cleaned_data["action"])
    messages.success(
        request,
        _("The competition is now “%(state)s”.")
        % {"state": Competition.Status(moved.status).label},
    )
    return redirect("competitions:manage", competition_id=moved.public_id)


@login_required
@require_POST
@domain_errors
def enter(request: HttpRequest, competition_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id)
    user = access.signed_in_person(principal)
    form = EntryForm(request.POST, tracks=_tracks(item), teams=_teams(request))
    draft = draft_from_form(form, CompetitionEntryDraft) if form.is_valid() else None
    if draft is not None:
        try:
            services.enter(item, actor=user, draft=draft)
        except InvalidInput as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("You have entered the competition."))  # also a team
            return redirect("competitions:detail", competition_id=item.public_id)
    return detail(request, competition_id, entry_form=form)


@login_required
@require_POST
@domain_errors
def submit(request: HttpRequest, entry_id: str) -> HttpResponse:
    principal = Principal.of(request)
    entry = access.entry_for(principal, entry_id, own=True)
    user = access.require_entrant(principal, entry)
    form = SubmissionForm(request.POST)
    draft = draft_from_form(form, CompetitionSubmissionDraft) if form.is_valid() else None
    if draft is None:
        errors = [str(e) for errs in form.errors.values() for e in errs]
        raise InvalidInput(" ".join(errors) or _("Give your submission."))
    try:
        item = services.submit(entry, actor=user, draft=draft)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        if item.public_score is not None:
            messages.success(
                request,
                _("Submission %(n)d stored; public score %(score)s.")
                % {"n": item.number, "score": item.public_score},
            )
        else:
            messages.success(request, _("Submission %(n)d stored.") % {"n": item.number})
    return redirect("competitions:detail", competition_id=entry.competition.public_id)


@login_required
@require_POST
@domain_errors
def final(request: HttpRequest, submission_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.submission_for(principal, submission_id)
    user = access.require_entrant(principal, item.entry)
    form = FinalForm(request.POST)
    chosen = bool(form.is_valid() and form.cleaned_data["final"])
    services.choose_final(item, actor=user, final=chosen)
    messages.success(
        request,
        _("Selected as final.") if chosen else _("No longer selected as final."),
    )
    return redirect("competitions:detail", competition_id=item.entry.competition.public_id)
