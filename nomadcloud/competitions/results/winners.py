"""The winners' 公示 and the prizes: announced once no appeal is pending and every appeal window has
ended, committed from the organiser's budget then, paid through payouts after the 公示 ends
without an upheld objection."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

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
    Entry,
    Judge,
    Round,
)
from nomadcloud.competitions.schemas import (
    CompetitionWinnersDraft,
)
from nomadcloud.core import audit, publicity
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.payouts import services as payouts
from nomadcloud.payouts.models import Budget, Commitment

from .appeals import appeal_deadline
from .jury import (
    NOTICE_DAYS,
    SUBJECT,
    S,
)


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
