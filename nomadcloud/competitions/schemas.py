from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Schema
from pydantic import BeforeValidator, Field

from nomadcloud.competitions import transitions
from nomadcloud.competitions.models import (
    Appeal,
    Competition,
    Entry,
    FollowUp,
    Introduction,
    Round,
    Submission,
    Track,
)
from nomadcloud.core.i18n import Multilingual
from nomadcloud.core.inputs import Draft


def _iso_datetime(value: Any) -> Any:
    if value is not None and not isinstance(value, str | datetime):
        raise ValueError("expected a date and time as YYYY-MM-DDTHH:MM (ISO 8601)")
    return value


# A date and time given as an ISO 8601 string (never a number of seconds); without an
# offset it is read in the zone's time (Asia/Shanghai).
IsoDateTime = Annotated[datetime, BeforeValidator(_iso_datetime)]

# --- inputs (one typed draft per use case, shared by forms and the API) ---------------------


class ParkDraft(Draft):
    """An organisation's park profile: the sectors it welcomes (taxonomy concept codes), its
    free places and what it offers. Saving replaces the whole profile."""

    sectors: tuple[Annotated[str, Field(max_length=80)], ...] = Field(min_length=1, max_length=20)
    capacity: int = Field(ge=0, le=100_000)
    note: str = Field("", max_length=2000)


class ParkOut(Schema):
    organisation: UUID
    name: str
    verified: bool
    sectors: list[str]
    capacity: int
    note: str


class CompetitionDraft(Draft):
    """A new competition (a draft until published): its multilingual title and description
    and the window in which entries are accepted."""

    organisation: UUID
    title: Multilingual
    description: Multilingual | None = None
    entry_opens_at: IsoDateTime
    entry_closes_at: IsoDateTime


class CompetitionTrackDraft(Draft):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Multilingual


class CompetitionRoundDraft(Draft):
    """A round: its submission window, its limits per day and in total, how many submissions
    each entrant selects as final, and its scoring. A metric round carries its hidden answer
    set (item id → label)."""

    title: Multilingual
    opens_at: IsoDateTime
    closes_at: IsoDateTime
    max_per_day: int = Field(ge=1, le=100)
    max_total: int = Field(ge=1, le=1000)
    final_count: int = Field(default=1, ge=1, le=10)
    scoring: Literal["metric", "jury"]
    answers: dict[str, str] = Field(default_factory=dict, max_length=10000)
    public_share: int = Field(default=30, ge=1, le=99)


class CompetitionMove(Draft):
    action: Literal["publish", "close", "cancel"]


class CompetitionEntryDraft(Draft):
    """An entry: by the person, or with ``team`` (a team's public id) by the team, entered by
    its lead."""

    track: str = Field(min_length=1, max_length=40)
    name: str = Field(min_length=1, max_length=200)
    team: UUID | None = None


class CompetitionSubmissionDraft(Draft):
    """A submission to a round. For a metric round, ``content`` is one ``item,label`` line per
    item of the answer set; for a jury round, a description and links to the work."""

    round: int = Field(ge=1, le=100)
    content: str = Field(min_length=1, max_length=200_000)


class CompetitionFinalChoice(Draft):
    final: bool


