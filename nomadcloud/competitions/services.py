"""Use cases of maker competitions (docs/competitions.md). One transaction each, keyword-only
typed inputs (``schemas``), audited. These functions do not decide who may act: ``access``
does, in the views and the API, before calling them.

Submission limits are race-safe: the entry's row is locked while the round's submissions are
counted (PostgreSQL), and each submission takes the next number of its entry and round under
a unique constraint, so two submissions racing for the last slot cannot both be stored.
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.competitions import transitions
from nomadcloud.competitions.models import Competition, Entry, Park, Round, Submission, Track
from nomadcloud.competitions.schemas import (
    CompetitionDraft,
    CompetitionEntryDraft,
    CompetitionRoundDraft,
    CompetitionSubmissionDraft,
    CompetitionTrackDraft,
    ParkDraft,
)
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.teams import access as team_access
from nomadcloud.teams import queries as team_queries
from nomadcloud.teams.models import Team

S = Competition.Status
FOUR_PLACES = Decimal("0.0001")


def _aware(value: datetime, field: str) -> datetime:
    if timezone.is_naive(value):
        return timezone.make_aware(value)
    return value


def _frozen(competition: Competition) -> None:
    if competition.status != S.DRAFT:
        raise Conflict(
            _("The rules of a published competition cannot change: tracks and rounds are set."),
            code="rules_frozen",
        )


# --- the organiser --------------------------------------------------------------------------


@transaction.atomic
def create_competition(
    *, organiser: Organisation, actor: User | None, draft: CompetitionDraft
) -> Competition:
    opens = _aware(draft.entry_opens_at, "entry_opens_at")
    closes = _aware(draft.entry_closes_at, "entry_closes_at")
    if closes <= opens:
        raise invalid_field("entry_closes_at", _("Entries must close after they open."))
    competition = Competition.objects.create(
        organiser=organiser,
        title=draft.title,
        description=draft.description or {},
        entry_opens_at=opens,
        entry_closes_at=closes,
        created_by=actor,
    )
    audit.record(
        actor=actor,
        action="competitions.competition.create",
        obj=competition,
        organisation=organiser,
        after={"title": draft.title, "entry_opens_at": opens, "entry_closes_at": closes},
    )
    return competition


@transaction.atomic
def add_track(
    competition: Competition, *, actor: User | None, draft: CompetitionTrackDraft
) -> Track:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    _frozen(competition)
    if competition.tracks.filter(code=draft.code).exists():
        raise invalid_field("code", _("This competition already has a track with this code."))
    track = Track.objects.create(competition=competition, code=draft.code, title=draft.title)
    audit.record(
        actor=actor,
        action="competitions.track.add",
        obj=competition,
        organisation=competition.organiser,
        after={"code": draft.code, "title": draft.title},
    )
    return track


@transaction.atomic
def add_round(
    competition: Competition, *, actor: User | None, draft: CompetitionRoundDraft
) -> Round:
    """The next round. Rounds follow each other: each opens once entries open and after the
    previous one closes; a metric round needs its hidden answer set."""
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    _frozen(competition)
    opens = _aware(draft.opens_at, "opens_at")
    closes = _aware(draft.closes_at, "closes_at")
    if closes <= opens:
        raise invalid_field("closes_at", _("Submissions must close after they open."))
    if opens < competition.entry_opens_at:
        raise invalid_field("opens_at", _("A round cannot open before entries open."))
    previous = competition.rounds.order_by("-number").first()
    if previous is not None and opens < previous.closes_at:
        raise invalid_field(
            "opens_at",
            _("Round %(number)d closes later: a round opens after the previous one closes.")
            % {"number": previous.number},
        )
    if draft.max_total < draft.max_per_day:
        raise invalid_field(
            "max_total", _("The total limit cannot be smaller than the limit per day.")
        )
    if draft.final_count > draft.max_total:
        raise invalid_field(
            "final_count", _("An entrant cannot select more submissions than they may make.")
        )
    answers = {str(k).strip(): str(v).strip() for k, v in draft.answers.items()}
    if draft.scoring == "metric":
        if len(answers) < 2 or any(not k or not v for k, v in answers.items()):
            raise invalid_field(
                "answers",
                _(
                    "A metric round needs a hidden answer set of at least two items, each with "
                    "an item id and a label."
                ),
            )
    elif answers:
        raise invalid_field("answers", _("Only a metric round has a hidden answer set."))
    number = (previous.number + 1) if previous is not None else 1
    item = Round.objects.create(
        competition=competition,
        number=number,
        title=draft.title,
        opens_at=opens,
        closes_at=closes,
        max_per_day=draft.max_per_day,
        max_total=draft.max_total,
        final_count=draft.final_count,
        scoring=draft.scoring,
        answers=answers,
        public_share=draft.public_share,
    )
    audit.record(
        actor=actor,
        action="competitions.round.add",
        obj=competition,
        organisation=competition.organiser,
        after={
            "number": number,
            "opens_at": opens,
            "closes_at": closes,
            "max_per_day": draft.max_per_day,
            "max_total": draft.max_total,
            "scoring": draft.scoring,
            "answers": len(answers),
        },
    )
    return item


@transaction.atomic
def move(competition: Competition, *, actor: User | None, action: str) -> Competition:
    competition = Competition.objects.select_for_update().get(pk=competition.pk)
    target = transitions.check(competition, action)
    if action == "publish":
        if not competition.tracks.exists():
            raise Conflict(_("Add at least one track before publishing."), code="no_tracks")
        if not competition.rounds.exists():
            raise Conflict(_("Add at least one round before publishing."), code="no_rounds")
        competition.published_at = timezone.now()
    before = competition.status
    competition.status = target
    competition.save(update_fields=["status", "published_at"])
    audit.record(
        actor=actor,
        action=f"competitions.competition.{action}",
        obj=competition,
        organisation=competition.organiser,
        before={"status": before},
        after={"status": target},
    )
    return competition


# --- entrants -------------------------------------------------------------------------------


@transaction.atomic
def enter(competition: Competition, *, actor: User, draft: CompetitionEntryDraft) -> Entry:
    """An entry by a person, or by a team (``draft.team``) entered by its lead, in the entry
    window. A person takes part once per competition, alone or in one team."""
    if competition.status != S.PUBLISHED:
        raise Conflict(_("This competition does not take entries."), code="not_open")
    now = timezone.now()
    if not competition.entry_opens_at <= now < competition.entry_closes_at:
        raise Conflict(
            _("Entries are accepted from %(opens)s to %(closes)s.")
            % {
                "opens": timezone.localtime(competition.entry_opens_at).strftime("%Y-%m-%d %H:%M"),
                "closes": timezone.localtime(competition.entry_closes_at).strftime(
                    "%Y-%m-%d %H:%M"
                ),
            },
            code="entry_window_closed",
        )
    track = competition.tracks.filter(code=draft.track).first()
    if track is None:
        raise invalid_field("track", _("Choose one of the competition's tracks."))
    team = None
    people = [actor.pk]
    if draft.team is not None:
        team = Team.objects.select_for_update().filter(public_id=draft.team).first()
        if team is None or not team_access.is_member(actor, team):
            raise invalid_field("team", _("Choose one of your teams."))
        if team.lead_id != actor.pk:
            raise Forbidden(_("Only the team lead may enter the team."), code="lead_only")
        people = [m.user_id for m in team_queries.accepted_members(team)]
    taken = competition.entries.exclude(status=Entry.Status.WITHDRAWN).filter(
        Q(person_id__in=people)
        | Q(team__members__user_id__in=people, team__members__status="accepted")
    )
    if taken.exists():
        raise Conflict(
            _("You or a member of your team have already entered this competition."),
            code="already_entered",
        )
    try:
        with transaction.atomic():
            entry = Entry.objects.create(
                competition=competition,
                track=track,
                entrant_kind=Entry.Kind.TEAM if team else Entry.Kind.PERSON,
                person=None if team else actor,
                team=team,
                team_ref=str(team.public_id) if team else "",
                name=draft.name,
            )
    except IntegrityError as exc:
        raise Conflict(
            _("You have already entered this competition."), code="already_entered"
        ) from exc
    audit.record(
        actor=actor,
        action="competitions.entry.create",
        obj=entry,
        organisation=competition.organiser,
        after={"track": track.code, "name": draft.name, "team": entry.team_ref},
    )
    return entry


def parse_answers(content: str, round_: Round) -> dict[str, str]:
    """``item,label`` lines of a metric round's submission; refused naming the line."""
    answers: dict[str, str] = {}
    for n, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        item, sep, label = line.partition(",")
        item, label = item.strip(), label.strip()
        if not sep or not item or not label:
            raise invalid_field("content", _("Line %(n)d is not “item,label”.") % {"n": n})
        if item not in round_.answers:
            raise invalid_field(
                "content",
                _("Line %(n)d names item “%(item)s”, which is not in this round's set.")
                % {"n": n, "item": item[:40]},
            )
        if item in answers:
            raise invalid_field(
                "content", _("Line %(n)d repeats item “%(item)s”.") % {"n": n, "item": item[:40]}
            )
        answers[item] = label
    if not answers:
        raise invalid_field("content", _("Give at least one “item,label” line."))
    return answers


