"""Asking for a feed pull now: the use case that enqueues the sync job. It sits above
``tasks.py`` (the job calls ``services.sync_feed``), so that services and tasks do not import
each other."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.jobs import enqueue_after_commit
from nomadcloud.demands import tasks
from nomadcloud.demands.models import Feed


@transaction.atomic
def request_feed_sync(*, principal: Principal, feed: Feed) -> None:
    """ "Sync now": the pull runs as a job, after this transaction commits."""
    Feed.objects.filter(pk=feed.pk).update(next_run_at=timezone.now())
    audit.record(
        actor=principal.user,
        action="demands.feed.sync_requested",
        obj=feed,
        organisation=feed.organisation,
        token=principal.token,
    )
    enqueue_after_commit(tasks.sync_feed, feed.pk)