class CompetitionCriterionDraft(Draft):
    """A criterion of a jury round's rubric (added while the competition is a draft)."""

    round: int = Field(ge=1, le=100)
    code: str = Field(min_length=1, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: Multilingual
    weight: int = Field(ge=1, le=100)
    max_points: int = Field(default=10, ge=1, le=100)


class CompetitionJudgeDraft(Draft):
    round: int = Field(ge=1, le=100)
    email: str = Field(min_length=3, max_length=254)


class CompetitionRecusalDraft(Draft):
    entry: UUID
    reason: str = Field(min_length=1, max_length=500)


class CompetitionScoreSheetDraft(Draft):
    """One jury member's sheet for one entry: criterion code → points (0 … the criterion's
    maximum, whole points); every criterion of the rubric."""

    entry: UUID
    points: dict[str, int] = Field(max_length=50)


class CompetitionAppealDraft(Draft):
    round: int = Field(ge=1, le=100)
    grounds: str = Field(min_length=1, max_length=5000)


class CompetitionAppealDecision(Draft):
    upheld: bool
    reason: str = Field(min_length=1, max_length=5000)


class CompetitionAwardLine(Draft):
    entry: UUID
    rank: int = Field(ge=1, le=100)
    prize: Decimal = Field(ge=0, max_digits=12, decimal_places=2)


class CompetitionWinnersDraft(Draft):
    """The winners announced for 公示, their prizes committed from ``budget`` (a payouts
    budget of the organiser) at once."""

    budget: UUID
    awards: list[CompetitionAwardLine] = Field(min_length=1, max_length=100)


class CompetitionIntroductionDraft(Draft):
    organisation: UUID
    note: str = Field(min_length=1, max_length=2000)


class CompetitionIntroductionAnswer(Draft):
    """An enterprise's answer to an introduction of a winning project."""

    accept: bool


class CompetitionOutcomeDraft(Draft):
    outcome: Literal["order", "investment", "registered_in_zone", "nothing"]
    evidence: str = Field(default="", max_length=5000)
    # A business registered in the zone: its unified social credit code (recorded as a
    # conversion, orders.Conversion of kind "business").
    credit_code: str = Field(default="", max_length=40)


# --- outputs --------------------------------------------------------------------------------


class CompetitionTrackOut(Schema):
    code: str
    title: dict[str, object]


class CompetitionRoundOut(Schema):
    number: int
    title: dict[str, object]
    opens_at: datetime
    closes_at: datetime
    max_per_day: int
    max_total: int
    final_count: int
    scoring: str
    items: int

    @staticmethod
    def resolve_items(obj: Round) -> int:
        return len(obj.answers or {})


class CompetitionOut(Schema):
    public_id: UUID
    organiser_public_id: UUID
    title: dict[str, object]
    description: dict[str, object]
    entry_opens_at: datetime
    entry_closes_at: datetime
    status: str
    moves: list[str]

    @staticmethod
    def resolve_organiser_public_id(obj: Competition) -> UUID:
        return obj.organiser.public_id

    @staticmethod
    def resolve_moves(obj: Competition) -> list[str]:
        return transitions.moves(obj.status)


class CompetitionDetailOut(CompetitionOut):
    tracks: list[CompetitionTrackOut]
    rounds: list[CompetitionRoundOut]

    @staticmethod
    def resolve_tracks(obj: Competition) -> list[Track]:
        return list(obj.tracks.all())

    @staticmethod
    def resolve_rounds(obj: Competition) -> list[Round]:
        return list(obj.rounds.all())


class CompetitionSubmissionOut(Schema):
    public_id: UUID
    round: int
    number: int
    sha256: str
    submitted_at: datetime
    is_final: bool
    public_score: Decimal | None

    @staticmethod
    def resolve_round(obj: Submission) -> int:
        return obj.round.number


class CompetitionEntryOut(Schema):
    public_id: UUID
    competition_public_id: UUID
    track: str
    entrant_kind: str
    name: str
    status: str

    @staticmethod
    def resolve_competition_public_id(obj: Entry) -> UUID:
        return obj.competition.public_id

    @staticmethod
    def resolve_track(obj: Entry) -> str:
        return obj.track.code


class CompetitionLeaderboardRow(Schema):
    rank: int
    entry_public_id: UUID
    name: str
    score: Decimal


class CompetitionLeaderboardOut(Schema):
    round: int
    part: Literal["public", "private"]
    rows: list[CompetitionLeaderboardRow]


class CompetitionJuryRow(Schema):
    rank: int
    entry: UUID
    name: str
    score: Decimal
    sheets: int


class CompetitionJuryBoardOut(Schema):
    """A jury round's ranking: empty until the organiser closes the scoring."""

    round: int
    closed: bool
    rows: list[CompetitionJuryRow]


class CompetitionScoreSheetOut(Schema):
    entry: UUID
    points: dict[str, int]


class CompetitionAppealOut(Schema):
    id: UUID
    entry: UUID
    round: int
    status: str
    grounds: str
    reason: str
    filed_at: datetime
    decided_at: datetime | None

    @staticmethod
    def resolve_id(obj: Appeal | dict[str, Any]) -> UUID:
        return obj["id"] if isinstance(obj, dict) else obj.public_id

    @staticmethod
    def resolve_entry(obj: Appeal | dict[str, Any]) -> UUID:
        return obj["entry"] if isinstance(obj, dict) else obj.entry.public_id

    @staticmethod
    def resolve_round(obj: Appeal | dict[str, Any]) -> int:
        return obj["round"] if isinstance(obj, dict) else obj.round.number


class CompetitionAwardOut(Schema):
    rank: int
    entry: UUID
    name: str
    entrant: str
    prize: Decimal
    # Only a payout confirmed by payouts counts as paid (never the bank's report alone).
    paid: bool
    paid_at: datetime | None


class CompetitionWinnersOut(Schema):
    competition: UUID
    status: str
    notice: int | None
    awards: list[CompetitionAwardOut]


class CompetitionFollowUpOut(Schema):
    """A follow-up of an accepted introduction (30, 90 or 180 days); ``id`` is the number the
    outcome is recorded under."""

    id: int
    after_days: int
    due_on: date
    outcome: str
    evidence: str
    recorded_at: datetime | None


class CompetitionIntroductionOut(Schema):
    """An introduction of a winning project to an enterprise, with its follow-ups."""

    id: UUID
    competition: UUID
    award: UUID
    project: str
    organisation: UUID
    organisation_name: str
    note: str
    status: str
    offered_at: datetime
    answered_at: datetime | None
    follow_ups: list[CompetitionFollowUpOut]

    @staticmethod
    def resolve_id(obj: Introduction) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_competition(obj: Introduction) -> UUID:
        return obj.award.competition.public_id

    @staticmethod
    def resolve_award(obj: Introduction) -> UUID:
        return obj.award.public_id

    @staticmethod
    def resolve_project(obj: Introduction) -> str:
        return obj.award.entry.name

    @staticmethod
    def resolve_organisation(obj: Introduction) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_organisation_name(obj: Introduction) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_follow_ups(obj: Introduction) -> list[FollowUp]:
        return sorted(obj.follow_ups.all(), key=lambda f: f.after_days)


class CompetitionLandingOut(Schema):
    """A matched demand or park: the engine's score (0–100) and its explanation."""

    id: UUID
    name: str
    score: float
    explanation: dict[str, Any]


class CompetitionLandingsOut(Schema):
    award: UUID
    project: str
    demands: list[CompetitionLandingOut]
    parks: list[CompetitionLandingOut]
