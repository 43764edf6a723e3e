"""What matching does when talent or demands tell it of a change (``profile_changed``,
``demand_changed``, connected in ``apps.py``): stamp, and enqueue one refresh per object per
transaction. Kept apart from ``services.py``, which the refresh jobs call, so that services
and tasks do not import each other."""

from __future__ import annotations

from nomadcloud.core.jobs import enqueue_once_per_transaction
from nomadcloud.demands.events import DemandChanged
from nomadcloud.matching import services, tasks
from nomadcloud.talent.events import ProfileChanged


def on_profile_changed(change: ProfileChanged) -> None:
    """talent's ``profile_changed``: stamp the profiles now, in the changing transaction (so
    every process's index reloads them), and refresh each once after commit."""
    for profile_id in change.profile_ids:
        services.stamp_profile(profile_id)
    enqueue_once_per_transaction(tasks.refresh_profile, *change.profile_ids)


def on_demand_changed(change: DemandChanged) -> None:
    """demands' ``demand_changed``: refresh each demand once after commit."""
    enqueue_once_per_transaction(tasks.refresh_demand, *change.demand_ids)
