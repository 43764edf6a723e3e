"""What talent tells the apps above it (docs/decisions/0004).

``profile_changed``: something matching reads about these nomads changed — the profile's
own fields, skills, evidence, tools, projects, languages or certificates. Sent once per use
case, in its transaction, by the use case that made the change (also for rows written in
bulk, which fire no model signal).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from nomadcloud.core.events import Event


@dataclass(frozen=True)
class ProfileChanged:
    profile_ids: tuple[int, ...]


profile_changed = Event[ProfileChanged]("talent.profile_changed")


def send_profile_changed(profile_ids: Iterable[int]) -> None:
    """Send ``profile_changed`` for these profiles (each once, in order); nothing if none."""
    ids = tuple(dict.fromkeys(profile_ids))
    if ids:
        profile_changed.send(ProfileChanged(profile_ids=ids))
