"""Submission limits hold under concurrency (PostgreSQL): eight submissions of one entry at
the same moment against a round allowing three store exactly three, numbered 1–3."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from nomadcloud.accounts.models import Organisation
from nomadcloud.competitions.models import Submission
from nomadcloud.core.errors import Conflict
from tests.builders.competitions import entered, open_competition, submitted
from tests.conftest import make_person


@pytest.fixture
def postgres_only() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; threads need PostgreSQL here")


@pytest.mark.django_db(transaction=True)
def test_parallel_submissions_never_exceed_the_limit(postgres_only: None) -> None:
    organiser = Organisation.objects.create(
        kind=Organisation.Kind.ENTERPRISE, name_zh="赛事主办方", code="contest-host"
    )
    item = open_competition(organiser, max_per_day=3, max_total=3)
    entry = entered(item, make_person("Racer", "racer@example.com"))
    barrier = threading.Barrier(8)
    refused: list[str] = []
    errors: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            submitted(entry, n)
        except Conflict as exc:
            refused.append(exc.code)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    numbers = sorted(Submission.objects.filter(entry=entry).values_list("number", flat=True))
    assert numbers == [1, 2, 3]
    assert len(refused) == 5
    assert set(refused) <= {"daily_submission_limit", "submission_limit", "submission_race"}
