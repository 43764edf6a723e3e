"""System check: the matching weights in the environment make sense."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from nomadcloud.matching.engine.model import Weights


@checks.register(checks.Tags.compatibility)
def check_weights(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    try:
        Weights.from_mapping(getattr(settings, "MATCHING_WEIGHTS", {}))
    except ValueError as exc:
        return [
            checks.Error(
                f"MATCHING_WEIGHTS is not usable: {exc}.",
                hint="See docs/matching.md for the weights and their meaning.",
                id="nomadcloud.E007",
            )
        ]
    return []
