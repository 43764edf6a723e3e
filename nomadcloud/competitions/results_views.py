"""The pages of competition results (decision 0035): the organiser's rubric, jury, scoring,
appeals, winners and introductions; the jury member's score sheets; the entrant's appeal; the
public winners' page; an enterprise's answer to an introduction.

A refusal of a use case is shown as a message on the page the form was posted from
(``domain_errors``); nothing is changed by a refused form."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import is_zone_operator, parse_public_id
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions import access, landing, matchmaking, results, services
from nomadcloud.competitions.forms import (
    AppealDecisionForm,
    AppealForm,
    CriterionForm,
    IntroductionForm,
    JudgeForm,
    OutcomeForm,
    ParkForm,
    RecusalForm,
)
from nomadcloud.competitions.models import (
    Appeal,
    Award,
    Competition,
    Entry,
    FollowUp,
    Introduction,
    Judge,
    Park,
    Round,
    Score,
)
from nomadcloud.competitions.schemas import (
    CompetitionAppealDecision,
    CompetitionAppealDraft,
    CompetitionAwardLine,
    CompetitionCriterionDraft,
    CompetitionIntroductionDraft,
    CompetitionJudgeDraft,
    CompetitionOutcomeDraft,
    CompetitionRecusalDraft,
    CompetitionScoreSheetDraft,
    CompetitionWinnersDraft,
    ParkDraft,
)
from nomadcloud.core import publicity
from nomadcloud.core.errors import InvalidInput, NotFound
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.payouts.models import Budget, Payout

S = Competition.Status


def _errors(form: Any) -> InvalidInput:
    errors = [str(e) for errs in form.errors.values() for e in errs]
    return InvalidInput(" ".join(errors) or _("Check the form."))


def _valid(form: Any, draft: Any, **extra: Any) -> Any:
    if not form.is_valid():
        raise _errors(form)
    value = draft_from_form(form, draft, **extra)
    if value is None:
        raise _errors(form)
    return value


def _back(item: Competition) -> HttpResponse:
    return redirect("competitions:manage", competition_id=item.public_id)


def _managed(request: HttpRequest, competition_id: str) -> tuple[Competition, Any]:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    return item, access.require_manager(principal, item.organiser)


# --- the organiser's part of the manage page ------------------------------------------------


def manage_context(item: Competition) -> dict[str, Any]:
    """What the manage page shows of the results (added to its context)."""
    now = timezone.now()
    rounds = []
    for r in item.rounds.prefetch_related("criteria", "judges__user"):
        jury = r.scoring == Round.Scoring.JURY
        rounds.append(
            {
                "round": r,
                "criteria": list(r.criteria.all()) if jury else [],
                "judges": list(r.judges.all()) if jury else [],
                "may_close": jury and r.scoring_closed_at is None and now >= r.closes_at,
                "missing": len(results.missing_sheets(r))
                if jury and r.scoring_closed_at is None and now >= r.closes_at
                else 0,
                "board": results.jury_board(r) if jury else [],
            }
        )
    budgets = list(Budget.objects.filter(owner=item.organiser).order_by("-year", "programme_code"))
    awards = list(item.awards.select_related("entry", "entry__team", "entry__person"))
    enterprises = [
        (str(o.public_id), str(o))
        for o in Organisation.objects.filter(
            kind=Organisation.Kind.ENTERPRISE,
            verification_status=Organisation.Verification.VERIFIED,
        )
        .exclude(pk=item.organiser_id)
        .order_by("name_en")[:200]
    ]
    intros = list(
        Introduction.objects.filter(award__competition=item)
        .select_related("organisation", "award__entry")
        .prefetch_related("follow_ups")
    )
    return {
        "draft": item.status == S.DRAFT,
        "criterion_form": CriterionForm(),
        "judge_form": JudgeForm(initial={"round": 1}),
        "result_rounds": rounds,
        "appeals": list(
            Appeal.objects.filter(round__competition=item).select_related("entry", "round")
        ),
        "decision_form": AppealDecisionForm(),
        "may_announce": item.status == S.CLOSED,
        "candidates": list(
            item.entries.filter(status=Entry.Status.REGISTERED).select_related("team", "person")
        ),
        "budgets": budgets,
        "awards": awards,
        "may_award": item.status == S.PUBLICITY,
        "notice": publicity.notice_for(results.SUBJECT, str(item.public_id)),
        "introduction_form": IntroductionForm(organisations=enterprises)
        if item.status == S.AWARDED and enterprises
        else None,
        "introductions": intros,
        "outcome_form": OutcomeForm(),
    }


@login_required
@require_POST
@domain_errors
def add_criterion(request: HttpRequest, competition_id: str) -> HttpResponse:
    item, user = _managed(request, competition_id)
    draft = _valid(CriterionForm(request.POST), CompetitionCriterionDraft)
    results.add_criterion(item, actor=user, draft=draft)
    messages.success(request, _("Criterion added to the rubric."))
    return _back(item)


@login_required
@require_POST
@domain_errors
def assign_judge(request: HttpRequest, competition_id: str) -> HttpResponse:
    item, user = _managed(request, competition_id)
    draft = _valid(JudgeForm(request.POST), CompetitionJudgeDraft)
    results.assign_judge(item, actor=user, draft=draft)
    messages.success(request, _("Jury member assigned."))
    return _back(item)


@login_required
@require_POST
@domain_errors
def close_scoring(request: HttpRequest, competition_id: str, number: int) -> HttpResponse:
    item, user = _managed(request, competition_id)
    round_ = item.rounds.filter(number=number).first()
    if round_ is None:
        raise NotFound(_("This competition has no such round."))
    results.close_scoring(round_, actor=user)
    messages.success(request, _("The jury's scoring is closed and the results are shown."))
    return _back(item)


@login_required
@require_POST
@domain_errors
def decide_appeal(request: HttpRequest, appeal_id: str) -> HttpResponse:
    pk = parse_public_id(appeal_id, message=_("No such appeal."))
    appeal = Appeal.objects.select_related("round__competition").filter(public_id=pk).first()
    if appeal is None:
        raise NotFound(_("No such appeal."))
    item, user = _managed(request, str(appeal.round.competition.public_id))
    draft = _valid(AppealDecisionForm(request.POST), CompetitionAppealDecision)
    results.decide_appeal(appeal, actor=user, draft=draft)
    messages.success(request, _("The appeal is decided."))
    return _back(item)


@login_required
@require_POST
@domain_errors
def announce(request: HttpRequest, competition_id: str) -> HttpResponse:
    """The winners: each candidate's rank and prize fields (``rank-<entry>``, ``prize-<entry>``);
    entries without a rank do not win."""
    item, user = _managed(request, competition_id)
    lines = []
    for entry in item.entries.filter(status=Entry.Status.REGISTERED):
        rank = request.POST.get(f"rank-{entry.public_id}", "").strip()
        if not rank:
            continue
        try:
            prize = Decimal(request.POST.get(f"prize-{entry.public_id}", "0").strip() or "0")
            line = CompetitionAwardLine(entry=entry.public_id, rank=int(rank), prize=prize)
        except (ValueError, InvalidOperation) as exc:
            raise InvalidInput(
                _("Give each winner a rank (1, 2, 3 …) and a prize in yuan.")
            ) from exc
        lines.append(line)
    if not lines:
        raise InvalidInput(_("Give at least one winner a rank."))
    try:
        draft = CompetitionWinnersDraft(budget=request.POST.get("budget", ""), awards=lines)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InvalidInput(_("Choose one of the organiser's budgets.")) from exc
    results.announce_winners(item, actor=user, draft=draft)
    messages.success(request, _("The winners are announced in a public notice (公示)."))
    return _back(item)


@login_required
@require_POST
@domain_errors
def award(request: HttpRequest, competition_id: str) -> HttpResponse:
    item, user = _managed(request, competition_id)
    results.award(item, actor=user)
    messages.success(request, _("The awards are final; the prizes are approved for payment."))
    return _back(item)


@login_required
@require_POST
@domain_errors
def offer(request: HttpRequest, award_id: str) -> HttpResponse:
    pk = parse_public_id(award_id, message=_("No such award."))
    found = Award.objects.select_related("competition").filter(public_id=pk).first()
    if found is None:
        raise NotFound(_("No such award."))
    item, user = _managed(request, str(found.competition.public_id))
    choices = [(request.POST.get("organisation", ""), "")]
    draft = _valid(
        IntroductionForm(request.POST, organisations=choices), CompetitionIntroductionDraft
    )
    matchmaking.offer(found, actor=user, draft=draft)
    messages.success(request, _("The project is introduced; the enterprise is asked to accept."))
    return _back(item)


@login_required
@require_POST
@domain_errors
def record_outcome(request: HttpRequest, follow_up_id: int) -> HttpResponse:
    follow_up = (
        FollowUp.objects.select_related("introduction__award__competition")
        .filter(pk=follow_up_id)
        .first()
    )
    if follow_up is None:
        raise NotFound(_("No such follow-up."))
    item, user = _managed(request, str(follow_up.introduction.award.competition.public_id))
    draft = _valid(OutcomeForm(request.POST), CompetitionOutcomeDraft)
    matchmaking.record_outcome(follow_up, actor=user, draft=draft)
    messages.success(request, _("The outcome is recorded."))
    return _back(item)


# --- jury members ---------------------------------------------------------------------------


def _judge(request: HttpRequest, competition_id: str) -> tuple[Competition, Judge]:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id)
    return item, access.judge_for(principal, item)


@login_required
@domain_errors
def jury(request: HttpRequest, competition_id: str) -> HttpResponse:
    item, judge = _judge(request, competition_id)
    round_ = judge.round
    criteria = list(round_.criteria.all())
    now = timezone.now()
    rows = []
    for entry in results.scorable_entries(round_):
        mine = {s.criterion_id: s.points for s in Score.objects.filter(judge=judge, entry=entry)}
        rows.append(
            {
                "entry": entry,
                "submission": entry.submissions.filter(round=round_).order_by("-number").first(),
                "excluded": results.excluded(judge, entry),
                "points": [(c, mine.get(c.pk)) for c in criteria],
                "scored": len(mine) == len(criteria),
            }
        )
    return render(
        request,
        "competitions/jury.html",
        {
            "competition": item,
            "round": round_,
            "criteria": criteria,
            "rows": rows,
            "open": now >= round_.closes_at and round_.scoring_closed_at is None,
            "board": results.jury_board(round_),
        },
    )


@login_required
@require_POST
@domain_errors
def score(request: HttpRequest, competition_id: str) -> HttpResponse:
    item, judge = _judge(request, competition_id)
    points: dict[str, int] = {}
    for c in judge.round.criteria.all():
        raw = request.POST.get(f"points-{c.code}", "").strip()
        if not raw.isdigit():
            raise InvalidInput(
                _("Give 0 to %(max)d points for “%(criterion)s”.")
                % {"max": c.max_points, "criterion": c}
            )
        points[c.code] = int(raw)
    draft = CompetitionScoreSheetDraft(entry=request.POST.get("entry", ""), points=points)  # type: ignore[arg-type]
    results.score_entry(judge, draft=draft)
    messages.success(request, _("Score sheet saved."))
    return redirect("competitions:jury", competition_id=item.public_id)


@login_required
@require_POST
@domain_errors
def recuse(request: HttpRequest, competition_id: str) -> HttpResponse:
    item, judge = _judge(request, competition_id)
    draft = _valid(RecusalForm(request.POST), CompetitionRecusalDraft)
    results.declare_conflict(judge, draft=draft)
    messages.success(request, _("Your conflict of interest is recorded; you do not score it."))
    return redirect("competitions:jury", competition_id=item.public_id)


# --- entrants -------------------------------------------------------------------------------


@login_required
@require_POST
@domain_errors
def appeal(request: HttpRequest, entry_id: str) -> HttpResponse:
    principal = Principal.of(request)
    entry = access.entry_for(principal, entry_id, own=True)
    user = access.require_entrant(principal, entry)
    draft = _valid(AppealForm(request.POST), CompetitionAppealDraft)
    results.file_appeal(entry, actor=user, draft=draft)
    messages.success(request, _("Your appeal is filed; the organiser decides it with a reason."))
    return redirect("competitions:detail", competition_id=entry.competition.public_id)


# --- the public winners' page ---------------------------------------------------------------


@domain_errors
def winners(request: HttpRequest, competition_id: str) -> HttpResponse:
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id)
    if item.status not in (S.PUBLICITY, S.AWARDED):
        raise NotFound(_("The winners of this competition are not announced."))
    awards = list(
        item.awards.select_related("entry", "entry__team", "entry__person", "entry__track")
    )
    payouts = {
        p.public_id: p
        for p in Payout.objects.filter(public_id__in=[a.payout_id for a in awards if a.payout_id])
    }
    final = item.status == S.AWARDED
    manager = final and access.may_manage(principal, item.organiser)
    rows = [
        {
            "award": a,
            "payout": payouts.get(a.payout_id) if a.payout_id else None,
            "may_land": final and (manager or access.is_entrant(principal.user, a.entry)),
        }
        for a in awards
    ]
    return render(
        request,
        "competitions/winners.html",
        {
            "competition": item,
            "rows": rows,
            "notice": publicity.notice_for(results.SUBJECT, str(item.public_id)),
        },
    )


# --- enterprises answering introductions ----------------------------------------------------


def _answerable(request: HttpRequest) -> Any:
    principal = Principal.of(request)
    intros = Introduction.objects.select_related(
        "award__entry", "award__competition", "organisation"
    ).order_by("-id")
    if is_zone_operator(principal):
        return intros
    return intros.filter(
        organisation__memberships__user=principal.user,
        organisation__memberships__role__in=access.MANAGER_ROLES,
    )


@login_required
@domain_errors
def introductions(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "competitions/introductions.html",
        {"introductions": list(_answerable(request)[:200])},
    )


@login_required
@require_POST
@domain_errors
def answer(request: HttpRequest, introduction_id: str) -> HttpResponse:
    principal = Principal.of(request)
    pk = parse_public_id(introduction_id, message=_("No such introduction."))
    intro = _answerable(request).filter(public_id=pk).first()
    if intro is None:
        raise NotFound(_("No such introduction."))
    user = access.require_manager(principal, intro.organisation)
    matchmaking.answer(intro, actor=user, accept=request.POST.get("accept") == "1")
    messages.success(request, _("Your answer is recorded."))
    return redirect("competitions:introductions")


# --- where a winning project may land ---------------------------------------------------------


@login_required
@domain_errors
def landings(request: HttpRequest, award_id: str) -> HttpResponse:
    """The matched demands and parks of a final award, with the engine's explanations."""
    award = access.award_for_landing(Principal.of(request), award_id)
    demands, parks = landing.landings(award)
    return render(
        request,
        "competitions/landings.html",
        {"award": award, "competition": award.competition, "demands": demands, "parks": parks},
    )


