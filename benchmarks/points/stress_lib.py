"""The points ledger stress test at full size (``benchmarks/points/stress``, docs/points.md):
the workers, journals and checks are ``nomadcloud.testing.points_stress``, shared with
``tests/test_points_stress.py``, which runs them small."""

from __future__ import annotations

import dataclasses
import json
import os
from typing import Any

from nomadcloud.testing.points_stress import Config, run

FULL = Config(workers=8, seconds=60, holders=200, merchants=10, kill_every=(0.2, 0.8))


def main() -> int:
    """Full size on a throwaway PostgreSQL server, then on a temporary SQLite file; one JSON
    line of counts per database at the end (exit status 1 if anything was violated)."""
    import sys

    from benchmarks.points import common

    seconds = float(os.environ.get("POINTS_STRESS_SECONDS", FULL.seconds))
    config = dataclasses.replace(FULL, seconds=seconds)
    reports = []
    with common.workdir() as tmp, common.postgres() as cluster:
        common.setup_django(cluster.url, tmp)
        common.migrate()
        for database, using in (("postgresql", "default"), ("sqlite", "")):
            if not using:
                using = common.add_sqlite(tmp / "stress.sqlite3")
            journals = tmp / f"journals-{database}"
            journals.mkdir()
            print(
                f"{database}: {config.workers} workers, {config.seconds:.0f}s,"
                f" {config.holders} holders, a kill every {config.kill_every[0]}"
                f"–{config.kill_every[1]}s …",
                flush=True,
            )
            report = run(using, journals, config, database)
            reports.append(report)
            print(f"  {report.summary()}", flush=True)
            print(f"  operations: {report.ops}", flush=True)
            print(f"  refusals: {report.refusals}", flush=True)
            for violation in report.violations[:50]:
                print(f"  VIOLATION {violation}", flush=True)
    summary: dict[str, Any] = {r.database: r.summary() for r in reports}
    summary["violations"] = sum(len(r.violations) for r in reports)
    print(json.dumps(summary))
    sys.stdout.flush()
    return 1 if summary["violations"] else 0


if __name__ == "__main__":
    raise SystemExit(main())
