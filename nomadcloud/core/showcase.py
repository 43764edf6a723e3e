"""The live figures of the home page (nomads registered, open demands, proofs issued, …).

core imports no app, so each app registers its figure at start-up (``AppConfig.ready``)::

    showcase.figure("open_demands", _("open demands"), queries.open_demand_count, order=20)

The values are computed together and cached for ``CACHE_SECONDS`` (one query per figure at
most once a minute, whatever the traffic on the home page)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.core.cache import cache
from django.utils.functional import Promise

CACHE_KEY = "nomadcloud.home.figures"
CACHE_SECONDS = 60


@dataclass(frozen=True)
class LiveFigure:
    key: str
    label: str | Promise  # lazy: translated when the page is rendered
    compute: Callable[[], int]
    order: int


@dataclass(frozen=True)
class Shown:
    key: str
    label: str
    value: int


_figures: dict[str, LiveFigure] = {}


def figure(key: str, label: str | Promise, compute: Callable[[], int], *, order: int = 50) -> None:
    _figures[key] = LiveFigure(key, label, compute, order)


def live() -> list[Shown]:
    """The registered figures with their values (cached briefly), in their order."""
    values: dict[str, int] | None = cache.get(CACHE_KEY)
    if values is None or set(values) != set(_figures):
        values = {key: int(f.compute()) for key, f in _figures.items()}
        cache.set(CACHE_KEY, values, CACHE_SECONDS)
    ordered = sorted(_figures.values(), key=lambda f: (f.order, f.key))
    return [Shown(f.key, str(f.label), values[f.key]) for f in ordered]


def forget() -> None:
    """Drop the cached values (tests, and after seeding the demo zone)."""
    cache.delete(CACHE_KEY)
