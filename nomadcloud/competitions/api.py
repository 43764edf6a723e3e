"""/api/v1/competitions/: maker competitions (docs/competitions.md). Published competitions,
their rounds and leaderboards are public; organisers create and manage theirs; signed-in
people enter and submit."""

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import parse_public_id
from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions import access, landing, matchmaking, queries, results, services
from nomadcloud.competitions.models import Appeal, Award, Competition, FollowUp, Park
from nomadcloud.competitions.schemas import (
    CompetitionAppealDecision,
    CompetitionAppealDraft,
    CompetitionAppealOut,
    CompetitionCriterionDraft,
    CompetitionDetailOut,
    CompetitionDraft,
    CompetitionEntryDraft,
    CompetitionEntryOut,
    CompetitionFinalChoice,
    CompetitionFollowUpOut,
    CompetitionIntroductionAnswer,
    CompetitionIntroductionDraft,
    CompetitionIntroductionOut,
    CompetitionJudgeDraft,
    CompetitionJuryBoardOut,
    CompetitionLandingsOut,
    CompetitionLeaderboardOut,
    CompetitionMove,
    CompetitionOut,
    CompetitionOutcomeDraft,
    CompetitionRecusalDraft,
    CompetitionRoundDraft,
    CompetitionScoreSheetDraft,
    CompetitionScoreSheetOut,
    CompetitionSubmissionDraft,
    CompetitionSubmissionOut,
    CompetitionTrackDraft,
    CompetitionWinnersDraft,
    CompetitionWinnersOut,
    ParkDraft,
    ParkOut,
)
from nomadcloud.core import publicity
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import Forbidden, NotFound

