"""External channels' calendars (OTA feeds) of a community: list, add and sync."""

from datetime import datetime
from typing import Any
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import (
    access,
    ota,
)
from nomadcloud.communities.access import Action
from nomadcloud.communities.api._common import _errors
from nomadcloud.communities.models import (
    CalendarFeed,
    UnitType,
)
from nomadcloud.core.errors import NotFound
from nomadcloud.core.schemas import Input

router = Router()


# ---- external channels' calendars (OTA feeds) ------------------------------------------------


class FeedIn(Input):
    unit_type: UUID
    name: str = Field(..., min_length=1, max_length=80)
    url: str = Field("", max_length=500)


class FeedSyncIn(Input):
    """Sync from the feed's address, or from the calendar given here (RFC 5545 text)."""

    ical: str = Field("", max_length=1_000_000)


class FeedOut(Schema):
    id: UUID
    unit_type: UUID
    name: str
    url: str
    last_synced_at: datetime | None
    last_error: str
    held: int
    conflicts: int


def _feed(feed: CalendarFeed) -> dict[str, Any]:
    held = getattr(feed, "n_held", None)
    conflicts = getattr(feed, "n_conflicts", None)
    if held is None or conflicts is None:
        held, conflicts = ota.block_counts(feed)
    return {
        "id": feed.public_id,
        "unit_type": feed.unit_type.public_id,
        "name": feed.name,
        "url": feed.url,
        "last_synced_at": feed.last_synced_at,
        "last_error": feed.last_error,
        "held": held,
        "conflicts": conflicts,
    }


@router.get(
    "/{community_id}/calendar-feeds",
    response=_errors({200: list[FeedOut]}),
    operation_id="nomadcloud_communities_api_list_feeds",
)
def list_feeds(request: HttpRequest, community_id: UUID) -> Any:
    """The community's external calendar feeds with their last sync and conflicts."""
    community = access.community_for(Principal.of(request), community_id, Action.VIEW)
    feeds = ota.feed_counts(
        CalendarFeed.objects.filter(unit_type__community=community).select_related("unit_type")
    )
    return [_feed(f) for f in feeds]


@router.post(
    "/{community_id}/calendar-feeds",
    response=_errors({201: FeedOut}),
    operation_id="nomadcloud_communities_api_add_feed",
)
def add_feed(request: HttpRequest, community_id: UUID, payload: FeedIn) -> Status[Any]:
    """Add an external channel's (OTA's) iCalendar feed for one unit type."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    unit = UnitType.objects.filter(public_id=payload.unit_type, community=community).first()
    if unit is None:
        raise NotFound(_("No such unit type."))
    feed = ota.add_feed(principal=principal, unit_type=unit, name=payload.name, url=payload.url)
    return Status(201, _feed(feed))


@router.post(
    "/{community_id}/calendar-feeds/{feed_id}/sync",
    response=_errors({200: FeedOut}),
    operation_id="nomadcloud_communities_api_sync_feed",
)
def sync_feed(request: HttpRequest, community_id: UUID, feed_id: UUID, payload: FeedSyncIn) -> Any:
    """Hold the feed's blocked nights now (never beyond capacity: a night without a free
    unit is reported as a conflict); a malformed calendar is refused whole."""
    principal = Principal.of(request)
    community = access.community_for(principal, community_id, Action.MANAGE)
    feed = (
        CalendarFeed.objects.filter(public_id=feed_id, unit_type__community=community)
        .select_related("unit_type")
        .first()
    )
    if feed is None:
        raise NotFound(_("No such calendar feed."))
    data = payload.ical.encode("utf-8") if payload.ical else None
    ota.sync(feed, data=data, principal=principal)
    feed.refresh_from_db()
    return _feed(feed)
