"""Points ledger benchmark (docs/points.md, "Ledger performance / stress").

On one throwaway PostgreSQL server, in one run: pgbench's TPC-B-like transactions per second
at 8 clients; the ledger's single-transfer path at 8 client processes (one transfer per
``DatabaseLedger.submit``, each process with its own connection) and the ratio of the two;
the batch path (``submit`` of batches of unlinked transfers, as the batch API endpoint does)
in transfers per second; then SQLite (a temporary file with the project's settings) single
process transfers per second. Ends with one line of JSON of the headline figures."""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.points import common

CLIENTS = 8
PG_SECONDS = int(os.environ.get("POINTS_BENCH_SECONDS", "24"))
ROUNDS = 3
"""pgbench and the ledger alternate, ``PG_SECONDS / ROUNDS`` each per round, so that a change
of the machine's load (other work on it) weighs on both alike."""
SQLITE_SECONDS = int(os.environ.get("POINTS_BENCH_SQLITE_SECONDS", "15"))
PGBENCH_SCALE = 10
HOLDERS = 20_000
MERCHANTS = 200
BATCH = 4000
BATCHES = 12
SQLITE_PROPOSED_CHECKPOINT = 10_000


def _server_cpu(cluster: Any) -> float:
    """CPU seconds the PostgreSQL server has used so far: the postmaster, its exited children
    (reaped: counted in its own children's times) and the children still running."""
    tick = os.sysconf("SC_CLK_TCK")
    pid = int((cluster.data / "postmaster.pid").read_text().split()[0])

    def fields(p: int | str) -> list[str]:
        text = Path(f"/proc/{p}/stat").read_text()
        return text[text.rindex(")") + 2 :].split()

    total = sum(int(x) for x in fields(pid)[11:15])  # utime stime cutime cstime
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                f = fields(entry)
            except OSError:
                continue
            if int(f[1]) == pid:
                total += int(f[11]) + int(f[12])
    return total / tick


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


class _Cpu:
    """CPU seconds of the server and of this process's children (clients) during a phase."""

    def __init__(self, cluster: Any) -> None:
        self.cluster = cluster
        self.server = _server_cpu(cluster)
        self.clients = _children_cpu()

    def per(self, count: float) -> tuple[float, float]:
        time.sleep(0.5)  # let the server reap the backends of the clients that left
        server = _server_cpu(self.cluster) - self.server
        clients = _children_cpu() - self.clients
        return server / count * 1000, clients / count * 1000


def _pgbench_init(cluster: Any) -> None:
    binary = str(cluster.bin / "pgbench")
    conn = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.user, cluster.user]
    subprocess.run(
        [binary, "-i", "-q", "-s", str(PGBENCH_SCALE), *conn],
        check=True,
        capture_output=True,
    )


