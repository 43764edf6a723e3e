"""System checks: the matching weights in the environment make sense; which embedding
backend is active."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

from nomadcloud.matching.engine.model import Weights
from nomadcloud.taxonomy import semantic


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


@checks.register(checks.Tags.compatibility)
def check_embeddings(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Says which embedding backend is active; a configured model that cannot be used is a
    warning (matching then runs lexical only)."""
    status = semantic.status()
    if status.problem:
        return [
            checks.Warning(
                f"The embedding model ({status.configured}) cannot be used: {status.problem}. "
                "Matching and taxonomy search run lexical only.",
                hint="Fix MATCHING_EMBEDDINGS / MATCHING_EMBEDDING_MODEL, or set "
                "MATCHING_EMBEDDINGS=none (docs/matching.md, Semantic layer).",
                id="nomadcloud.W019",
            )
        ]
    return [
        checks.Info(
            f"Embedding backend: {status.active}.",
            id="nomadcloud.I019",
        )
    ]
