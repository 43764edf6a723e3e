"""Two experts submitting the last score sheets at the same moment close the evaluation
exactly once (issue 18): ``submit_scores`` takes the challenge's row lock before it looks at
the sheets, so the second sees the first's sheet and the closing move happens in one of the
two transactions only. Real parallel transactions need PostgreSQL (NOMADCLOUD_TEST_DB=
postgres); on SQLite the writes are serialised by the database anyway."""

from __future__ import annotations

import threading

import pytest
from django.conf import settings
from django.db import connection

from nomadcloud.bounties.models import Assignment, Challenge, ChallengeEvent
from nomadcloud.bounties.schemas import ScoresDraft
from nomadcloud.bounties.services import evaluation
from tests.builders.bounties import P, flow
from tests.builders.world import World

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


@pytest.mark.skipif(not ON_POSTGRESQL, reason="parallel transactions need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_two_last_sheets_at_once_close_the_evaluation_once(world: World) -> None:
    f = flow(world, "evaluation")
    sheets = list(
        Assignment.objects.filter(application__challenge=f.challenge).select_related(
            "expert__user", "application__challenge"
        )
    )
    assert len(sheets) == 3
    evaluation.submit_scores(
        principal=P(sheets[0].expert.user),
        assignment=sheets[0],
        draft=ScoresDraft(scores={"tech": 7, "team": 6}),
    )
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def score(a: Assignment) -> None:
        try:
            barrier.wait(timeout=30)
            evaluation.submit_scores(
                principal=P(a.expert.user),
                assignment=a,
                draft=ScoresDraft(scores={"tech": 9, "team": 8}),
            )
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=score, args=(a,)) for a in sheets[1:]]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    f.refresh()
    assert f.challenge.status == Challenge.Status.SELECTION
    closings = ChallengeEvent.objects.filter(challenge=f.challenge, action="close_evaluation")
    assert closings.count() == 1
    assert set(
        Assignment.objects.filter(application__challenge=f.challenge).values_list(
            "status", flat=True
        )
    ) == {"scored"}
