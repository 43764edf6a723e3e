"""Two experts submitting the last score sheets at the same moment close the evaluation
exactly once, and parallel milestone acceptances never pay more than the commitment (issue
18): ``submit_scores`` takes the challenge's row lock before it looks at
the sheets, so the second sees the first's sheet and the closing move happens in one of the
two transactions only. Real parallel transactions need PostgreSQL (NOMADCLOUD_TEST_DB=
postgres); on SQLite the writes are serialised by the database anyway."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection

from nomadcloud.bounties.models import Assignment, Challenge, ChallengeEvent, Milestone
from nomadcloud.bounties.schemas import ReportDraft, ReviewDraft, ScoresDraft
from nomadcloud.bounties.services import evaluation, milestones
from nomadcloud.core.errors import DomainError
from nomadcloud.payouts.models import Payout
from tests.builders.bounties import P, flow
from tests.builders.world import World

ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]
# The test that runs on both databases comes first: a skipped committing test followed by
# another would have the reference data restored into a database never set up.


@pytest.mark.django_db(transaction=True)
def test_parallel_milestone_acceptances_never_pay_more_than_the_commitment(
    audit_triggers_lifted_for_flush: None, world: World
) -> None:
    """The issuer and the department accept the same milestone at the same moment while the
    issuer accepts the other: each milestone is paid once, the payouts sum to the award (never
    above the commitment), and the challenge moves to final acceptance once. On SQLite the
    same calls run one after another (its writes are serialised anyway)."""
    f = flow(world)
    c = f.challenge
    rows = list(Milestone.objects.filter(challenge=c).order_by("position"))
    for m in rows:
        milestones.submit(
            principal=P(f.lead),
            milestone=m,
            draft=ReportDraft(report="r", deliverable_sha256="9" * 64),
        )
    calls = [(world.olivia, rows[0]), (world.wendy, rows[0]), (world.olivia, rows[1])]
    refusals: list[str] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(len(calls)) if ON_POSTGRESQL else None

    def accept(who: Any, m: Milestone) -> None:
        try:
            if barrier is not None:
                barrier.wait(timeout=30)
            milestones.review(principal=P(who), milestone=m, draft=ReviewDraft(accept=True))
        except DomainError as refusal:
            refusals.append(refusal.code)
        except BaseException as error:
            errors.append(error)
        finally:
            if barrier is not None:
                connection.close()

    if ON_POSTGRESQL:
        threads = [threading.Thread(target=accept, args=call) for call in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
    else:
        for call in calls:
            accept(*call)
    assert not errors, errors
    # the second acceptance of the same milestone is refused: the milestone is no longer
    # waiting, or (when both milestones were accepted first) the challenge left in_progress
    assert refusals in (["no_report"], ["not_in_progress"])
    payouts = list(Payout.objects.all())
    assert sorted(p.amount for p in payouts) == sorted(m.amount for m in rows)
    commitment = Challenge.objects.get(pk=c.pk).commitment
    assert commitment is not None
    assert sum(p.amount for p in payouts) == commitment.disbursed
    assert commitment.disbursed <= commitment.amount - commitment.released
    moves = ChallengeEvent.objects.filter(challenge=c, action="milestones_accepted")
    assert moves.count() == 1


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
