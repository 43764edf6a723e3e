"""Results of maker competitions (decision 0035): jury rubric scoring with conflicts of
interest, appeals, the winners' 公示 and the prizes paid through payouts.

- **Jury.** The organiser adds a jury round's rubric (criteria with weights, while the
  competition is a draft) and assigns jury members (a person who takes part in the
  competition, alone or in a team, cannot be one: ``juror_conflict``). After the round's
  submissions close, each jury member scores every entry that submitted in the round, one
  sheet per entry, or declares a conflict of interest with it and is excluded from it. A
  member of the entry's team is excluded without declaring.
- **Hidden until closed.** No one sees a score before the organiser closes the scoring, and
  that needs every sheet in (``sheets_missing``). The entry's score is the mean over its
  sheets of the rubric's weighted percent (``training.rubric``), kept exact in fractions and
  rounded half-up to two places once, at the end.
- **Appeals** are filed by an entrant within ``appeal_days`` calendar days of the scoring's
  close; the organiser decides with a reason. An upheld appeal reopens the round's scoring
  (the jury corrects its sheets, the organiser closes it again).
- **Winners** are announced in 公示 once the competition is closed, no appeal is pending
  and every appeal window has ended; the prizes are committed from the organiser's budget at
  that moment. After the 公示 ended without an upheld objection, ``award`` approves one
  payout per winner with a prize; the award shows as paid only when payouts confirms it. An
  upheld objection sends the competition back to "closed": awards withdrawn, money released.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any
from uuid import UUID

from django.db import transaction
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.competitions import transitions
from nomadcloud.competitions.models import (
    Appeal,
    Award,
    Competition,
    Criterion,
    Entry,
    Judge,
    Recusal,
    Round,
    Score,
)
from nomadcloud.competitions.schemas import (
    CompetitionAppealDecision,
    CompetitionAppealDraft,
    CompetitionCriterionDraft,
    CompetitionJudgeDraft,
    CompetitionRecusalDraft,
    CompetitionScoreSheetDraft,
    CompetitionWinnersDraft,
)
from nomadcloud.core import audit, publicity
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget, Commitment
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


# --- appeals --------------------------------------------------------------------------------


def appeal_deadline(round_: Round) -> datetime | None:
    if round_.scoring != Round.Scoring.JURY:
        return round_.closes_at + timedelta(days=round_.appeal_days)
    if round_.scoring_closed_at is None:
        return None
    return round_.scoring_closed_at + timedelta(days=round_.appeal_days)


@transaction.atomic
def file_appeal(entry: Entry, *, actor: User, draft: CompetitionAppealDraft) -> Appeal:
    entry = Entry.objects.select_for_update().select_related("competition").get(pk=entry.pk)
    round_ = entry.competition.rounds.filter(number=draft.round).first()
    if round_ is None:
        raise invalid_field("round", _("This competition has no such round."))
    now = timezone.now()
    deadline = appeal_deadline(round_)
    published = round_.scoring_closed_at is not None or (
        round_.scoring == Round.Scoring.METRIC and now >= round_.closes_at
    )
    if not published or deadline is None or now >= deadline:
        raise Conflict(
            _("Appeals are taken only in the days after the round's results are published."),
            code="appeal_window_closed",
        )
    if Appeal.objects.filter(entry=entry, round=round_, status=Appeal.Status.PENDING).exists():
        raise Conflict(_("Your appeal on this round is being decided."), code="appeal_pending")
    appeal = Appeal.objects.create(entry=entry, round=round_, filed_by=actor, grounds=draft.grounds)
    audit.record(
        actor=actor,
        action="competitions.appeal.file",
        obj=appeal,
        organisation=entry.competition.organiser,
        after={"round": round_.number},
    )
    return appeal


@transaction.atomic
def decide_appeal(
    appeal: Appeal, *, actor: User | None, draft: CompetitionAppealDecision
) -> Appeal:
    appeal = Appeal.objects.select_for_update().select_related("round").get(pk=appeal.pk)
    if appeal.status != Appeal.Status.PENDING:
        raise Conflict(_("This appeal has been decided."), code="appeal_decided")
    appeal.status = Appeal.Status.UPHELD if draft.upheld else Appeal.Status.DISMISSED
    appeal.reason = draft.reason
    appeal.decided_by = actor
    appeal.decided_at = timezone.now()
    appeal.save(update_fields=["status", "reason", "decided_by", "decided_at"])
    round_ = appeal.round
    if draft.upheld and round_.scoring == Round.Scoring.JURY:
        round_.scoring_closed_at = None  # the jury corrects its sheets
        round_.save(update_fields=["scoring_closed_at"])
    audit.record(
        actor=actor,
        action="competitions.appeal.decide",
        obj=appeal,
        after={"status": appeal.status, "reason": draft.reason},
    )
    return appeal


# --- winners, 公示 and prizes ----------------------------------------------------------------


def commitment_of(competition: Competition) -> Commitment | None:
    return (
        Commitment.objects.filter(subject_kind=SUBJECT, subject_id=str(competition.public_id))
        .order_by("-id")
        .first()
    )


def _may_announce(competition: Competition, now: datetime) -> None:
    rounds = list(competition.rounds.all())
    if Appeal.objects.filter(round__in=rounds, status=Appeal.Status.PENDING).exists():
        raise Conflict(_("An appeal is still to be decided."), code="appeal_pending")
    for round_ in rounds:
        if round_.scoring == Round.Scoring.JURY and round_.scoring_closed_at is None:
            raise Conflict(
                _("Round %(n)d's jury scoring is not closed.") % {"n": round_.number},
                code="scoring_not_closed",
            )
        deadline = appeal_deadline(round_)
        if deadline is not None and now < deadline:
            raise Conflict(
                _("Appeals on round %(n)d may be filed until %(when)s.")
                % {
                    "n": round_.number,
                    "when": timezone.localtime(deadline).strftime("%Y-%m-%d %H:%M"),
                },
                code="appeal_window_open",
            )


@transaction.atomic
def announce_winners(
    competition: Competition, *, actor: User | None, draft: CompetitionWinnersDraft
) -> list[Award]:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    transitions.check(competition, "announce")
    now = timezone.now()
    _may_announce(competition, now)
    budget = Budget.objects.filter(public_id=draft.budget, owner=competition.organiser).first()
    if budget is None:
        raise invalid_field("budget", _("Choose one of the organiser's budgets."))
    ranks = [line.rank for line in draft.awards]
    if sorted(ranks) != list(range(1, len(ranks) + 1)):
        raise invalid_field("awards", _("Ranks must be 1, 2, 3 … each once."))
    entries = {
        str(e.public_id): e
        for e in competition.entries.filter(
            public_id__in=[line.entry for line in draft.awards], status=Entry.Status.REGISTERED
        )
    }
    if len(entries) != len(draft.awards) or len({line.entry for line in draft.awards}) != len(
        draft.awards
    ):
        raise invalid_field(
            "awards", _("Each winner must be a different entry of this competition.")
        )
    total = sum((line.prize for line in draft.awards), Decimal("0.00"))
    awards = [
        Award.objects.create(
            competition=competition,
            entry=entries[str(line.entry)],
            rank=line.rank,
            prize=line.prize,
        )
        for line in sorted(draft.awards, key=lambda line: line.rank)
    ]
    if total > 0:
        payouts.commit(
            budget,
            subject_kind=SUBJECT,
            subject_id=str(competition.public_id),
            amount=total,
            actor=actor,
            reason=f"prizes of {competition.public_id}",
        )
    lines_zh = [f"第{a.rank}名：{a.entry.name}（奖金 {a.prize} 元）" for a in awards]
    lines_en = [f"{a.rank}. {a.entry.name} (prize CNY {a.prize})" for a in awards]
    publicity.open_notice(
        subject_kind=SUBJECT,
        subject_id=str(competition.public_id),
        title={
            "zh-Hans": f"{competition.title.get('zh-Hans', '')} 获奖名单公示",
            "en": f"Winners of {competition.title.get('en', '')}: public notice",
        },
        body={"zh-Hans": "\n".join(lines_zh), "en": "\n".join(lines_en)},
        working_days=NOTICE_DAYS,
        actor=actor,
    )
    competition.status = transitions.check(competition, "announce")
    competition.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="competitions.competition.announce",
        obj=competition,
        organisation=competition.organiser,
        after={
            "awards": [
                {"rank": a.rank, "entry": str(a.entry.public_id), "prize": a.prize} for a in awards
            ],
            "budget": str(budget.public_id),
        },
    )
    return awards


def payee(entry: Entry) -> tuple[str, str]:
    if entry.team_id is not None:
        return "teams.team", entry.team_ref
    assert entry.person is not None
    return "accounts.user", str(entry.person.public_id)


@transaction.atomic
def award(competition: Competition, *, actor: User | None) -> Competition:
    """After the 公示 ended with no objection pending or upheld: one payout per prize."""
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    target = transitions.check(competition, "award")
    publicity.assert_may_advance(SUBJECT, str(competition.public_id))
    commitment = commitment_of(competition)
    for item in competition.awards.select_related("entry", "entry__person"):
        if item.prize <= 0 or commitment is None:
            continue
        kind, payee_id = payee(item.entry)
        payout = payouts.approve_payout(
            commitment, payee_kind=kind, payee_id=payee_id, amount=item.prize, actor=actor
        )
        item.payout_id = payout.public_id
        item.save(update_fields=["payout_id"])
    competition.status = target
    competition.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="competitions.competition.award",
        obj=competition,
        organisation=competition.organiser,
        after={"status": target},
    )
    return competition


def on_payout_confirmed(event: Any) -> None:
    if event.subject_kind != SUBJECT:
        return
    Award.objects.filter(payout_id=event.payout_id, paid_at__isnull=True).update(paid_at=event.at)


def on_objection_decided(event: Any) -> None:
    """An upheld objection to the winners: back to "closed", awards withdrawn, the prize
    money released; the organiser announces corrected winners in a new 公示."""
    if event.subject_kind != SUBJECT or not event.upheld:
        return
    with transaction.atomic():
        competition = (
            Competition.objects.select_for_update().filter(public_id=event.subject_id).first()
        )
        if competition is None or competition.status != S.PUBLICITY:
            return
        commitment = commitment_of(competition)
        if commitment is not None and commitment.remaining > 0:
            payouts.release(commitment, actor=None, reason="winners' objection upheld")
        competition.awards.all().delete()
        competition.status = S.CLOSED
        competition.save(update_fields=["status"])
        audit.record(
            actor=None,
            action="competitions.competition.results_withdrawn",
            obj=competition,
            organisation=competition.organiser,
            after={"objection": event.objection_id},
        )


def prizes_total(competition: Competition) -> Decimal:
    return competition.awards.aggregate(t=Sum("prize"))["t"] or Decimal("0.00")


def judge_rounds(user: User) -> Any:
    return (
        Judge.objects.filter(user=user)
        .filter(Q(round__competition__status__in=(S.PUBLISHED, S.CLOSED)))
        .select_related("round", "round__competition")
    )
