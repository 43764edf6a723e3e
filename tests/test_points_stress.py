"""The points ledger under concurrency and crashes, at a small size (the full size is
``benchmarks/points/stress``): worker processes with their own connections send exchanges,
payments, holds, posts, voids, refunds, expiry runs and retries of the same ids while the test
kills them with SIGKILL and starts them again; then the database is checked against the
workers' journals and the ledger's invariants (``nomadcloud/testing/points_stress/``).

On PostgreSQL (``NOMADCLOUD_TEST_DB=postgres``) the workers share the test database; on SQLite
a database file in ``tmp_path`` (the in-memory test database is not shared between
processes), migrated like the project's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.db import connections

from nomadcloud.points import models as m
from nomadcloud.testing import points_stress
from nomadcloud.testing.points_stress import Config, Report

SMALL = Config(workers=4, seconds=8, holders=24, merchants=3, kill_every=(0.4, 1.0))


def _assert_sound(report: Report, using: str) -> None:
    assert report.violations == [], report.violations[:20]
    # The run did what it claims: kills, replays and every kind of traffic.
    assert report.kills >= 3
    assert report.replayed >= 1  # a kill caught a batch in flight; it was re-sent
    assert report.created > 100
    for op in ("exchange", "pay", "hold", "resolve", "refund", "expire", "retry", "shared"):
        assert report.ops.get(op, 0) > 0, (op, report.ops)
    assert report.refusals.get("exists_with_different_fields", 0) > 0
    kinds = set(m.Transfer.objects.using(using).values_list("kind", flat=True).distinct())
    expected = {"transfer", "hold", "post", "void", "reversal", "expire_lot", "expire_pending"}
    assert expected <= kinds, kinds
    shared = m.Transfer.objects.using(using).filter(tid__startswith="shared-")
    assert shared.count() == len(set(shared.values_list("tid", flat=True))) > 0


ON_POSTGRESQL = "postgresql" in settings.DATABASES["default"]["ENGINE"]


_RUN_IN_A_FRESH_PROCESS = """
import dataclasses, json, sys
from pathlib import Path
import django
django.setup()
from nomadcloud.testing import points_stress
config = points_stress.Config(**json.loads(sys.argv[2]))
report = points_stress.run("default", Path(sys.argv[1]), config, "postgresql")
print("REPORT " + json.dumps(dataclasses.asdict(report)))
"""


@pytest.mark.skipif(not ON_POSTGRESQL, reason="on PostgreSQL (NOMADCLOUD_TEST_DB=postgres)")
@pytest.mark.django_db(transaction=True)
def test_stress_on_postgresql(tmp_path: Path) -> None:
    # The workers are forked from a fresh interpreter connected to the test database, not
    # from this test process: a pytest worker carries connections of earlier tests (e.g.
    # live-server threads) that forked children must not inherit.
    import dataclasses
    import json
    import os
    import subprocess
    import sys

    db = connections["default"].settings_dict
    url = (
        f"postgresql://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        if db["HOST"]
        else f"postgresql://{db['USER']}@/{db['NAME']}"
    )
    connections.close_all()
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            _RUN_IN_A_FRESH_PROCESS,
            str(tmp_path),
            json.dumps(dataclasses.asdict(SMALL)),
        ],
        env={**os.environ, "DATABASE_URL": url, "DJANGO_SETTINGS_MODULE": "nomadcloud.settings"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("REPORT ")]
    assert done.returncode == 0 and lines, done.stderr[-3000:]
    report = Report(**json.loads(lines[-1][len("REPORT ") :]))
    _assert_sound(report, "default")


@pytest.mark.skipif(ON_POSTGRESQL, reason="with the SQLite test database")
def test_stress_on_a_sqlite_file(tmp_path: Path, django_db_blocker: Any) -> None:
    from django.core.management import call_command

    from nomadcloud.dbconfig import database_config

    alias = "points_stress"
    config = database_config(f"sqlite:///{tmp_path / 'stress.sqlite3'}")
    config.update(
        ATOMIC_REQUESTS=False,
        AUTOCOMMIT=True,
        CONN_MAX_AGE=0,
        CONN_HEALTH_CHECKS=False,
        TIME_ZONE=None,
        TEST={"NAME": None},
    )
    connections.settings[alias] = config
    journals = tmp_path / "journals"
    journals.mkdir()
    with django_db_blocker.unblock():
        try:
            call_command("migrate", "points", database=alias, verbosity=0)
            report = points_stress.run(alias, journals, SMALL, "sqlite")
            _assert_sound(report, alias)
        finally:
            connections[alias].close()
            del connections.settings[alias]
