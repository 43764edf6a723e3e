"""The one-card benchmark as the issue names it: the catalogue and queue figures
(benchmarks.onecard.bench, 200,000 applications) and the stays and visits figures
(benchmarks.communities.bench, 100,000 stays), each on its own throwaway PostgreSQL server,
ending with one JSON line that holds both and the largest p95 of all."""

from __future__ import annotations

import json
import subprocess
import sys


def _run(module: str, args: list[str]) -> dict[str, object]:
    process = subprocess.run(
        [sys.executable, "-m", module, *args], capture_output=True, text=True, check=False
    )
    lines = process.stdout.strip().splitlines()
    sys.stdout.write("\n".join(lines[:-1]) + "\n")
    if process.returncode != 0 or not lines:
        sys.stderr.write(process.stderr)
        raise SystemExit(f"{module} failed ({process.returncode})")
    result: dict[str, object] = json.loads(lines[-1])
    return result


def main() -> int:
    onecard = _run("benchmarks.onecard.bench", [])
    stays = _run("benchmarks.communities.bench", sys.argv[1:])
    result = {
        **onecard,
        "stays": stays["stays"],
        "visits": stays["visits"],
        "visits_year_ms": stays["visits_year_p95_ms"],
        "bookings_page_p95_ms": stays["bookings_page_p95_ms"],
    }
    result["p95_ms_max"] = max(float(str(onecard["p95_ms_max"])), float(str(stays["p95_ms_max"])))
    # Each part measured its own baseline on its own server: the ratios are kept per part.
    result["baseline_lookup_ms"] = onecard["baseline_lookup_ms"]
    result["stays_baseline_lookup_ms"] = stays["baseline_lookup_ms"]
    result["stays_p95_ms_max_to_lookup_ratio"] = stays["p95_ms_max_to_lookup_ratio"]
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
