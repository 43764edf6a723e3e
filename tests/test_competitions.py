"""Maker competitions (docs/competitions.md): the organiser's rules frozen at publication,
entry windows, submission limits per day and in total, final selections, metric scoring on a
hidden answer set with public and private leaderboard parts, and bad input refused naming
the field with nothing changed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from nomadcloud.competitions import queries, services
from nomadcloud.competitions.models import Competition, Round, Submission
from nomadcloud.competitions.schemas import (
    CompetitionDraft,
    CompetitionRoundDraft,
    CompetitionTrackDraft,
)
from nomadcloud.core.errors import Conflict, DomainError, InvalidInput
from nomadcloud.core.inputs import parse_draft
from tests.builders.competitions import (
    answers_text,
    competition_body,
    draft_competition,
    entered,
    open_competition,
    round_body,
    submitted,
    title,
)
from tests.builders.world import World
from tests.conftest import client_for, database_fingerprint, make_person
from tests.helpers import api_post, assert_error

API = "/api/v1/competitions"


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _refused(exc: DomainError, field: str) -> None:
    assert field in exc.fields, (exc.code, exc.fields)


def test_rules_freeze_at_publication(world: World) -> None:
    item = draft_competition(world.acme, world.olivia)
    with pytest.raises(Conflict) as missing:
        services.move(item, actor=world.olivia, action="publish")
    assert missing.value.code == "no_tracks"
    item = open_competition(world.acme, world.olivia)
    before = database_fingerprint(["competitions"])
    with pytest.raises(Conflict) as frozen:
        services.add_track(
            item, actor=world.olivia, draft=CompetitionTrackDraft(code="x", title=title("甲", "A"))
        )
    assert frozen.value.code == "rules_frozen"
    with pytest.raises(Conflict) as frozen_round:
        services.add_round(
            item, actor=world.olivia, draft=parse_draft(CompetitionRoundDraft, round_body())
        )
    assert frozen_round.value.code == "rules_frozen"
    assert database_fingerprint(["competitions"]) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"title": {"zh-Hans": "只有中文"}}, "title"),
        (
            {
                "entry_closes_at": "2026-01-01T00:00:00+08:00",
                "entry_opens_at": "2026-02-01T00:00:00+08:00",
            },
            "entry_closes_at",
        ),
        ({"entry_opens_at": 1767225600}, "entry_opens_at"),
    ],
)
def test_bad_competitions_are_refused_naming_the_field(
    world: World, changes: dict[str, object], field: str
) -> None:
    before = database_fingerprint(["competitions"])
    with pytest.raises(InvalidInput) as refused:
        draft = parse_draft(CompetitionDraft, competition_body(world.acme, **changes))
        services.create_competition(organiser=world.acme, actor=world.olivia, draft=draft)
    _refused(refused.value, field)
    assert database_fingerprint(["competitions"]) == before


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"max_per_day": 5, "max_total": 3}, "max_total"),
        ({"max_per_day": 0}, "max_per_day"),
        ({"final_count": 4, "max_total": 3}, "final_count"),
        ({"answers": {}}, "answers"),
        ({"scoring": "jury"}, "answers"),
        ({"scoring": "lottery"}, "scoring"),
        ({"closes_at": "2020-01-01T00:00:00+08:00"}, "closes_at"),
        (
            {"opens_at": "2020-01-01T00:00:00+08:00", "closes_at": "2020-02-01T00:00:00+08:00"},
            "opens_at",
        ),
    ],
)
def test_bad_rounds_are_refused_naming_the_field(
    world: World, changes: dict[str, object], field: str
) -> None:
    item = draft_competition(world.acme, world.olivia)
    before = database_fingerprint(["competitions"])
    with pytest.raises(InvalidInput) as refused:
        services.add_round(
            item,
            actor=world.olivia,
            draft=parse_draft(CompetitionRoundDraft, round_body(**changes)),
        )
    _refused(refused.value, field)
    assert database_fingerprint(["competitions"]) == before


def test_a_round_opens_after_the_previous_one_closes(world: World) -> None:
    item = draft_competition(world.acme, world.olivia)
    services.add_round(
        item, actor=world.olivia, draft=parse_draft(CompetitionRoundDraft, round_body())
    )
    with pytest.raises(InvalidInput) as overlap:
        services.add_round(
            item, actor=world.olivia, draft=parse_draft(CompetitionRoundDraft, round_body())
        )
    _refused(overlap.value, "opens_at")
    later = round_body(
        title=title("决赛", "Final"),
        opens_at=(timezone.now() + timedelta(days=11)).isoformat(),
        closes_at=(timezone.now() + timedelta(days=15)).isoformat(),
        scoring="jury",
        answers={},
    )
    second = services.add_round(
        item, actor=world.olivia, draft=parse_draft(CompetitionRoundDraft, later)
    )
    assert second.number == 2


def test_entries_only_in_the_window_and_once(world: World) -> None:
    item = open_competition(world.acme, world.olivia)
    entered(item, world.charlie)
    with pytest.raises(Conflict) as twice:
        entered(item, world.charlie)
    assert twice.value.code == "already_entered"
    with pytest.raises(InvalidInput) as track:
        services.enter(
            item,
            actor=world.wendy,
            draft=parse_draft(
                __import__(
                    "nomadcloud.competitions.schemas", fromlist=["CompetitionEntryDraft"]
                ).CompetitionEntryDraft,
                {"track": "nope", "name": "x"},
            ),
        )
    _refused(track.value, "track")
    Competition.objects.filter(pk=item.pk).update(
        entry_closes_at=timezone.now() - timedelta(minutes=1),
        entry_opens_at=timezone.now() - timedelta(days=2),
    )
    item.refresh_from_db()
    before = database_fingerprint(["competitions"])
    with pytest.raises(Conflict) as late:
        entered(item, world.oscar)
    assert late.value.code == "entry_window_closed"
    assert database_fingerprint(["competitions"]) == before


def test_submission_limits_per_day_and_in_total(world: World) -> None:
    item = open_competition(world.acme, world.olivia)  # 2 a day, 3 in all
    entry = entered(item, world.charlie)
    round_ = item.rounds.get()
    submitted(entry, 5)
    submitted(entry, 6)
    assert services.remaining(entry, round_) == {"today": 0, "total": 1}
    before = database_fingerprint(["competitions"])
    with pytest.raises(Conflict) as daily:
        submitted(entry, 7)
    assert daily.value.code == "daily_submission_limit"
    _refused(daily.value, "content")
    assert database_fingerprint(["competitions"]) == before
    Submission.objects.filter(entry=entry).update(day=timezone.localdate() - timedelta(days=1))
    third = submitted(entry, 7)
    assert third.number == 3
    Submission.objects.filter(entry=entry).update(day=timezone.localdate() - timedelta(days=2))
    with pytest.raises(Conflict) as total:
        submitted(entry, 8)
    assert total.value.code == "submission_limit"
    assert entry.submissions.count() == 3


def test_the_submission_number_refuses_a_racing_duplicate(world: World) -> None:
    """Two submissions computed from the same count cannot both be stored."""
    item = open_competition(world.acme, world.olivia)
    first = submitted(entered(item, world.charlie))
    with pytest.raises(IntegrityError), transaction.atomic():
        Submission.objects.create(
            entry=first.entry, round=first.round, number=1, day=first.day, sha256="0" * 64
        )


def test_submissions_outside_the_window_or_malformed_are_refused(world: World) -> None:
    item = open_competition(world.acme, world.olivia)
    entry = entered(item, world.charlie)
    from nomadcloud.competitions.schemas import CompetitionSubmissionDraft

    for content, fragment in [
        ("item-01 cat", "Line 1"),
        ("item-01,cat\nitem-99,dog", "item-99"),
        ("item-01,cat\nitem-01,dog", "repeats"),
    ]:
        with pytest.raises(InvalidInput) as bad:
            services.submit(
                entry,
                actor=world.charlie,
                draft=CompetitionSubmissionDraft(round=1, content=content),
            )
        assert fragment in bad.value.fields["content"][0]
    with pytest.raises(InvalidInput) as no_round:
        services.submit(
            entry, actor=world.charlie, draft=CompetitionSubmissionDraft(round=2, content="a,b")
        )
    _refused(no_round.value, "round")
    Round.objects.filter(competition=item).update(closes_at=timezone.now() - timedelta(minutes=1))
    with pytest.raises(Conflict) as closed:
        submitted(entry)
    assert closed.value.code == "submission_window_closed"
    assert not entry.submissions.exists()


def test_metric_scores_and_leaderboard_parts(world: World) -> None:
    item = open_competition(world.acme, world.olivia)
    round_ = item.rounds.get()
    charlie = entered(item, world.charlie, "Charlie's model")
    wendy = entered(item, world.wendy, "Wendy's model")
    host = entered(item, world.rita, "Acme's own baseline")  # the organiser's member
    perfect = submitted(charlie, 20)
    assert perfect.public_score == Decimal("1.0000") and perfect.private_score == Decimal("1.0000")
    weak = submitted(charlie, 0)
    services.choose_final(weak, actor=world.charlie, final=True)  # Charlie picks the weak one
    submitted(wendy, 14)
    submitted(host, 20)
    public = queries.leaderboard(round_, "public")
    assert [r.name for r in public] == ["Charlie's model", "Wendy's model"]  # host kept off
    assert queries.leaderboard(round_, "private") == []  # hidden until the round closes
    Round.objects.filter(pk=round_.pk).update(closes_at=timezone.now() - timedelta(seconds=1))
    round_.refresh_from_db()
    private = queries.leaderboard(round_, "private")
    assert [r.name for r in private] == ["Wendy's model", "Charlie's model"]
    assert private[1].score == Decimal("0.0000")


def test_final_selection_is_limited(world: World) -> None:
    item = open_competition(world.acme, world.olivia)
    entry = entered(item, world.charlie)
    a, b = submitted(entry, 3), submitted(entry, 4)
    services.choose_final(a, actor=world.charlie, final=True)
    with pytest.raises(Conflict) as too_many:
        services.choose_final(b, actor=world.charlie, final=True)
    assert too_many.value.code == "too_many_finals"
    services.choose_final(a, actor=world.charlie, final=False)
    services.choose_final(b, actor=world.charlie, final=True)
    assert list(entry.submissions.filter(is_final=True)) == [b]


def test_the_api_refuses_in_chinese_naming_the_field(world: World) -> None:
    item = draft_competition(world.acme, world.olivia)
    before = database_fingerprint(["competitions"])
    client = client_for(world.olivia, HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = api_post(
        client, f"{API}/{item.public_id}/rounds", round_body(max_per_day=5, max_total=3)
    )
    body = assert_error(response, "invalid_input", "max_total", status=422)
    assert "总数" in body["fields"]["max_total"][0]
    assert database_fingerprint(["competitions"]) == before


def test_pages_show_remaining_submissions_and_the_board(world: World) -> None:
    item = open_competition(world.acme, world.olivia)
    person = make_person("Nina", "nina@example.com")
    entry = entered(item, person, "Nina's selector")
    submitted(entry, 12)
    page = client_for(person).get(f"/competitions/{item.public_id}/")
    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="remaining-1"' in html and "今天 1 次，本轮 2 次" in html
    assert "Nina&#x27;s selector" in html or "Nina's selector" in html
    assert "item-01,cat" not in html  # the hidden answer set never reaches the page
    response = client_for(person).post(
        f"/competitions/entries/{entry.public_id}/submit/",
        {"round": 1, "content": answers_text(20)},
    )
    assert response.status_code == 302
    assert entry.submissions.count() == 2


def test_privacy_export_and_erasure(world: World) -> None:
    from nomadcloud.competitions import personal_data

    item = open_competition(world.acme, world.olivia)
    entry = entered(item, world.charlie, "Charlie's model")
    sub = submitted(entry, 5)
    exported = personal_data.export(world.charlie)
    assert [e["name"] for e in exported["entries"]] == ["Charlie's model"]
    assert exported["submissions"][0]["sha256"] == sub.sha256
    personal_data.erase(world.charlie)
    sub.refresh_from_db()
    assert sub.content == "" and sub.public_score is not None
