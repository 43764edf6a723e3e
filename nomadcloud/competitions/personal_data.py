"""What competitions hold about a person (core/privacy.py): their entries and submissions,
and the competitions they created. Erasure clears the content of their submissions (it may
hold anything they wrote) and keeps each submission's number, hash, time and scores, and the
entry itself: a competition's leaderboard and results are a public record, which then names
only the project and the pseudonymous person.

Jury seats, score sheets and declared conflicts of interest, appeals filed, and the
introductions and follow-ups a person recorded are exported; at erasure the grounds of their
appeals and the reasons of their declared conflicts are cleared (free text about others), the
scores and decisions stay (a public competition's record)."""

from __future__ import annotations

from typing import Any

from nomadcloud.competitions.models import (
    Appeal,
    Competition,
    Entry,
    Judge,
    Recusal,
    Score,
    Submission,
)
from nomadcloud.core import privacy


def export(user: Any) -> dict[str, Any]:
    entries = Entry.objects.filter(person=user).select_related("competition", "track")
    submissions = Submission.objects.filter(entry__person=user).select_related("round")
    created = Competition.objects.filter(created_by=user)
    return {
        "entries": privacy.rows(
            entries, ["name", "status", "created_at"], public_id=lambda e: e.public_id
        ),
        "submissions": privacy.rows(
            submissions,
            ["number", "content", "sha256", "submitted_at", "is_final", "public_score"],
            public_id=lambda s: s.public_id,
        ),
        "competitions_you_created": privacy.rows(
            created, ["title", "status", "created_at"], public_id=lambda c: c.public_id
        ),
        "jury_seats": privacy.rows(
            Judge.objects.filter(user=user).select_related("round"), ["assigned_at"]
        ),
        "jury_scores": privacy.rows(
            Score.objects.filter(judge__user=user), ["points", "scored_at"]
        ),
        "conflicts_of_interest_declared": privacy.rows(
            Recusal.objects.filter(judge__user=user), ["reason", "declared_at"]
        ),
        "appeals": privacy.rows(
            Appeal.objects.filter(filed_by=user),
            ["grounds", "status", "reason", "filed_at", "decided_at"],
            public_id=lambda a: a.public_id,
        ),
    }


def erase(user: Any) -> None:
    Submission.objects.filter(entry__person=user).update(content="")
    Appeal.objects.filter(filed_by=user).update(grounds="")
    Recusal.objects.filter(judge__user=user).update(reason="")
