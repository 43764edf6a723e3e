"""Reading a pool's charter (shared by services, schemas and pages)."""

from __future__ import annotations

from nomadcloud.datapools.models import Charter, Pool


def current_charter(pool: Pool) -> Charter:
    """The newest version of the pool's charter (a pool is created with version 1)."""
    charter = pool.charters.order_by("-version").first()
    assert charter is not None, "a pool is always created with its charter"
    return charter
