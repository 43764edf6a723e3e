"""Reads for the competition pages and API, scoped through ``access``; the leaderboards."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from nomadcloud.accounts.access import is_zone_operator, require_authenticated
from nomadcloud.accounts.models import Membership
from nomadcloud.accounts.principal import Principal
from nomadcloud.competitions import access
from nomadcloud.competitions.models import (
    Appeal,
    Competition,
    Entry,
    Introduction,
    Round,
    Submission,
)


def competitions_for(principal: Principal, *, status: str = "") -> QuerySet[Competition]:
    items = access.visible_competitions(principal).order_by("-id")
    if status:
        items = items.filter(status=status)
    return items


def entries_of(principal: Principal) -> QuerySet[Entry]:
    """The principal's own entries (a person's), newest first."""
    return (
        access.visible_entries(principal)
        .filter(
            Q(person=principal.user)
            | Q(team__members__user=principal.user, team__members__status="accepted")
        )
        .distinct()
        .order_by("-id")
    )


def my_entry(principal: Principal, competition: Competition) -> Entry | None:
    if principal.user is None:
        return None
    return (
        Entry.objects.select_related("track", "team")
        .filter(competition=competition)
        .filter(
            Q(person=principal.user)
            | Q(team__members__user=principal.user, team__members__status="accepted")
        )
        .first()
    )


@dataclass(frozen=True)
class Row:
    rank: int
    entry_public_id: object
    name: str
    score: Decimal


def leaderboard(round_: Round, part: str, *, now: object = None) -> list[Row]:
    """The public part (best public score of each entry, live) or the private part (the best
    private score among each entry's final submissions — or, when it selected none, its
    ``final_count`` best by public score — shown only once the round has closed). Entries of
    the organiser's own members are scored but kept off the board. One query."""
    if part == "private" and timezone.now() < round_.closes_at:
        return []
    hosts = Membership.objects.filter(organisation_id=round_.competition.organiser_id).values(
        "user_id"
    )
    submissions = (
        Submission.objects.filter(round=round_, public_score__isnull=False)
        .exclude(entry__person_id__in=hosts)
        .select_related("entry")
        .order_by("entry_id", "-public_score", "id")
    )
    by_entry: dict[int, list[Submission]] = {}
    for s in submissions:
        by_entry.setdefault(s.entry_id, []).append(s)
    scored: list[tuple[Decimal, str, object]] = []
    for subs in by_entry.values():
        entry = subs[0].entry
        if part == "public":
            best = max(s.public_score or Decimal(0) for s in subs)
        else:
            finals = [s for s in subs if s.is_final] or subs[: round_.final_count]
            best = max(s.private_score or Decimal(0) for s in finals)
        scored.append((best, entry.name, entry.public_id))
    scored.sort(key=lambda t: (-t[0], t[1]))
    return [
        Row(rank=n, entry_public_id=pid, name=name, score=value)
        for n, (value, name, pid) in enumerate(scored, start=1)
    ]


def introductions_for(principal: Principal) -> QuerySet[Introduction]:
    """Introductions of winning projects the principal answers (to an organisation they own or
    administer) or follows up (of a competition they organise); all for the zone operator."""
    require_authenticated(principal)
    items = Introduction.objects.select_related(
        "award__competition", "award__entry", "organisation"
    ).prefetch_related("follow_ups")
    if is_zone_operator(principal):
        return items.order_by("-id")
    if principal.user is None:
        return items.none()
    managed = Membership.objects.filter(user=principal.user, role__in=access.MANAGER_ROLES)
    return items.filter(
        Q(organisation__in=managed.values("organisation"))
        | Q(award__competition__organiser__in=managed.values("organisation"))
    ).order_by("-id")


def appeals_of(competition: Competition) -> QuerySet[Appeal]:
    """A competition's appeals, for its organiser's decision."""
    return (
        Appeal.objects.filter(round__competition=competition)
        .select_related("entry", "round")
        .order_by("-id")
    )