def _pgbench(cluster: Any, seconds: int) -> tuple[float, int]:
    binary = str(cluster.bin / "pgbench")
    conn = ["-h", "127.0.0.1", "-p", str(cluster.port), "-U", cluster.user, cluster.user]
    out = subprocess.run(
        [binary, "-c", str(CLIENTS), "-j", "2", "-T", str(seconds), *conn],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    found = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", out)
    count = re.search(r"number of transactions actually processed: ([0-9]+)", out)
    if found is None or count is None:
        raise RuntimeError(f"pgbench printed no tps:\n{out}")
    return float(found.group(1)), int(count.group(1))


def _single_worker(
    worker: int,
    using: str,
    seconds: float,
    start: Any,
    counts: Any,
    refused: Any,
    pragmas: tuple[str, ...] = (),
    tag: str = "",
) -> None:
    from django.db import connections

    from benchmarks.points.workload import random_transfer
    from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore
    from nomadcloud.points.ledger import Status

    rng = random.Random(f"{tag}/{worker}")  # new requests in every run
    lg = DatabaseLedger(DatabaseStore(using))
    lg.account("n0:PTS")  # connect before the clock starts
    with connections[using].cursor() as cursor:
        for pragma in pragmas:
            cursor.execute(pragma)
    start.wait()
    done = bad = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        request = random_transfer(rng, f"s{tag}.{worker}.{done + bad}", HOLDERS, MERCHANTS)
        if lg.submit([request])[0].status == Status.CREATED:
            done += 1
        else:
            bad += 1
    counts[worker] = done
    refused[worker] = bad
    connections[using].close()


def _single(
    using: str, seconds: float, clients: int, tag: str, pragmas: tuple[str, ...] = ()
) -> tuple[float, int, int]:
    """Transfers per second of ``clients`` processes sending one transfer per ``submit``;
    those applied, and those refused (``tag`` makes the ids and the traffic of a run new)."""
    from django.db import connections

    connections.close_all()
    ctx = multiprocessing.get_context("fork")
    start = ctx.Barrier(clients + 1)
    counts = ctx.Array("q", clients)
    refused = ctx.Array("q", clients)
    procs = [
        ctx.Process(
            target=_single_worker,
            args=(w, using, seconds, start, counts, refused, pragmas, tag),
        )
        for w in range(clients)
    ]
    for p in procs:
        p.start()
    start.wait()
    began = time.monotonic()
    for p in procs:
        p.join()
    elapsed = max(time.monotonic() - began, seconds)
    if any(p.exitcode for p in procs):
        raise RuntimeError("a benchmark worker failed")
    return sum(counts) / elapsed, sum(counts), sum(refused)


def _batches(using: str) -> float:
    from benchmarks.points.workload import batch_transfer
    from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore
    from nomadcloud.points.ledger import Status

    rng = random.Random(99)
    lg = DatabaseLedger(DatabaseStore(using))
    batches = [
        [batch_transfer(rng, f"b{b}-{i}", HOLDERS) for i in range(BATCH)] for b in range(BATCHES)
    ]
    began = time.monotonic()
    applied = 0
    for batch in batches:
        applied += sum(r.status == Status.CREATED for r in lg.submit(batch))
    elapsed = time.monotonic() - began
    return applied / elapsed


def _vacuum(using: str) -> None:
    from django.db import connections

    connection = connections[using]
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")


def main() -> int:
    with common.workdir() as tmp, common.postgres() as cluster:
        common.setup_django(cluster.url, tmp)
        from benchmarks.points.workload import create_world
        from nomadcloud.points.book.store import DatabaseLedger, DatabaseStore

        common.migrate()
        t = time.monotonic()
        create_world(DatabaseLedger(DatabaseStore()), "default", HOLDERS, MERCHANTS)
        took = time.monotonic() - t
        print(f"PostgreSQL: {HOLDERS:,} holders (points with lots, work units),"
              f" {MERCHANTS} merchants, funded in {took:.1f}s", flush=True)  # fmt: skip
        _pgbench_init(cluster)
        _vacuum("default")
        seconds = PG_SECONDS // ROUNDS
        totals = {"pgbench": [0.0, 0, 0.0, 0.0], "ledger": [0.0, 0, 0.0, 0.0]}
        refused = 0
        for round_ in range(1, ROUNDS + 1):
            cpu = _Cpu(cluster)
            began = time.monotonic()
            tps, count = _pgbench(cluster, seconds)
            took = time.monotonic() - began
            server, client = cpu.per(count)
            ptps = tps
            totals["pgbench"][0] += count / tps
            totals["pgbench"][1] += count
            totals["pgbench"][2] += server * count
            totals["pgbench"][3] += client * count
            cpu = _Cpu(cluster)
            tps, count, bad = _single("default", seconds, CLIENTS, f"pg{round_}")
            refused += bad
            server2, client2 = cpu.per(count)
            totals["ledger"][0] += count / tps
            totals["ledger"][1] += count
            totals["ledger"][2] += server2 * count
            totals["ledger"][3] += client2 * count
            print(f"  round {round_}: pgbench {ptps:,.0f} tps, ledger {tps:,.0f} tps,"
                  f" ratio {tps / ptps:.2f}; load average {os.getloadavg()[0]:.1f}"
                  f" ({took:.0f}s each)", flush=True)  # fmt: skip
        pgbench = totals["pgbench"][1] / totals["pgbench"][0]
        ledger = totals["ledger"][1] / totals["ledger"][0]
        pg_server, pg_client = (x / totals["pgbench"][1] for x in totals["pgbench"][2:])
        lg_server, lg_client = (x / totals["ledger"][1] for x in totals["ledger"][2:])
        print(f"pgbench TPC-B-like, {CLIENTS} clients, scale {PGBENCH_SCALE}, {PG_SECONDS}s:"
              f" {pgbench:,.0f} tps; CPU per transaction: server {pg_server:.3f} ms,"
              f" client {pg_client:.3f} ms", flush=True)  # fmt: skip
        print(f"ledger single transfers, {CLIENTS} processes, {PG_SECONDS}s: {ledger:,.0f} tps"
              f" ({refused} refused); CPU per transaction: server {lg_server:.3f} ms,"
              f" clients {lg_client:.3f} ms", flush=True)  # fmt: skip
        ratio = ledger / pgbench
        cpu_ratio = (pg_server + pg_client) / (lg_server + lg_client)
        print(f"ratio ledger/pgbench {ratio:.2f} (target ≥ 0.5);"
              f" by CPU per transaction {cpu_ratio:.2f}", flush=True)  # fmt: skip
        batch = _batches("default")
        print(f"ledger batches of {BATCH:,} unlinked transfers: {batch:,.0f} transfers/s"
              " (target ≥ 10,000)", flush=True)  # fmt: skip
        from benchmarks.baseline import QUIET_PGBENCH_TPS_8, ratio_target

        batch_ratio = batch / pgbench
        batch_target = ratio_target(10_000, QUIET_PGBENCH_TPS_8)
        print(f"  ÷ pgbench's tps of the same run: {batch_ratio:.2f} (target ≥ {batch_target}:"
              f" {'met' if batch_ratio >= batch_target else 'NOT met'})", flush=True)  # fmt: skip

        alias = common.add_sqlite(tmp / "points.sqlite3")
        create_world(DatabaseLedger(DatabaseStore(alias)), alias, HOLDERS, MERCHANTS)
        sqlite, _, refused = _single(alias, SQLITE_SECONDS, 1, "sqlite")
        print(f"SQLite single transfers, 1 process, {SQLITE_SECONDS}s: {sqlite:,.0f}/s"
              f" ({refused} refused) (target ≥ 2,000)", flush=True)  # fmt: skip
        proposed = (f"PRAGMA wal_autocheckpoint = {SQLITE_PROPOSED_CHECKPOINT}",)
        tuned, _, refused = _single(alias, SQLITE_SECONDS, 1, "sqlite-tuned", proposed)
        print(f"  the same with {proposed[0]} (proposed for dbconfig.py; default 1000 pages):"
              f" {tuned:,.0f}/s", flush=True)  # fmt: skip
    print(f"load average at the end: {os.getloadavg()[0]:.1f} (other processes share the CPUs)")
    print(
        json.dumps(
            {
                "pgbench_tps_8": round(pgbench, 1),
                "ledger_tps_8": round(ledger, 1),
                "ratio": round(ratio, 3),
                "batch_per_s": round(batch, 1),
                "batch_to_pgbench_ratio": round(batch_ratio, 3),
                "batch_to_pgbench_ratio_target": batch_target,
                "ratio_targets_met": {
                    "single": ratio >= 0.5,
                    "batch": batch_ratio >= batch_target,
                },
                "sqlite_per_s": round(sqlite, 1),
                "sqlite_per_s_proposed_pragma": round(tuned, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    sys.exit(main())
