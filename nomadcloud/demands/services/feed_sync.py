"""Feeds an organisation publishes its demands in: adding and pausing a feed, syncing it
(with back-off and the end of a sync cut short by a dead worker) and claiming due feeds."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import DomainError, Forbidden, invalid_field
from nomadcloud.demands.events import send_demand_changed
from nomadcloud.demands.models import (
    Demand,
    Feed,
    FeedSync,
)
from nomadcloud.demands.services._common import INTERRUPTED_AFTER_SECONDS, OPEN_STATUSES, Status
from nomadcloud.demands.services.lifecycle import _transition, upsert_demand

# The name the module had before it became a package: log configuration and readers keep it.
logger = logging.getLogger("nomadcloud.demands.services")


# --- feeds ------------------------------------------------------------------------------------


@transaction.atomic
def add_feed(*, principal: Principal, organisation: Organisation, url: str, format: str) -> Feed:
    from nomadcloud.demands.fetch import FetchError, check_url

    user = principal.user
    if user is None:
        raise Forbidden(_("Only a person can do this, not an API key."), code="person_only")
    url = url.strip()
    try:
        check_url(url)
    except FetchError as exc:
        raise invalid_field("url", exc.message) from None
    if format not in Feed.Format.values:
        raise invalid_field(
            "format", _("Choose one of: %(choices)s.") % {"choices": ", ".join(Feed.Format.values)}
        )
    if Feed.objects.filter(organisation=organisation, url=url).exists():
        raise invalid_field("url", _("This feed is already registered."))
    feed = Feed.objects.create(
        organisation=organisation,
        url=url,
        format=format,
        created_by=user,
        next_run_at=timezone.now(),
    )
    audit.record(
        actor=user,
        action="demands.feed.create",
        obj=feed,
        organisation=organisation,
        after={"url": url, "format": format},
        token=principal.token,
    )
    return feed


@transaction.atomic
def set_feed_active(*, principal: Principal, feed: Feed, active: bool) -> Feed:
    if feed.active != active:
        feed.active = active
        feed.next_run_at = timezone.now() if active else None
        feed.save(update_fields=["active", "next_run_at"])
        audit.record(
            actor=principal.user,
            action="demands.feed.activate" if active else "demands.feed.deactivate",
            obj=feed,
            organisation=feed.organisation,
            token=principal.token,
        )
    return feed


def _backoff(failures: int) -> timedelta:
    minutes = settings.FEED_SYNC_INTERVAL_MINUTES * 2 ** min(failures - 1, 16)
    return timedelta(minutes=min(minutes, settings.FEED_MAX_BACKOFF_MINUTES))


def sync_feed(feed_id: int) -> FeedSync:
    """Pull one feed: conditional GET, per-entry upsert (each in its own savepoint), close the
    feed's demands that disappeared, record the report, schedule the next pull (backing off
    exponentially after failures). Messages are in the language of who registered the feed."""
    feed = Feed.objects.select_related("organisation", "created_by").get(pk=feed_id)
    with translation.override(feed.created_by.preferred_language or settings.LANGUAGE_CODE):
        _end_interrupted(feed)
        sync = FeedSync.objects.create(feed=feed)
        try:
            return _sync(feed, sync)
        except Exception as exc:  # whatever broke, the sync ends "failed"
            # RecursionError, a database error, a bug in a mapper: never left "running",
            # and the feed backs off like any other failure. The class name helps support.
            logger.exception("feed %s: the sync failed unexpectedly", feed.pk)
            message = _(
                "The sync stopped because of an unexpected error (%(error)s); it will be "
                "retried later."
            ) % {"error": type(exc).__name__}
            return _failed(feed, sync, message, sync.http_status)


def _end_interrupted(feed: Feed) -> None:
    """A sync still "running" long after the fetch deadline was cut short (the worker was
    killed): it is closed as failed, so no report stays "running" for ever."""
    cutoff = timezone.now() - timedelta(
        seconds=settings.FEED_TIMEOUT_SECONDS + INTERRUPTED_AFTER_SECONDS
    )
    FeedSync.objects.filter(
        feed=feed, status=FeedSync.Status.RUNNING, started_at__lt=cutoff
    ).update(
        status=FeedSync.Status.FAILED,
        finished_at=timezone.now(),
        error=_("The sync was interrupted (the worker stopped) before it finished."),
    )


def _sync(feed: Feed, sync: FeedSync) -> FeedSync:
    from nomadcloud.demands.feeds import FeedEntryError, parse_feed
    from nomadcloud.demands.fetch import FetchError, fetch

    try:
        result = fetch(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    except FetchError as exc:
        return _failed(feed, sync, exc.message, exc.http_status)
    sync.http_status = result.status
    if result.status == 304:
        sync.status = FeedSync.Status.NOT_MODIFIED
        return _finish(feed, sync, result.etag, result.last_modified)
    try:
        entries = parse_feed(result.body, feed.format)
    except FeedEntryError as exc:
        return _failed(feed, sync, exc.reason, result.status)
    principal = Principal(user=None)
    seen: set[str] = set()
    skipped: list[dict[str, Any]] = []
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for entry in entries:
        if entry.error is not None:
            if entry.external_id:
                seen.add(entry.external_id)
            skipped.append(entry.error.as_report(entry.index, entry.external_id))
            continue
        assert entry.draft is not None
        if entry.external_id in seen:
            skipped.append(
                FeedEntryError(
                    "external_id",
                    _("The id %(id)s appears twice in the feed; only the first counts.")
                    % {"id": entry.external_id},
                ).as_report(entry.index, entry.external_id)
            )
            continue
        seen.add(entry.external_id)
        try:
            with transaction.atomic():
                _demand, outcome = upsert_demand(
                    principal=principal,
                    organisation=feed.organisation,
                    external_id=entry.external_id,
                    source=Demand.Source.FEED,
                    feed=feed,
                    draft=entry.draft,
                    status=entry.status,
                )
        except DomainError as exc:
            field, messages = next(iter(exc.fields.items()), ("", [exc.message]))
            skipped.append(
                FeedEntryError(field, messages[0]).as_report(entry.index, entry.external_id)
            )
            continue
        counts[outcome] += 1
    closed = 0
    gone = Demand.objects.filter(feed=feed, status__in=OPEN_STATUSES).exclude(external_id__in=seen)
    for demand in gone:
        with transaction.atomic():
            locked = Demand.objects.select_for_update().get(pk=demand.pk)
            _transition(
                principal,
                locked,
                Status.CLOSED,
                Demand.Source.FEED,
                note="no longer in the feed",
            )
            Demand.objects.filter(pk=locked.pk).update(payload_hash="")
            send_demand_changed([locked.pk])
            closed += 1
    sync.created, sync.updated, sync.unchanged = (
        counts["created"],
        counts["updated"],
        counts["unchanged"],
    )
    sync.closed = closed
    sync.skipped = len(skipped)
    sync.skipped_entries = skipped
    sync.status = FeedSync.Status.PARTIAL if skipped else FeedSync.Status.OK
    return _finish(feed, sync, result.etag, result.last_modified)


def _finish(feed: Feed, sync: FeedSync, etag: str, last_modified: str) -> FeedSync:
    now = timezone.now()
    sync.finished_at = now
    sync.save()
    Feed.objects.filter(pk=feed.pk).update(
        etag=etag,
        last_modified=last_modified,
        consecutive_failures=0,
        next_run_at=now + timedelta(minutes=settings.FEED_SYNC_INTERVAL_MINUTES),
    )
    _audit_sync(feed, sync)
    return sync


def _failed(feed: Feed, sync: FeedSync, message: str, http_status: int | None) -> FeedSync:
    now = timezone.now()
    failures = feed.consecutive_failures + 1
    sync.status = FeedSync.Status.FAILED
    sync.error = message
    sync.http_status = http_status
    sync.finished_at = now
    sync.save()
    Feed.objects.filter(pk=feed.pk).update(
        consecutive_failures=failures, next_run_at=now + _backoff(failures)
    )
    _audit_sync(feed, sync)
    return sync


def _audit_sync(feed: Feed, sync: FeedSync) -> None:
    audit.record(
        actor=None,
        action="demands.feed.sync",
        obj=feed,
        organisation=feed.organisation,
        after={k: v for k, v in sync.report().items() if k != "skipped_entries"},
    )


def due_feeds(now: datetime | None = None) -> list[int]:
    moment = now or timezone.now()
    return list(
        Feed.objects.filter(active=True, next_run_at__lte=moment)
        .order_by("next_run_at")
        .values_list("pk", flat=True)
    )


def claim_feed(feed_id: int, now: datetime | None = None) -> bool:
    """Claim a due feed with a conditional UPDATE, so two schedulers never pull it twice."""
    moment = now or timezone.now()
    lease = moment + timedelta(minutes=settings.FEED_SYNC_INTERVAL_MINUTES)
    return (
        Feed.objects.filter(pk=feed_id, active=True, next_run_at__lte=moment).update(
            next_run_at=lease
        )
        == 1
    )
