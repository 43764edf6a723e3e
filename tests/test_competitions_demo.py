"""The demo competition: published with tracks and rounds, nomads entered with scored
submissions on the public leaderboard, and seeding twice adds nothing."""

from __future__ import annotations

from django.core.management import call_command

from nomadcloud.competitions import queries
from nomadcloud.competitions.models import Competition, Entry


def test_the_demo_competition(db: None) -> None:
    call_command("seed_demo", "--nomads", "6", verbosity=0)
    published = Competition.objects.get(status="published")
    assert published.tracks.count() == 2 and published.rounds.count() == 2
    board = queries.leaderboard(published.rounds.get(number=1), "public")
    assert len(board) == 5 and board[0].score > board[-1].score
    assert Competition.objects.filter(status="draft").count() == 1
    call_command("seed_demo", "--nomads", "6", verbosity=0)
    assert Competition.objects.count() == 2 and Entry.objects.count() == 5
