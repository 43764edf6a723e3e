"""Competitions for the competitions tests and the permission matrix: Acme organises them;
Rita (read-only at Acme) has entered the published one."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.competitions import services
from nomadcloud.competitions.models import Competition, Entry, Submission
from nomadcloud.competitions.schemas import (
    CompetitionDraft,
    CompetitionEntryDraft,
    CompetitionRoundDraft,
    CompetitionSubmissionDraft,
    CompetitionTrackDraft,
)
from nomadcloud.core.inputs import parse_draft
from tests.builders.world import World

ANSWERS = {f"item-{n:02d}": ("cat" if n % 3 else "dog") for n in range(1, 21)}


def title(zh: str, en: str) -> dict[str, str]:
    return {"zh-Hans": zh, "en": en}


def iso(delta: timedelta) -> str:
    return (timezone.now() + delta).isoformat()


def competition_body(org: Organisation, **changes: Any) -> dict[str, Any]:
    return {
        "organisation": str(org.public_id),
        "title": title("跨境电商智能选品大赛", "Cross-border e-commerce selection contest"),
        "description": title("数字创客赛事", "A maker competition"),
        "entry_opens_at": iso(timedelta(days=-1)),
        "entry_closes_at": iso(timedelta(days=20)),
    } | changes


def round_body(**changes: Any) -> dict[str, Any]:
    return {
        "title": title("初赛", "Preliminary round"),
        "opens_at": iso(timedelta(hours=-2)),
        "closes_at": iso(timedelta(days=10)),
        "max_per_day": 2,
        "max_total": 3,
        "final_count": 1,
        "scoring": "metric",
        "answers": ANSWERS,
    } | changes


def draft_competition(org: Organisation, actor: User | None = None, **changes: Any) -> Competition:
    return services.create_competition(
        organiser=org,
        actor=actor,
        draft=parse_draft(CompetitionDraft, competition_body(org, **changes)),
    )


def open_competition(org: Organisation, actor: User | None = None, **round_: Any) -> Competition:
    """Published, entries open, one track (``data``) and one metric round open now."""
    item = draft_competition(org, actor)
    services.add_track(
        item, actor=actor, draft=CompetitionTrackDraft(code="data", title=title("数据加工", "Data"))
    )
    services.add_round(
        item, actor=actor, draft=parse_draft(CompetitionRoundDraft, round_body(**round_))
    )
    return services.move(item, actor=actor, action="publish")


def entered(item: Competition, person: User, name: str = "智能选品") -> Entry:
    return services.enter(item, actor=person, draft=CompetitionEntryDraft(track="data", name=name))


def answers_text(right: int) -> str:
    """A metric submission with the first ``right`` items right and the rest wrong."""
    lines = []
    for n, (item, label) in enumerate(ANSWERS.items()):
        lines.append(f"{item},{label if n < right else 'wrong'}")
    return "\n".join(lines)


def submitted(entry: Entry, right: int = 10, round_: int = 1) -> Submission:
    assert entry.person is not None
    return services.submit(
        entry,
        actor=entry.person,
        draft=CompetitionSubmissionDraft(round=round_, content=answers_text(right)),
    )


# --- the permission matrix's objects (Acme organises) ----------------------------------------


def acme_draft(w: World) -> Competition:
    existing = Competition.objects.filter(organiser=w.acme, status="draft").first()
    return existing or draft_competition(w.acme, w.olivia)


def acme_open(w: World) -> Competition:
    existing = Competition.objects.filter(organiser=w.acme, status="published").first()
    return existing or open_competition(w.acme, w.olivia)


def rita_entry(w: World) -> Entry:
    existing = Entry.objects.filter(person=w.rita).first()
    return existing or entered(acme_open(w), w.rita)


def rita_submission(w: World) -> Submission:
    existing = Submission.objects.filter(entry__person=w.rita).first()
    return existing or submitted(rita_entry(w))