router = Router(tags=["competitions"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("/", auth=None, response=_errors({200: list[CompetitionOut]}))
@paginate(CursorPagination)
def competitions(request: HttpRequest, **kwargs: Any) -> Any:
    """Published and closed competitions, and the drafts of organisations you manage."""
    return queries.competitions_for(Principal.of(request))


@router.get("/introductions", response=_errors({200: list[CompetitionIntroductionOut]}))
@paginate(CursorPagination)
def introductions(request: HttpRequest, **kwargs: Any) -> Any:
    """Introductions of winning projects to organisations you own or administer (to answer),
    and of the competitions you organise (to follow up), with their follow-ups."""
    return queries.introductions_for(Principal.of(request))


@router.post("/", response=_errors({201: CompetitionDetailOut}))
def create(request: HttpRequest, payload: CompetitionDraft) -> Any:
    """A new competition (a draft) of ``organisation``, by its owners or administrators."""
    principal = Principal.of(request)
    organiser, user = access.organiser_for(principal, payload.organisation)
    item = services.create_competition(organiser=organiser, actor=user, draft=payload)
    return Status(201, access.competition_for(principal, item.public_id))


@router.get("/{competition_id}", auth=None, response=_errors({200: CompetitionDetailOut}))
def competition(request: HttpRequest, competition_id: UUID) -> Any:
    return access.competition_for(Principal.of(request), competition_id)


@router.post("/{competition_id}/tracks", response=_errors({201: CompetitionDetailOut}))
def add_track(request: HttpRequest, competition_id: UUID, payload: CompetitionTrackDraft) -> Any:
    """A track (e.g. 跨境电商智能选品), only while the competition is a draft."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    services.add_track(item, actor=user, draft=payload)
    return Status(201, access.competition_for(principal, competition_id))


@router.post("/{competition_id}/rounds", response=_errors({201: CompetitionDetailOut}))
def add_round(request: HttpRequest, competition_id: UUID, payload: CompetitionRoundDraft) -> Any:
    """The next round: its window, limits per day and in total, final selections and
    scoring (a metric round with its hidden answer set). Only while the competition is a
    draft (``rules_frozen`` after)."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    services.add_round(item, actor=user, draft=payload)
    return Status(201, access.competition_for(principal, competition_id))


@router.post("/{competition_id}/moves", response=_errors({200: CompetitionDetailOut}))
def move(request: HttpRequest, competition_id: UUID, payload: CompetitionMove) -> Any:
    """``publish`` (needs a track and a round; freezes the rules), ``close``, ``cancel``."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    services.move(item, actor=user, action=payload.action)
    return access.competition_for(principal, competition_id)


@router.get(
    "/{competition_id}/rounds/{number}/leaderboard",
    auth=None,
    response=_errors({200: CompetitionLeaderboardOut}),
)
def leaderboard(
    request: HttpRequest,
    competition_id: UUID,
    number: int,
    part: Literal["public", "private"] = "public",
) -> Any:
    """A metric round's leaderboard: the public part is live; the private part is empty
    until the round closes."""
    item = access.competition_for(Principal.of(request), competition_id)
    round_ = item.rounds.filter(number=number).first()
    if round_ is None:
        raise NotFound(_("No such round."))
    return {"round": number, "part": part, "rows": queries.leaderboard(round_, part)}


@router.post("/{competition_id}/entries", response=_errors({201: CompetitionEntryOut}))
def enter(request: HttpRequest, competition_id: UUID, payload: CompetitionEntryDraft) -> Any:
    """Enter the competition yourself, in one of its tracks, while entries are open."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id)
    user = access.signed_in_person(principal)
    return Status(201, services.enter(item, actor=user, draft=payload))


@router.get(
    "/entries/{entry_id}/submissions", response=_errors({200: list[CompetitionSubmissionOut]})
)
def submissions(request: HttpRequest, entry_id: UUID) -> Any:
    entry = access.entry_for(Principal.of(request), entry_id)
    return list(entry.submissions.select_related("round").order_by("id"))


@router.post("/entries/{entry_id}/submissions", response=_errors({201: CompetitionSubmissionOut}))
def submit(request: HttpRequest, entry_id: UUID, payload: CompetitionSubmissionDraft) -> Any:
    """Submit to a round of your entry's competition, within its window and limits
    (``submission_limit``, ``daily_submission_limit``)."""
    principal = Principal.of(request)
    entry = access.entry_for(principal, entry_id, own=True)
    user = access.require_entrant(principal, entry)
    return Status(201, services.submit(entry, actor=user, draft=payload))


@router.post(
    "/submissions/{submission_id}/final", response=_errors({200: CompetitionSubmissionOut})
)
def final(request: HttpRequest, submission_id: UUID, payload: CompetitionFinalChoice) -> Any:
    """Select (``final: true``) or unselect one of your submissions as final for its round."""
    principal = Principal.of(request)
    item = access.submission_for(principal, submission_id)
    user = access.require_entrant(principal, item.entry)
    return services.choose_final(item, actor=user, final=payload.final)


# --- results (decision 0035) -----------------------------------------------------------------


def _winners_out(item: Competition) -> dict[str, Any]:
    notice = publicity.notice_for(results.SUBJECT, str(item.public_id))
    awards = item.awards.select_related("entry", "entry__team", "entry__person")
    return {
        "competition": item.public_id,
        "status": item.status,
        "notice": notice.pk if notice else None,
        "awards": [
            {
                "rank": a.rank,
                "entry": a.entry.public_id,
                "name": a.entry.name,
                "entrant": a.entry.team.name
                if a.entry.team
                else (a.entry.person.display_name if a.entry.person else ""),
                "prize": a.prize,
                "paid": a.paid_at is not None,
                "paid_at": a.paid_at,
            }
            for a in awards
        ],
    }


@router.post("/{competition_id}/criteria", response=_errors({201: CompetitionDetailOut}))
def add_criterion(
    request: HttpRequest, competition_id: UUID, payload: CompetitionCriterionDraft
) -> Any:
    """A weighted criterion of a jury round's rubric, only while the competition is a draft."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    results.add_criterion(item, actor=user, draft=payload)
    return Status(201, access.competition_for(principal, competition_id))


@router.post("/{competition_id}/judges", response=_errors({201: CompetitionDetailOut}))
def assign_judge(request: HttpRequest, competition_id: UUID, payload: CompetitionJudgeDraft) -> Any:
    """A jury member for a jury round, by e-mail address; never a participant
    (``juror_conflict``)."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    results.assign_judge(item, actor=user, draft=payload)
    return Status(201, access.competition_for(principal, competition_id))


@router.post("/{competition_id}/jury/scores", response=_errors({200: CompetitionScoreSheetOut}))
def score(request: HttpRequest, competition_id: UUID, payload: CompetitionScoreSheetDraft) -> Any:
    """Your score sheet for one entry (every criterion), after the round's submissions close
    and until its scoring closes; refused with ``recused`` for an entry you declared a
    conflict of interest with or take part in."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id)
    judge = access.judge_for(principal, item)
    results.score_entry(judge, draft=payload)
    return {"entry": payload.entry, "points": payload.points}


@router.post("/{competition_id}/jury/recusals", response=_errors({200: CompetitionScoreSheetOut}))
def recuse(request: HttpRequest, competition_id: UUID, payload: CompetitionRecusalDraft) -> Any:
    """Declare a conflict of interest with an entry: you do not score it (a sheet you gave
    it is withdrawn)."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id)
    judge = access.judge_for(principal, item)
    results.declare_conflict(judge, draft=payload)
    return {"entry": payload.entry, "points": {}}


@router.get(
    "/{competition_id}/rounds/{number}/jury",
    auth=None,
    response=_errors({200: CompetitionJuryBoardOut}),
)
def jury_board(request: HttpRequest, competition_id: UUID, number: int) -> Any:
    """A jury round's ranking (mean weighted percent of the sheets); empty until the
    organiser closes the scoring."""
    item = access.competition_for(Principal.of(request), competition_id)
    round_ = item.rounds.filter(number=number).first()
    if round_ is None:
        raise NotFound(_("No such round."))
    rows = results.jury_board(round_)
    return {
        "round": number,
        "closed": round_.scoring_closed_at is not None,
        "rows": [
            {
                "rank": r.rank,
                "entry": r.entry.public_id,
                "name": r.entry.name,
                "score": r.score,
                "sheets": r.sheets,
            }
            for r in rows
        ],
    }


@router.post("/entries/{entry_id}/appeals", response=_errors({201: CompetitionAppealOut}))
def appeal(request: HttpRequest, entry_id: UUID, payload: CompetitionAppealDraft) -> Any:
    """Appeal against a round's published results, within its appeal window."""
    principal = Principal.of(request)
    entry = access.entry_for(principal, entry_id, own=True)
    user = access.require_entrant(principal, entry)
    item = results.file_appeal(entry, actor=user, draft=payload)
    return Status(
        201,
        {
            "id": item.public_id,
            "entry": entry.public_id,
            "round": item.round.number,
            "status": item.status,
            "grounds": item.grounds,
            "reason": item.reason,
            "filed_at": item.filed_at,
            "decided_at": item.decided_at,
        },
    )


@router.get("/{competition_id}/winners", auth=None, response=_errors({200: CompetitionWinnersOut}))
def winners(request: HttpRequest, competition_id: UUID) -> Any:
    """The winners once announced (in 公示, then awarded), each prize shown paid only when
    its payout is confirmed."""
    item = access.competition_for(Principal.of(request), competition_id)
    if item.status not in (Competition.Status.PUBLICITY, Competition.Status.AWARDED):
        raise NotFound(_("The winners of this competition are not announced."))
    return _winners_out(item)


@router.post("/{competition_id}/winners", response=_errors({201: CompetitionWinnersOut}))
def announce(request: HttpRequest, competition_id: UUID, payload: CompetitionWinnersDraft) -> Any:
    """Announce the winners in 公示 and commit their prizes from the organiser's ``budget``;
    the competition must be closed, its jury scoring closed, no appeal pending and every
    appeal window ended."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    results.announce_winners(item, actor=user, draft=payload)
    return Status(201, _winners_out(Competition.objects.get(pk=item.pk)))


@router.post("/{competition_id}/award", response=_errors({200: CompetitionWinnersOut}))
def award(request: HttpRequest, competition_id: UUID) -> Any:
    """Make the awards final once the 公示 ended without objections: one payout approved per
    prize."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    return _winners_out(results.award(item, actor=user))


@router.post(
    "/{competition_id}/rounds/{number}/close-scoring",
    response=_errors({200: CompetitionJuryBoardOut}),
)
def close_scoring(request: HttpRequest, competition_id: UUID, number: int) -> Any:
    """Close a jury round's scoring once every sheet is in (``sheets_missing``): the ranking
    is shown and the appeal window opens."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    round_ = item.rounds.filter(number=number).first()
    if round_ is None:
        raise NotFound(_("No such round."))
    results.close_scoring(round_, actor=user)
    return jury_board(request, competition_id, number)


@router.get("/{competition_id}/appeals", response=_errors({200: list[CompetitionAppealOut]}))
@paginate(CursorPagination)
def appeals(request: HttpRequest, competition_id: UUID, **kwargs: Any) -> Any:
    """The competition's appeals, newest first, for its organiser to decide."""
    principal = Principal.of(request)
    item = access.competition_for(principal, competition_id, manage=True)
    return queries.appeals_of(item)


def _appeal(principal: Principal, appeal_id: UUID) -> tuple[Appeal, Any]:
    found = (
        Appeal.objects.select_related("round__competition", "entry")
        .filter(public_id=parse_public_id(appeal_id, message=_("No such appeal.")))
        .first()
    )
    if found is None:
        raise NotFound(_("No such appeal."))
    item = access.competition_for(principal, found.round.competition.public_id, manage=True)
    return found, access.require_manager(principal, item.organiser)


@router.post("/appeals/{appeal_id}/decision", response=_errors({200: CompetitionAppealOut}))
def decide_appeal(request: HttpRequest, appeal_id: UUID, payload: CompetitionAppealDecision) -> Any:
    """Uphold or dismiss an appeal with a reason (organiser); upheld reopens the jury round's
    scoring."""
    found, user = _appeal(Principal.of(request), appeal_id)
    results.decide_appeal(found, actor=user, draft=payload)
    return queries.appeals_of(found.round.competition).get(pk=found.pk)


@router.post(
    "/awards/{award_id}/introductions", response=_errors({201: CompetitionIntroductionOut})
)
def introduce(request: HttpRequest, award_id: UUID, payload: CompetitionIntroductionDraft) -> Any:
    """Introduce an awarded project to a verified enterprise with the reason of the match; its
    owners or administrators accept or decline."""
    principal = Principal.of(request)
    found = (
        Award.objects.select_related("competition")
        .filter(public_id=parse_public_id(award_id, message=_("No such award.")))
        .first()
    )
    if found is None:
        raise NotFound(_("No such award."))
    item = access.competition_for(principal, found.competition.public_id, manage=True)
    user = access.require_manager(principal, item.organiser)
    intro = matchmaking.offer(found, actor=user, draft=payload)
    return Status(201, queries.introductions_for(principal).get(pk=intro.pk))


@router.post(
    "/introductions/{introduction_id}/answer",
    response=_errors({200: CompetitionIntroductionOut}),
)
def answer(
    request: HttpRequest, introduction_id: UUID, payload: CompetitionIntroductionAnswer
) -> Any:
    """Accept or decline an introduction to your organisation (its owners or administrators);
    an accepted one is followed up after 30, 90 and 180 days."""
    principal = Principal.of(request)
    intro = (
        queries.introductions_for(principal)
        .filter(public_id=parse_public_id(introduction_id, message=_("No such introduction.")))
        .first()
    )
    if intro is None:
        raise NotFound(_("No such introduction."))
    if not access.may_manage(principal, intro.organisation):
        raise Forbidden(
            _("Only the introduced organisation's owners and administrators answer."),
            code="organisation_only",
        )
    user = access.require_manager(principal, intro.organisation)
    matchmaking.answer(intro, actor=user, accept=payload.accept)
    return queries.introductions_for(principal).get(pk=intro.pk)


@router.post("/follow-ups/{follow_up_id}/outcome", response=_errors({200: CompetitionFollowUpOut}))
def record_outcome(
    request: HttpRequest, follow_up_id: int, payload: CompetitionOutcomeDraft
) -> Any:
    """Record a follow-up's outcome (organiser): an order, an investment, a business
    registered in the zone (with evidence), or nothing."""
    principal = Principal.of(request)
    found = (
        FollowUp.objects.select_related("introduction__award__competition")
        .filter(pk=follow_up_id)
        .first()
    )
    if found is None:
        raise NotFound(_("No such follow-up."))
    item = access.competition_for(
        principal, found.introduction.award.competition.public_id, manage=True
    )
    user = access.require_manager(principal, item.organiser)
    return matchmaking.record_outcome(found, actor=user, draft=payload)


@router.get("/awards/{award_id}/landings", response=_errors({200: CompetitionLandingsOut}))
def landings(request: HttpRequest, award_id: UUID) -> Any:
    """Where a winning project may land: the enterprises' published demands and the industrial
    parks with free places that the matching engine ranks best for it, each with the engine's
    explanation. For the winner, the organiser and the zone operator, once the award is final."""
    return landing.landings_out(access.award_for_landing(Principal.of(request), award_id))


def _park_out(park: Park | None, organisation: Any) -> dict[str, Any]:
    return {
        "organisation": organisation.public_id,
        "name": str(organisation),
        "verified": organisation.verification_status == organisation.Verification.VERIFIED,
        "sectors": sorted(park.sectors.values_list("code", flat=True)) if park else [],
        "capacity": park.capacity if park else 0,
        "note": park.note if park else "",
    }


@router.get("/parks/{org_id}", response=_errors({200: ParkOut}))
def park(request: HttpRequest, org_id: UUID) -> Any:
    """An organisation's industrial-park profile (members and the zone operator); an
    organisation not registered as a park answers with no sectors and no places."""
    organisation, _user = access.park_organisation_for(Principal.of(request), org_id)
    return _park_out(Park.objects.filter(organisation=organisation).first(), organisation)


@router.put("/parks/{org_id}", response=_errors({200: ParkOut}))
def save_park(request: HttpRequest, org_id: UUID, payload: ParkDraft) -> Any:
    """Register the organisation as an industrial park, or replace its profile: the sectors it
    welcomes (taxonomy concept codes), its free places and what it offers (its owners and
    administrators, or the zone operator; the organisation must be verified:
    ``not_verified``). Winning projects are matched to it from then on."""
    organisation, user = access.park_organisation_for(Principal.of(request), org_id, manage=True)
    assert user is not None
    made = services.save_park(actor=user, organisation=organisation, draft=payload)
    return _park_out(made, organisation)
