"""Appeals against a round's scores: filed by an entrant within the round's appeal days of the
scoring's close, decided by the organiser with a reason; an upheld appeal reopens the scoring."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.competitions.models import (
    Appeal,
    Entry,
    Round,
)
from nomadcloud.competitions.schemas import (
    CompetitionAppealDecision,
    CompetitionAppealDraft,
)
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field


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
