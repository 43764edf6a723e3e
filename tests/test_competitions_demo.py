"""The demo competition: published with tracks and rounds, nomads entered with scored
submissions on the public leaderboard, and seeding twice adds nothing."""

from __future__ import annotations

from decimal import Decimal

from django.core.management import call_command

from nomadcloud.competitions import queries, results
from nomadcloud.competitions.models import Competition, Entry, FollowUp


def test_the_demo_competition(db: None) -> None:
    call_command("seed_demo", "--nomads", "9", verbosity=0)
    published = Competition.objects.get(status="published")
    assert published.tracks.count() == 2 and published.rounds.count() == 2
    board = queries.leaderboard(published.rounds.get(number=1), "public")
    assert len(board) == 5 and board[0].score > board[-1].score
    assert Competition.objects.filter(status="draft").count() == 1
    # The finished one (decision 0035): a team won, its prize paid (confirmed), introduced
    # to an enterprise, registered in the zone at the 90-day follow-up.
    finished = Competition.objects.exclude(status__in=("published", "draft")).get()
    if finished.status == "awarded":
        first = finished.awards.get(rank=1)
        assert first.entry.entrant_kind == "team" and first.paid_at is not None
        outcomes = FollowUp.objects.filter(introduction__award=first)
        assert outcomes.get(after_days=90).outcome == "registered_in_zone"
    board = results.jury_board(finished.rounds.get())
    assert [r.score for r in board] == [Decimal("86.00"), Decimal("66.00")]
    call_command("seed_demo", "--nomads", "9", verbosity=0)
    assert Competition.objects.count() == 3 and Entry.objects.count() == 7
