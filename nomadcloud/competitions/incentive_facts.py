"""The facts competitions holds for incentives' industrialisation support (plan 004 task 15,
policy ``competition``, fact kind ``competition_awards``), registered with
``incentives.facts.register_provider`` at start-up (competitions sits above incentives, so
incentives reads them without importing this app).

An award is a place 1–3 on the private leaderboard of a closed competition's last round,
dated the day that round closed. It counts for the enterprise the winning project landed as:
the earliest enterprise its entrant owns; ``industrialised`` when that enterprise is verified
and registered in China (``incentives.facts.local_digital_economy``). Team entries wait for
the teams link (their owner is not known here yet)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from nomadcloud.accounts.models import Membership, Organisation
from nomadcloud.competitions.models import Competition, Entry
from nomadcloud.competitions.queries import leaderboard
from nomadcloud.incentives import facts

PRIZE_RANKS = 3


def awards(year: int, org_ids: set[int] | None) -> dict[int, list[dict[str, Any]]]:
    """{enterprise id: award items} for the competitions whose last round closed in ``year``."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    winners: list[tuple[Competition, date, int, Any]] = []
    for competition in Competition.objects.filter(status=Competition.Status.CLOSED).order_by("id"):
        final = competition.rounds.order_by("-number").first()
        if final is None:
            continue
        closed_on = timezone.localdate(final.closes_at)
        if not first <= closed_on <= last:
            continue
        for row in leaderboard(final, "private")[:PRIZE_RANKS]:
            winners.append((competition, closed_on, row.rank, row.entry_public_id))
    entries = {
        e.public_id: e
        for e in Entry.objects.filter(public_id__in=[w[3] for w in winners], person__isnull=False)
    }
    owners = {e.person_id for e in entries.values() if e.person_id is not None}
    enterprise_of: dict[int, Organisation] = {}
    for membership in (
        Membership.objects.filter(
            user_id__in=owners,
            role=Membership.Role.OWNER,
            organisation__kind=Organisation.Kind.ENTERPRISE,
        )
        .select_related("organisation")
        .order_by("organisation_id")
    ):
        enterprise_of.setdefault(membership.user_id, membership.organisation)
    out: dict[int, list[dict[str, Any]]] = {}
    for competition, closed_on, rank, entry_id in winners:
        entry = entries.get(entry_id)
        if entry is None or entry.person_id not in enterprise_of:
            continue
        enterprise = enterprise_of[entry.person_id]
        if org_ids is not None and enterprise.pk not in org_ids:
            continue
        out.setdefault(enterprise.pk, []).append(
            {
                "id": str(entry.public_id),
                "date": closed_on.isoformat(),
                "rank": rank,
                "project": entry.name,
                "competition": str(competition.public_id),
                "industrialised": facts.local_digital_economy(enterprise),
            }
        )
    return out


def register() -> None:
    facts.register_provider("competition_awards", awards)
