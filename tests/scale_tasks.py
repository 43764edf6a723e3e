"""A task for tests/test_scale_worker_death.py, importable by a worker process."""

from __future__ import annotations

import time
from pathlib import Path

from django_tasks import task


@task()
def nap_once(marker: str) -> str:
    """The first run marks the file and sleeps (to be killed); a later run finishes at once."""
    path = Path(marker)
    if not path.exists():
        path.write_text("started")
        time.sleep(120)
    return "done"
