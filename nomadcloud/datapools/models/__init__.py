"""Data resource pools (还数于民; docs/datapools.md): a pool with its versioned charter,
contributions given under per-purpose consent records, and the pool's dataset with its
versions. A contribution's rows are kept with it (small, validated records); a dataset
version names the contributions it holds, so a withdrawn consent leaves the next version."""

from .agreements import (
    IN_FORCE,
    AgreementConfirmation,
    DownloadLink,
    DspCallback,
    Negotiation,
    NegotiationEvent,
    QueryTemplate,
    Transfer,
    TransferEvent,
    UsageEvent,
)
from .pools import BatchRelease, Charter, Contribution, Pool, PoolEvent, UploadSlot
from .releases import ApplicationScenario, CatalogueRecord, DatasetVersion
from .rewards import DistributionRun, RewardLine

__all__ = [
    "IN_FORCE",
    "AgreementConfirmation",
    "ApplicationScenario",
    "BatchRelease",
    "CatalogueRecord",
    "Charter",
    "Contribution",
    "DatasetVersion",
    "DistributionRun",
    "DownloadLink",
    "DspCallback",
    "Negotiation",
    "NegotiationEvent",
    "Pool",
    "PoolEvent",
    "QueryTemplate",
    "RewardLine",
    "Transfer",
    "TransferEvent",
    "UploadSlot",
    "UsageEvent",
]