@login_required
@domain_errors
def park(request: HttpRequest, org_id: str) -> HttpResponse:
    """An organisation's park profile: its members and the zone operator read it; its owners
    and administrators (of a verified organisation) and the zone operator register and edit
    it, after which winning projects are matched to it."""
    principal = Principal.of(request)
    organisation, _none = access.park_organisation_for(principal, org_id)
    current = Park.objects.filter(organisation=organisation).first()
    may_edit = access.may_manage(principal, organisation)
    initial: dict[str, Any] = {}
    if current is not None:
        initial = {
            "sectors": ", ".join(current.sectors.values_list("code", flat=True)),
            "capacity": current.capacity,
            "note": current.note,
        }
    form = ParkForm(request.POST if request.method == "POST" else None, initial=initial)
    if request.method == "POST":
        organisation, user = access.park_organisation_for(principal, org_id, manage=True)
        draft = draft_from_form(form, ParkDraft) if form.is_valid() else None
        if draft is not None and user is not None:
            try:
                services.save_park(actor=user, organisation=organisation, draft=draft)
            except InvalidInput as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("The park profile has been saved."))
                return redirect("competitions:park", org_id=organisation.public_id)
    context = {
        "organisation": organisation,
        "park": current,
        "form": form,
        "may_edit": may_edit,
        "verified": organisation.verification_status == organisation.Verification.VERIFIED,
    }
    return render(request, "competitions/park.html", context, status=form_status(form))