def is_public_item(round_: Round, item: str) -> bool:
    """Whether ``item`` scores the public leaderboard: a stable hash of the round and item,
    so the split needs no storage and cannot be guessed from the item ids' order."""
    digest = hashlib.sha256(f"{round_.pk}:{item}".encode()).digest()
    return int.from_bytes(digest[:4], "big") % 100 < round_.public_share


def score(round_: Round, answers: dict[str, str]) -> tuple[Decimal, Decimal]:
    """Accuracy on the public and the private items of the hidden answer set (an item not
    answered counts wrong)."""
    right = {True: 0, False: 0}
    total = {True: 0, False: 0}
    for item, expected in round_.answers.items():
        public = is_public_item(round_, item)
        total[public] += 1
        if answers.get(item) == expected:
            right[public] += 1

    def share(part: bool) -> Decimal:
        if not total[part]:
            return Decimal("0.0000")
        return (Decimal(right[part]) / Decimal(total[part])).quantize(FOUR_PLACES)

    return share(True), share(False)


def remaining(entry: Entry, round_: Round, *, now: datetime | None = None) -> dict[str, int]:
    """Submissions left today and in total (shown next to the form at all times)."""
    day = timezone.localdate(now or timezone.now())
    made = Submission.objects.filter(entry=entry, round=round_)
    total = made.count()
    today = made.filter(day=day).count()
    return {
        "today": max(0, min(round_.max_per_day - today, round_.max_total - total)),
        "total": max(0, round_.max_total - total),
    }


