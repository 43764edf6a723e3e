"""The background check of a large contribution (decision 0064): a CSV of
``DATAPOOLS_BENCH_UPLOAD_MB`` megabytes (default 200) of varied trip rows is written to a
temporary folder, then ``uploads_check.check_file`` streams it against the traffic pool's
schema, writing the typed rows as Parquet. Ends with one line of JSON: bytes, rows, seconds,
MB/s, the process's peak memory and the load average at the start and the end.

    benchmarks/datapools/check_upload          # or DATAPOOLS_BENCH_UPLOAD_MB=20 …
"""

from __future__ import annotations

import json
import os
import random
import resource
import tempfile
import time
from pathlib import Path

import django

SCHEMA = [
    {"name": "day", "type": "date", "required": True},
    {"name": "area", "type": "enum", "values": ["yangpu", "baimajing", "sandu"], "required": True},
    {"name": "mode", "type": "enum", "values": ["car", "bus", "bike", "walk"], "required": True},
    {"name": "trips", "type": "integer", "min": 0, "max": 500, "required": True},
    {"name": "km", "type": "number", "min": 0, "max": 2000},
    {"name": "note", "type": "string", "max_length": 200},
]
NOTES = ["", "commute", "school run", "port shift", "weekend market", "night bus home"]


def write_csv(path: Path, megabytes: int) -> None:
    rng = random.Random(20)
    target = megabytes * 1_000_000
    with open(path, "w", encoding="utf-8", newline="") as out:
        out.write("day,area,mode,trips,km,note\n")
        written = 0
        while written < target:
            lines = [
                f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d},"
                f"{rng.choice(('yangpu', 'baimajing', 'sandu'))},"
                f"{rng.choice(('car', 'bus', 'bike', 'walk'))},{rng.randint(0, 500)},"
                f"{rng.randint(0, 20000) / 10},{rng.choice(NOTES)}\n"
                for _ in range(10_000)
            ]
            chunk = "".join(lines)
            out.write(chunk)
            written += len(chunk.encode())


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nomadcloud.settings")
    django.setup()
    from nomadcloud.datapools import uploads_check

    megabytes = int(os.environ.get("DATAPOOLS_BENCH_UPLOAD_MB", "200"))
    load_start = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as folder:
        source, out = Path(folder) / "upload.csv", Path(folder) / "rows.parquet"
        write_csv(source, megabytes)
        started = time.perf_counter()
        outcome = uploads_check.check_file(source, parquet=False, schema=SCHEMA, out=out)
        seconds = time.perf_counter() - started
        size = source.stat().st_size
    print(
        json.dumps(
            {
                "bytes": size,
                "rows": outcome.rows,
                "errors": len(outcome.errors),
                "check_seconds": round(seconds, 1),
                "mb_per_s": round(size / 1e6 / seconds, 2),
                "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                "load_average": [round(load_start, 2), round(os.getloadavg()[0], 2)],
                "cpus": os.cpu_count(),
            }
        )
    )


if __name__ == "__main__":
    main()
