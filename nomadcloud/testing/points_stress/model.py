"""The stress run's vocabulary: its size (``Config``), what it did (``Report``), the asset codes
and the names of its accounts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

PTS = "SPTS"
WU = "SWU"
CLIENT_KINDS = {"transfer", "hold", "post", "void", "reversal"}


@dataclass
class Config:
    workers: int = 4
    seconds: float = 8.0
    holders: int = 30
    merchants: int = 3
    kill_every: tuple[float, float] = (0.3, 1.0)
    """Seconds between two kills (uniform)."""
    shared_ids: int = 20
    seed: int = 1


@dataclass
class Report:
    database: str
    operations: int = 0
    requests: int = 0
    created: int = 0
    kills: int = 0
    restarts: int = 0
    replayed: int = 0
    replay_answers: dict[str, int] = field(default_factory=dict)
    """What the re-sent requests got: ``exists`` (the killed worker's transaction had
    committed), ``created`` (it had not: rolled back, or not yet sent), ``refused``."""
    ops: dict[str, int] = field(default_factory=dict)
    refusals: dict[str, int] = field(default_factory=dict)
    transfers: int = 0
    violations: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        return {
            "operations": self.operations,
            "requests": self.requests,
            "created": self.created,
            "transfers": self.transfers,
            "kills": self.kills,
            "restarts": self.restarts,
            "replayed": self.replayed,
            "replay_answers": dict(sorted(self.replay_answers.items())),
            "violations": len(self.violations),
            "seconds": round(self.seconds, 1),
        }


def holder(i: int) -> str:
    return f"h{i}"


def pts(i: int) -> str:
    return f"h{i}:{PTS}"


def wu(i: int) -> str:
    return f"h{i}:{WU}"


def merchant(j: int) -> str:
    return f"m{j}:{PTS}"
