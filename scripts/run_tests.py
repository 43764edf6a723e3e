"""The whole test suite, as `make test` runs it: quality gates, then pytest on SQLite and on a
throwaway PostgreSQL server (started by the pytest plugin) side by side, browser and API-fuzz
tests included (``NOMADCLOUD_TEST_SERIAL=1``: one database after the other). Prints a timing
per step and one closing line with the totals.

With ``--quick`` (`make quick`, the inner loop): only the fast gates (ruff) and pytest on
SQLite without the browser and fuzz tests; further arguments go to pytest (a file, ``-k``).

The JUnit XML of each database's run is kept in ``var/test/junit/`` (``sqlite.xml``,
``postgres.xml``; gitignored, overwritten by the next run), so the durations of a CI run can
be read afterwards; the run ends by listing the slowest test files (docs/decisions/0031)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TEST_ENV = {
    "SECRET_KEY": "test-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "NOMADCLOUD_FIELD_KEYS": "dGVzdC1vbmx5LWZpZWxkLWtleS0wMTIzNDU2Nzg5YWI=",
    "NOMADCLOUD_DATA_DIR": str(ROOT / "var" / "test"),
}


def child_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a test process. Bytecode is written even where the machine says
    otherwise (PYTHONDONTWRITEBYTECODE): the six pytest processes of a full run each
    recompiled the ~900 project modules and re-rewrote the test modules (~4 CPU-seconds
    each); with the cache, the first one pays."""
    env = {**os.environ, **TEST_ENV, **(extra or {})}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def run(label: str, command: list[str], env: dict[str, str] | None = None) -> bool:
    started = time.monotonic()
    print(f"\n=== {label}: {' '.join(command)}", flush=True)
    result = subprocess.run(command, cwd=ROOT, env=child_env(env))
    print(
        f"=== {label}: {'ok' if result.returncode == 0 else 'FAILED'} "
        f"in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    return result.returncode == 0


def pytest_command(junit: Path) -> list[str]:
    workers = os.environ.get("NOMADCLOUD_TEST_WORKERS", "2")
    # worksteal: xdist first hands each worker one contiguous block, so the slow-first
    # modules would all land on one worker; an idle worker takes tests from the busy one.
    return [str(BIN / "pytest"), "-n", workers, "--dist", "worksteal", "--junitxml", str(junit)]


Runs = dict[str, tuple[list[str], dict[str, str]]]


def side_by_side(runs: Runs, folder: Path) -> dict[str, bool]:
    """Start every run at once, each writing to its own log; print each log whole when it
    ends. The SQLite and PostgreSQL suites overlap this way: one fills the cores while the
    other starts its server, collects, waits on the database or finishes its last slow test
    (docs/decisions/0028)."""
    started = time.monotonic()
    processes = {}
    for label, (command, env) in runs.items():
        print(f"\n=== {label}: {' '.join(command)} (started)", flush=True)
        log = open(folder / f"{label.replace(' ', '-')}.log", "w+b")  # noqa: SIM115
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=child_env(env),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        processes[label] = (process, log)
    results = {}
    pending = dict(processes)
    while pending:
        for label, (process, log) in list(pending.items()):
            if process.poll() is None:
                continue
            del pending[label]
            log.seek(0)
            sys.stdout.write(log.read().decode(errors="replace"))
            log.close()
            results[label] = process.returncode == 0
            print(
                f"=== {label}: {'ok' if results[label] else 'FAILED'} "
                f"in {time.monotonic() - started:.1f}s",
                flush=True,
            )
        time.sleep(0.5)
    return results


JUNIT = ROOT / "var" / "test" / "junit"
SLOWEST_FILES = 15


def file_times(junits: list[Path]) -> dict[str, float]:
    """Seconds per test file, summed over every test case (and database) of the reports:
    time spent in workers, so the sum is about the cores' busy time, not the wall time."""
    totals: dict[str, float] = {}
    for junit in junits:
        if not junit.exists():
            continue
        for case in ET.parse(junit).getroot().iter("testcase"):
            # classname is dotted: tests.test_orders_pages[.TestClass]
            parts = case.get("classname", "").split(".")
            name = "/".join(parts[:2]) + ".py" if len(parts) > 1 else parts[0]
            totals[name] = totals.get(name, 0.0) + float(case.get("time", 0) or 0)
    return totals


def print_slowest(junits: list[Path], limit: int = SLOWEST_FILES) -> None:
    totals = file_times(junits)
    if not totals:
        return
    print(f"\nslowest test files (worker seconds, all databases; reports in {JUNIT}):")
    for name, seconds in sorted(totals.items(), key=lambda kv: -kv[1])[:limit]:
        print(f"{seconds:9.1f}s  {name}")


def counts(junit: Path) -> tuple[int, int, int]:
    if not junit.exists():
        return 0, 1, 0
    suite = ET.parse(junit).getroot()
    suite = suite if suite.tag == "testsuite" else suite.find("testsuite")  # type: ignore[assignment]
    assert suite is not None
    total = int(suite.get("tests", 0))
    failed = int(suite.get("failures", 0)) + int(suite.get("errors", 0))
    skipped = int(suite.get("skipped", 0))
    return total - failed - skipped, failed, skipped


def quick(arguments: list[str]) -> int:
    started = time.monotonic()
    Path(TEST_ENV["NOMADCLOUD_DATA_DIR"], "static").mkdir(parents=True, exist_ok=True)
    gates = [
        run("ruff lint", [str(BIN / "ruff"), "check", "."]),
        run("ruff format", [str(BIN / "ruff"), "format", "--check", "."]),
    ]
    workers = os.environ.get("NOMADCLOUD_TEST_WORKERS", "2")
    command = [str(BIN / "pytest"), "-n", workers, "-m", "not browser and not fuzz", *arguments]
    ok = run("pytest on sqlite (quick)", command, {"NOMADCLOUD_TEST_DB": "sqlite"})
    print(f"\nwall time: {time.monotonic() - started:.0f}s")
    return 0 if ok and all(gates) else 1


def main() -> int:
    if sys.argv[1:2] == ["--quick"]:
        return quick(sys.argv[2:])
    started = time.monotonic()
    Path(TEST_ENV["NOMADCLOUD_DATA_DIR"], "static").mkdir(parents=True, exist_ok=True)
    manage = [str(BIN / "nomadcloud")]
    gates = [
        run("ruff lint", [str(BIN / "ruff"), "check", "."]),
        run("ruff format", [str(BIN / "ruff"), "format", "--check", "."]),
        run("mypy", [str(BIN / "mypy"), "nomadcloud"]),
        run("django check", [*manage, "check", "--fail-level", "WARNING"]),
        run("migrations", [*manage, "makemigrations", "--check", "--dry-run"]),
    ]
    results = {}
    databases = ("sqlite", "postgres")
    JUNIT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        junits = {database: JUNIT / f"{database}.xml" for database in databases}
        for junit in junits.values():  # never report a previous run's file
            junit.unlink(missing_ok=True)
        runs = {
            f"pytest on {database}": (
                pytest_command(junits[database]),
                {"NOMADCLOUD_TEST_DB": database},
            )
            for database in databases
        }
        if os.environ.get("NOMADCLOUD_TEST_SERIAL"):  # one database after the other
            oks = {label: run(label, command, env) for label, (command, env) in runs.items()}
        else:
            oks = side_by_side(runs, Path(tmp))
        for database in databases:
            results[database] = (oks[f"pytest on {database}"], *counts(junits[database]))
    passed = sum(r[1] for r in results.values())
    failed = sum(r[2] for r in results.values()) + gates.count(False)
    skipped = sum(r[3] for r in results.values())
    print_slowest(list(junits.values()))
    print()
    for database, (_ok, p, f, s) in results.items():
        print(f"{database}: {p} passed, {f} failed, {s} skipped")
    print(f"quality gates: {gates.count(True)} of {len(gates)} passed")
    print(f"wall time: {time.monotonic() - started:.0f}s")
    print(f"total: {passed} passed, {failed} failed, {skipped} skipped")
    ok = all(gates) and all(r[0] for r in results.values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
