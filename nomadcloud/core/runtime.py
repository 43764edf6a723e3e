"""How a NomadCloud process runs Python: the cyclic garbage collector's threshold.

CPython starts a young-generation collection every 700 net allocations of container
objects, and the older generations after every tenth of those; each older pass walks
every object the process holds, and a Django process holds several hundred thousand.
Issuing or verifying a batch of credentials allocates millions of short-lived dicts and
lists that reference counting frees anyway, so the default threshold spent a third of the
time of batch verification, and an eighth of issuing, in the collector
(benchmarks/proofs, docs/proofs.md). A higher first threshold lets far fewer passes run,
at the cost of cyclic garbage living a little longer. ``NOMADCLOUD_GC_THRESHOLD`` sets it;
0 keeps CPython's default.
"""

from __future__ import annotations

import gc

from django.conf import settings


def tune_garbage_collector() -> None:
    """Apply ``settings.GC_THRESHOLD`` (called once per process when the apps are ready)."""
    threshold = settings.GC_THRESHOLD
    if threshold:
        _first, second, third = gc.get_threshold()
        gc.set_threshold(threshold, second, third)
