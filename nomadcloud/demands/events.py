"""What demands tells the apps above it (docs/decisions/0004).

``demand_changed``: something matching reads about these demands changed — their fields,
skills, tools, languages, job-profile tags or status. Sent once per use case, in its
transaction, by the use case that made the change (also for rows written in bulk, which
fire no model signal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nomadcloud.core.events import Event


@dataclass(frozen=True)
class DemandChanged:
    demand_ids: tuple[int, ...]


demand_changed = Event[DemandChanged]("demands.demand_changed")


def send_demand_changed(demand_ids: Iterable[int]) -> None:
    """Send ``demand_changed`` for these demands (each once, in order); nothing if none."""
    ids = tuple(dict.fromkeys(demand_ids))
    if ids:
        demand_changed.send(DemandChanged(demand_ids=ids))


@dataclass(frozen=True)
class ApplicationShortlisted:
    application_id: int


# Sent in the transaction that shortlists a nomad's application; the conversations app opens
# the conversation between the nomad and the enterprise.
application_shortlisted = Event[ApplicationShortlisted]("demands.application_shortlisted")