@transaction.atomic
def submit(entry: Entry, *, actor: User, draft: CompetitionSubmissionDraft) -> Submission:
    entry = Entry.objects.select_for_update().select_related("competition").get(pk=entry.pk)
    competition = entry.competition
    if competition.status != S.PUBLISHED or entry.status != Entry.Status.REGISTERED:
        raise Conflict(_("This entry cannot submit any more."), code="not_open")
    round_ = competition.rounds.filter(number=draft.round).first()
    if round_ is None:
        raise invalid_field("round", _("This competition has no such round."))
    now = timezone.now()
    if not round_.opens_at <= now < round_.closes_at:
        raise Conflict(
            _("Round %(number)d takes submissions from %(opens)s to %(closes)s.")
            % {
                "number": round_.number,
                "opens": timezone.localtime(round_.opens_at).strftime("%Y-%m-%d %H:%M"),
                "closes": timezone.localtime(round_.closes_at).strftime("%Y-%m-%d %H:%M"),
            },
            code="submission_window_closed",
            fields={"round": [_("This round is not open for submissions.")]},
        )
    left = remaining(entry, round_, now=now)
    if left["total"] <= 0:
        message = _("You have made all %(n)d submissions this round allows.") % {
            "n": round_.max_total
        }
        raise Conflict(message, code="submission_limit", fields={"content": [message]})
    if left["today"] <= 0:
        message = _("You have made the %(n)d submissions allowed today; try again tomorrow.") % {
            "n": round_.max_per_day
        }
        raise Conflict(message, code="daily_submission_limit", fields={"content": [message]})
    public_score = private_score = None
    if round_.scoring == Round.Scoring.METRIC:
        public_score, private_score = score(round_, parse_answers(draft.content, round_))
    number = round_.max_total - left["total"] + 1
    try:
        with transaction.atomic():
            item = Submission.objects.create(
                entry=entry,
                round=round_,
                number=number,
                day=timezone.localdate(now),
                content=draft.content,
                sha256=hashlib.sha256(draft.content.encode()).hexdigest(),
                submitted_by=actor,
                public_score=public_score,
                private_score=private_score,
            )
    except IntegrityError as exc:  # a submission racing for the same number
        raise Conflict(
            _("Another submission of this entry was stored at the same moment; try again."),
            code="submission_race",
        ) from exc
    audit.record(
        actor=actor,
        action="competitions.submission.create",
        obj=item,
        organisation=competition.organiser,
        after={"round": round_.number, "number": number, "sha256": item.sha256},
    )
    return item


