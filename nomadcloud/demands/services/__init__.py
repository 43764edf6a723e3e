"""Use cases for demands, one module per part: ``lifecycle`` (create, update, status, upsert),
``job_profile``, ``webhooks`` and ``feed_sync``; ``_common`` holds what they share.

Callers import this package (``services.create_demand(...)``); the names below are its public
face.
"""

from nomadcloud.demands.services._common import (
    INTERRUPTED_AFTER_SECONDS,
    LIST_FIELDS,
    OPEN_STATUSES,
    PROFILE_TEXT_FIELDS,
    SCALAR_FIELDS,
    TRANSITIONS,
    Status,
)
from nomadcloud.demands.services.feed_sync import (
    add_feed,
    claim_feed,
    due_feeds,
    set_feed_active,
    sync_feed,
)
from nomadcloud.demands.services.job_profile import (
    add_profile_tag,
    derive_job_profile,
    remove_profile_tag,
)
from nomadcloud.demands.services.lifecycle import (
    change_status,
    create_demand,
    update_demand,
    upsert_demand,
)
from nomadcloud.demands.services.webhooks import (
    SIGNATURE_PREFIX,
    create_webhook_secret,
    sign,
    verify_webhook,
)

__all__ = [
    "INTERRUPTED_AFTER_SECONDS",
    "LIST_FIELDS",
    "OPEN_STATUSES",
    "PROFILE_TEXT_FIELDS",
    "SCALAR_FIELDS",
    "SIGNATURE_PREFIX",
    "TRANSITIONS",
    "Status",
    "add_feed",
    "add_profile_tag",
    "change_status",
    "claim_feed",
    "create_demand",
    "create_webhook_secret",
    "derive_job_profile",
    "due_feeds",
    "remove_profile_tag",
    "set_feed_active",
    "sign",
    "sync_feed",
    "update_demand",
    "upsert_demand",
    "verify_webhook",
]
