"""The jury of a maker competition (decision 0035): the rubric, jury members, conflicts of
interest, score sheets hidden until the organiser closes the scoring, and the exact mean of the
sheets."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from fractions import Fraction
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.competitions.models import (
    Competition,
    Criterion,
    Entry,
    Judge,
    Recusal,
    Round,
    Score,
)
from nomadcloud.competitions.schemas import (
    CompetitionCriterionDraft,
    CompetitionJudgeDraft,
    CompetitionRecusalDraft,
    CompetitionScoreSheetDraft,
)
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.teams.models import TeamMember
from nomadcloud.training.rubric import Line

S = Competition.Status
SUBJECT = "competitions.competition"
NOTICE_DAYS = 5


def _jury_round(competition: Competition, number: int) -> Round:
    round_ = competition.rounds.filter(number=number).first()
    if round_ is None:
        raise invalid_field("round", _("This competition has no such round."))
    if round_.scoring != Round.Scoring.JURY:
        raise invalid_field("round", _("Only a jury round has a rubric and jury members."))
    return round_


def participants(competition: Competition) -> set[int]:
    """The people taking part: entrants and accepted members of entering teams."""
    people = set(
        competition.entries.filter(person__isnull=False).values_list("person_id", flat=True)
    )
    people |= set(
        TeamMember.objects.filter(
            team__competition_entries__competition=competition,
            status=TeamMember.Status.ACCEPTED,
        ).values_list("user_id", flat=True)
    )
    return people


def _in_entry(user_id: int, entry: Entry) -> bool:
    if entry.person_id == user_id:
        return True
    return bool(
        entry.team_id
        and TeamMember.objects.filter(
            team_id=entry.team_id, user_id=user_id, status=TeamMember.Status.ACCEPTED
        ).exists()
    )


# --- the rubric and the jury ----------------------------------------------------------------


@transaction.atomic
def add_criterion(
    competition: Competition, *, actor: User | None, draft: CompetitionCriterionDraft
) -> Criterion:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.status != S.DRAFT:
        raise Conflict(
            _("The rules of a published competition cannot change: the rubric is set."),
            code="rules_frozen",
        )
    round_ = _jury_round(competition, draft.round)
    if round_.criteria.filter(code=draft.code).exists():
        raise invalid_field(
            "code", _("This round's rubric already has a criterion with this code.")
        )
    item = Criterion.objects.create(
        round=round_,
        code=draft.code,
        title=draft.title,
        weight=draft.weight,
        max_points=draft.max_points,
    )
    audit.record(
        actor=actor,
        action="competitions.criterion.add",
        obj=competition,
        organisation=competition.organiser,
        after={"round": round_.number, "code": draft.code, "weight": draft.weight},
    )
    return item


@transaction.atomic
def assign_judge(
    competition: Competition, *, actor: User | None, draft: CompetitionJudgeDraft
) -> Judge:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    if competition.status not in (S.DRAFT, S.PUBLISHED):
        raise Conflict(_("The jury is set: the competition has closed."), code="not_open")
    round_ = _jury_round(competition, draft.round)
    person = User.objects.filter(email__iexact=draft.email.strip(), erased_at__isnull=True).first()
    if person is None:
        raise invalid_field(
            "email", _("No registered person has this e-mail address."), code="unknown_person"
        )
    if person.pk in participants(competition):
        raise invalid_field(
            "email",
            _("This person takes part in the competition and cannot sit on its jury."),
            code="juror_conflict",
        )
    if round_.judges.filter(user=person).exists():
        raise invalid_field("email", _("This person is already on the round's jury."))
    judge = Judge.objects.create(round=round_, user=person, assigned_by=actor)
    audit.record(
        actor=actor,
        action="competitions.judge.assign",
        obj=competition,
        organisation=competition.organiser,
        after={"round": round_.number, "judge": person.pk},
    )
    return judge


def scorable_entries(round_: Round) -> list[Entry]:
    """The entries the jury scores: those that submitted in the round."""
    return list(
        Entry.objects.filter(submissions__round=round_, status=Entry.Status.REGISTERED)
        .distinct()
        .select_related("team", "person", "track")
        .order_by("id")
    )


def _scoring_open(round_: Round, now: datetime | None = None) -> None:
    if (now or timezone.now()) < round_.closes_at:
        raise Conflict(
            _("The jury scores once the round's submissions have closed."), code="scoring_not_open"
        )
    if round_.scoring_closed_at is not None:
        raise Conflict(_("The round's scoring is closed."), code="scoring_closed")


def excluded(judge: Judge, entry: Entry) -> bool:
    """A declared conflict of interest, or the judge takes part in the entry."""
    return _in_entry(judge.user_id, entry) or judge.recusals.filter(entry=entry).exists()


def _judge_entry(judge: Judge, entry_id: UUID) -> Entry:
    entry = Entry.objects.filter(
        public_id=entry_id, competition_id=judge.round.competition_id
    ).first()
    if entry is None or entry not in scorable_entries(judge.round):
        raise invalid_field("entry", _("This entry has nothing to score in this round."))
    return entry


@transaction.atomic
def declare_conflict(judge: Judge, *, draft: CompetitionRecusalDraft) -> Recusal:
    judge = Judge.objects.select_for_update().select_related("round").get(pk=judge.pk)
    _scoring_open(judge.round)
    entry = _judge_entry(judge, draft.entry)
    recusal, _created = Recusal.objects.get_or_create(
        judge=judge, entry=entry, defaults={"reason": draft.reason}
    )
    Score.objects.filter(judge=judge, entry=entry).delete()
    audit.record(
        actor=judge.user,
        action="competitions.judge.recuse",
        obj=entry,
        after={"round": judge.round.number, "reason": draft.reason},
    )
    return recusal


@transaction.atomic
def score_entry(judge: Judge, *, draft: CompetitionScoreSheetDraft) -> list[Score]:
    """The judge's whole sheet for one entry (replacing an earlier one) while scoring is open."""
    judge = Judge.objects.select_for_update().select_related("round").get(pk=judge.pk)
    round_ = judge.round
    _scoring_open(round_)
    entry = _judge_entry(judge, draft.entry)
    if excluded(judge, entry):
        raise Forbidden(
            _("You have a conflict of interest with this entry and do not score it."),
            code="recused",
        )
    criteria = {c.code: c for c in round_.criteria.all()}
    missing = [code for code in criteria if code not in draft.points]
    unknown = [code for code in draft.points if code not in criteria]
    if missing or unknown:
        raise invalid_field(
            "points",
            _("Score every criterion of the rubric, and only those: %(codes)s.")
            % {"codes": ", ".join(criteria)},
        )
    for code, points in draft.points.items():
        if not 0 <= points <= criteria[code].max_points:
            raise invalid_field(
                f"points.{code}",
                _("Give 0 to %(max)d points.") % {"max": criteria[code].max_points},
            )
    Score.objects.filter(judge=judge, entry=entry).delete()
    rows = Score.objects.bulk_create(
        Score(judge=judge, entry=entry, criterion=criteria[code], points=points)
        for code, points in draft.points.items()
    )
    audit.record(
        actor=judge.user,
        action="competitions.judge.score",
        obj=entry,
        after={"round": round_.number, "points": dict(draft.points)},
    )
    return rows


