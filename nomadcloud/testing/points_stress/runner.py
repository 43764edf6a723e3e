"""The run: fork the workers, kill them at random moments with SIGKILL, start them again, and
gather their reports."""

from __future__ import annotations

import multiprocessing
import os
import random
import signal
import time
from pathlib import Path
from typing import Any

from nomadcloud.testing.points_stress.checks import check
from nomadcloud.testing.points_stress.model import Config, Report
from nomadcloud.testing.points_stress.workers import _worker_main
from nomadcloud.testing.points_stress.world import setup

# ---- the run ------------------------------------------------------------------------------


def run(using: str, journal_dir: Path, config: Config, database: str = "") -> Report:
    """Set up, run the workers while killing and restarting them, then check."""
    from django.db import connections

    report = Report(database or using)
    started = time.monotonic()
    setup(using, config)
    connections.close_all()  # the workers must not share this process's connections
    ctx = multiprocessing.get_context("fork")
    rng = random.Random(config.seed)
    deadline = time.monotonic() + config.seconds
    generations = [0] * config.workers

    def start(slot: int) -> Any:
        process = ctx.Process(
            target=_worker_main,
            args=(
                slot,
                generations[slot],
                using,
                str(journal_dir / f"w{slot}.jsonl"),
                config,
                deadline,
            ),
        )
        process.start()
        return process

    processes = [start(slot) for slot in range(config.workers)]
    while True:
        wait = rng.uniform(*config.kill_every)
        if time.monotonic() + wait >= deadline:
            break
        time.sleep(wait)
        slot = rng.randrange(config.workers)
        victim = processes[slot]
        if victim.is_alive():
            os.kill(victim.pid, signal.SIGKILL)
            victim.join()
            report.kills += 1
        generations[slot] += 1
        processes[slot] = start(slot)
        report.restarts += 1
    for process in processes:
        process.join(timeout=config.seconds + 120)
        if process.is_alive():
            process.kill()
            process.join()
            report.violations.append("a worker did not stop")
    # Whatever the last generations left in flight is re-sent, as their clients would.
    for slot in range(config.workers):
        generations[slot] += 1
        process = ctx.Process(
            target=_worker_main,
            args=(slot, generations[slot], using, str(journal_dir / f"w{slot}.jsonl"), config, 0),
        )
        process.start()
        process.join()
        if process.exitcode:
            report.violations.append(f"the replay of worker {slot} failed")
    check(using, journal_dir, report)
    report.seconds = time.monotonic() - started
    return report