@transaction.atomic
def choose_final(submission: Submission, *, actor: User, final: bool) -> Submission:
    """Select (or unselect) a submission as one of the entry's final ones for its round, up
    to the round's ``final_count``, until the round closes."""
    entry = Entry.objects.select_for_update().get(pk=submission.entry_id)
    submission = Submission.objects.select_related("round").get(pk=submission.pk)
    round_ = submission.round
    if timezone.now() >= round_.closes_at:
        raise Conflict(
            _("The round has closed: its final submissions are fixed."), code="round_closed"
        )
    if final and not submission.is_final:
        chosen = Submission.objects.filter(entry=entry, round=round_, is_final=True).count()
        if chosen >= round_.final_count:
            message = _(
                "You may select at most %(n)d final submissions in this round; unselect one first."
            ) % {"n": round_.final_count}
            raise Conflict(message, code="too_many_finals", fields={"final": [message]})
    if submission.is_final != final:
        submission.is_final = final
        submission.save(update_fields=["is_final"])
        audit.record(
            actor=actor,
            action="competitions.submission.final",
            obj=submission,
            after={"is_final": final},
        )
    return submission


@transaction.atomic
def save_park(*, actor: User, organisation: Organisation, draft: ParkDraft) -> Park:
    """Register ``organisation`` as an industrial park or replace its profile: the sectors it
    welcomes, its free places and what it offers. Winning projects are matched to it from
    then on (landing.py). The caller checked the actor (access.park_organisation_for)."""
    from nomadcloud.taxonomy.models import Concept

    codes = list(dict.fromkeys(draft.sectors))
    found = {c.code: c for c in Concept.objects.filter(code__in=codes, is_active=True)}
    for index, code in enumerate(codes):
        if code not in found:
            raise invalid_field(
                f"sectors.{index}",
                _("Unknown sector %(code)s: use a code from the taxonomy.") % {"code": code[:80]},
                code="unknown_concept",
            )
    park, created = Park.objects.select_for_update().get_or_create(
        organisation=organisation,
        defaults={"capacity": draft.capacity, "note": draft.note.strip()},
    )
    before = None
    if not created:
        before = {
            "sectors": sorted(park.sectors.values_list("code", flat=True)),
            "capacity": park.capacity,
            "note": park.note,
        }
        park.capacity = draft.capacity
        park.note = draft.note.strip()
        park.save(update_fields=["capacity", "note"])
    park.sectors.set([found[code] for code in codes])
    audit.record(
        actor=actor,
        action="competitions.park.register" if created else "competitions.park.update",
        obj=park,
        organisation=organisation,
        before=before,
        after={"sectors": sorted(codes), "capacity": draft.capacity, "note": park.note},
    )
    return park
