"""The points API (mounted at /api/v1/points). Empty for now: see docs/points.md."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["points"])
