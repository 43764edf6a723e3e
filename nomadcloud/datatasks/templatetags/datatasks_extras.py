"""Template filters for data-processing pages."""

from __future__ import annotations

from typing import Any

from django import template

from nomadcloud.datatasks.export import as_text
from nomadcloud.datatasks.models import Batch

register = template.Library()


@register.filter
def result(value: Any, batch: Batch) -> str:
    """An answer or result written as in the items file (``—`` when there is none)."""
    text = as_text(batch.task_type, value)
    return text if text else "—"


@register.filter
def percent(fraction: float | None) -> str:
    """0.873 → ``87%``; None → ``—``."""
    if fraction is None:
        return "—"
    return f"{100 * float(fraction):.0f}%"


@register.filter
def number(value: float | None, places: int = 3) -> str:
    if value is None:
        return "—"
    return f"{float(value):.{int(places)}f}"
