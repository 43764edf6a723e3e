"""How a recorded value reads to a person (the audit log, change summaries).

Core imports no app, so an app that owns codes people should not see registers a renderer
here from its AppConfig.ready (taxonomy: concept codes → labels in the reader's language).
"""

from __future__ import annotations

from collections.abc import Callable

Renderer = Callable[[str], str | None]
_renderers: list[Renderer] = []


def register(renderer: Renderer) -> None:
    if renderer not in _renderers:
        _renderers.append(renderer)


def readable(value: str) -> str | None:
    """The first registered reading of ``value``, or None when no app knows it."""
    for renderer in _renderers:
        shown = renderer(value)
        if shown is not None:
            return shown
    return None
