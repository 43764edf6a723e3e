"""The whole test suite, as `make test` runs it: quality gates, then pytest on SQLite and on a
throwaway PostgreSQL server (started by the pytest plugin), browser and API-fuzz tests
included. Prints a timing per step and one closing line with the totals.

With ``--quick`` (`make quick`, the inner loop): only the fast gates (ruff) and pytest on
SQLite without the browser and fuzz tests; further arguments go to pytest (a file, ``-k``)."""

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


def run(label: str, command: list[str], env: dict[str, str] | None = None) -> bool:
    started = time.monotonic()
    print(f"\n=== {label}: {' '.join(command)}", flush=True)
    result = subprocess.run(command, cwd=ROOT, env={**os.environ, **TEST_ENV, **(env or {})})
    print(
        f"=== {label}: {'ok' if result.returncode == 0 else 'FAILED'} "
        f"in {time.monotonic() - started:.1f}s",
        flush=True,
    )
    return result.returncode == 0


def pytest(label: str, junit: Path, env: dict[str, str]) -> bool:
    workers = os.environ.get("NOMADCLOUD_TEST_WORKERS", "2")
    return run(label, [str(BIN / "pytest"), "-n", workers, "--junitxml", str(junit)], env)


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
    with tempfile.TemporaryDirectory() as tmp:
        for database in ("sqlite", "postgres"):
            junit = Path(tmp) / f"{database}.xml"
            ok = pytest(f"pytest on {database}", junit, {"NOMADCLOUD_TEST_DB": database})
            results[database] = (ok, *counts(junit))
    passed = sum(r[1] for r in results.values())
    failed = sum(r[2] for r in results.values()) + gates.count(False)
    skipped = sum(r[3] for r in results.values())
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
