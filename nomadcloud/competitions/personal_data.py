"""What competitions hold about a person (core/privacy.py): their entries and submissions,
and the competitions they created. Erasure clears the content of their submissions (it may
hold anything they wrote) and keeps each submission's number, hash, time and scores, and the
entry itself: a competition's leaderboard and results are a public record, which then names
only the project and the pseudonymous person."""

from __future__ import annotations

from typing import Any

from nomadcloud.competitions.models import Competition, Entry, Submission
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
    }


def erase(user: Any) -> None:
    Submission.objects.filter(entry__person=user).update(content="")