@dataclass(frozen=True)
class JuryRow:
    rank: int
    entry: Entry
    score: Decimal
    sheets: int


def _half_up(value: Fraction) -> Decimal:
    return Decimal(math.floor(value * 100 + Fraction(1, 2))).scaleb(-2)


def _exact_percent(lines: list[Line]) -> Fraction:
    total = sum(line.weight for line in lines)
    return (
        sum((Fraction(line.weight * line.points, line.max_points) for line in lines), Fraction(0))
        * 100
        / total
    )


def jury_scores(round_: Round) -> dict[int, tuple[Decimal, int]]:
    """entry pk → (mean weighted percent over its complete sheets, number of sheets)."""
    criteria = {c.pk: c for c in round_.criteria.all()}
    sheets: dict[tuple[int, int], list[Line]] = {}
    for s in Score.objects.filter(judge__round=round_).only(
        "judge_id", "entry_id", "criterion_id", "points"
    ):
        c = criteria[s.criterion_id]
        sheets.setdefault((s.entry_id, s.judge_id), []).append(
            Line(weight=c.weight, max_points=c.max_points, points=s.points)
        )
    per_entry: dict[int, list[Fraction]] = {}
    for (entry_id, _judge), lines in sheets.items():
        if len(lines) == len(criteria):
            per_entry.setdefault(entry_id, []).append(_exact_percent(lines))
    return {
        entry_id: (_half_up(sum(values, Fraction(0)) / len(values)), len(values))
        for entry_id, values in per_entry.items()
    }


def jury_board(round_: Round, *, reveal: bool = False) -> list[JuryRow]:
    """The jury ranking: shown only once the scoring is closed (``reveal`` is for tests of
    the arithmetic, never for pages)."""
    if round_.scoring_closed_at is None and not reveal:
        return []
    scores = jury_scores(round_)
    entries = [e for e in scorable_entries(round_) if e.pk in scores]
    entries.sort(key=lambda e: (-scores[e.pk][0], e.pk))
    return [
        JuryRow(rank=n, entry=e, score=scores[e.pk][0], sheets=scores[e.pk][1])
        for n, e in enumerate(entries, start=1)
    ]


def missing_sheets(round_: Round) -> list[tuple[Judge, Entry]]:
    criteria = round_.criteria.count()
    missing = []
    for judge in round_.judges.select_related("user"):
        for entry in scorable_entries(round_):
            if excluded(judge, entry):
                continue
            if Score.objects.filter(judge=judge, entry=entry).count() != criteria:
                missing.append((judge, entry))
    return missing


@transaction.atomic
def close_scoring(round_: Round, *, actor: User | None) -> Round:
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _scoring_open(round_)
    if not round_.judges.exists() or not round_.criteria.exists():
        raise Conflict(_("The round has no jury or no rubric."), code="no_jury")
    missing = missing_sheets(round_)
    if missing:
        raise Conflict(
            _("%(n)d score sheets are still missing.") % {"n": len(missing)},
            code="sheets_missing",
        )
    round_.scoring_closed_at = timezone.now()
    round_.save(update_fields=["scoring_closed_at"])
    audit.record(
        actor=actor,
        action="competitions.round.scoring_closed",
        obj=round_.competition,
        organisation=round_.competition.organiser,
        after={"round": round_.number},
    )
    return round_
