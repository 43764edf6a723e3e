"""/api/v1/competitions/: maker competitions (docs/competitions.md). Published competitions,
their rounds and leaderboards are public; organisers create and manage theirs; signed-in
people enter and submit."""

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status
from ninja.pagination import paginate

from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions import access, queries, services
from nomadcloud.competitions.schemas import (
    CompetitionDetailOut,
    CompetitionDraft,
    CompetitionEntryDraft,
    CompetitionEntryOut,
    CompetitionFinalChoice,
    CompetitionLeaderboardOut,
    CompetitionMove,
    CompetitionOut,
    CompetitionRoundDraft,
    CompetitionSubmissionDraft,
    CompetitionSubmissionOut,
    CompetitionTrackDraft,
)
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import NotFound

router = Router(tags=["competitions"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


@router.get("/", auth=None, response=_errors({200: list[CompetitionOut]}))
@paginate(CursorPagination)
def competitions(request: HttpRequest, **kwargs: Any) -> Any:
    """Published and closed competitions, and the drafts of organisations you manage."""
    return queries.competitions_for(Principal.of(request))


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
