"""Communities (数字游民社区示范点): their designation, listing, unit types, rate plans and
night inventory; bookings, stays, foreign guests' accommodation registrations, two-way
reviews, visits (derived from stays) and the authorities that supervise them.

Never overbook: ``NightInventory`` keeps, per unit type and night, the capacity and how
many units are held (requests awaiting the host) and booked; every hold, booking, walk-in and
extension takes units with ONE conditional ``UPDATE`` (``inventory.py``) and the database
refuses ``held + booked > capacity`` with a check constraint as a second wall.

Translatable content (name, summary, house rules) is a JSON object of BCP-47 language tags
to text (``zh-Hans`` and ``en`` required, more allowed; ``_machine`` lists machine-translated
languages): see docs/decisions/0024-communities.md.
"""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.communities.text import tr
from nomadcloud.core.fields import MultilingualField
from nomadcloud.core.money import MoneyField
from nomadcloud.core.uploads import StoredFile

BOOKING_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def new_booking_code() -> str:
    return "".join(secrets.choice(BOOKING_CODE_ALPHABET) for _i in range(8))


class Amenity(models.TextChoices):
    WIFI = "wifi", _("Wi-Fi")
    DESK = "desk", _("Work desk")
    COWORKING = "coworking", _("Shared office")
    MEETING_ROOM = "meeting_room", _("Meeting room")
    KITCHEN = "kitchen", _("Kitchen")
    LAUNDRY = "laundry", _("Laundry")
    GYM = "gym", _("Gym")
    LIBRARY = "library", _("Library")
    AIR_CONDITIONING = "air_conditioning", _("Air conditioning")
    PARKING = "parking", _("Parking")
    BICYCLE = "bicycle", _("Bicycles")
    BEACH = "beach", _("Near the beach")


class Community(models.Model):
    """A community operator's site: one per organisation of kind ``community``."""

    class Kind(models.TextChoices):
        COLIVING = "coliving", _("Co-living")
        HOTEL = "hotel", _("Hotel (licensed 旅馆业)")
        APARTMENT = "apartment", _("Serviced apartments")

    class Designation(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        UNDER_REVIEW = "under_review", _("Under review")
        PUBLICITY = "publicity", _("In public notice (公示)")
        DESIGNATED = "designated", _("Designated")
        SUSPENDED = "suspended", _("Suspended")
        REVOKED = "revoked", _("Revoked")
        EXPIRED = "expired", _("Expired")

    public_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    organisation = models.OneToOneField(
        Organisation, on_delete=models.PROTECT, related_name="community"
    )
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.COLIVING)
    name = MultilingualField(_("name"))
    summary = MultilingualField(_("description"))
    house_rules = MultilingualField(_("house rules"))
    address = models.CharField(_("address"), max_length=300)
    admin_code = models.CharField(
        _("region code (GB/T 2260)"), max_length=6, help_text=_("Six digits, e.g. 460400.")
    )
    amenities = models.JSONField(_("amenities"), default=list)
    international_internet = models.BooleanField(_("international internet access"), default=False)
    internet_mbps = models.PositiveIntegerField(_("internet speed (Mbit/s)"), null=True, blank=True)
    accessibility = models.CharField(_("accessibility"), max_length=300, blank=True)
    decision_hours = models.PositiveSmallIntegerField(
        _("hours to accept or decline a request"), default=48
    )
    listed = models.BooleanField(_("listed publicly"), default=False)
    designation = models.CharField(
        _("designation"), max_length=12, choices=Designation.choices, default=Designation.DRAFT
    )
    designated_from = models.DateField(_("designated from"), null=True, blank=True)
    designated_until = models.DateField(_("designated until"), null=True, blank=True)
    application_note = models.TextField(_("application"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.CheckConstraint(
                condition=Q(decision_hours__gte=1) & Q(decision_hours__lte=168),
                name="community_decision_window",
            ),
        ]

    def __str__(self) -> str:
        return tr(self.name) or str(self.organisation)


class DesignationEvent(models.Model):
    """One move of a community's designation (append-only)."""

    community = models.ForeignKey(
        Community, on_delete=models.CASCADE, related_name="designation_events"
    )
    action = models.CharField(max_length=20)
    source = models.CharField(max_length=12)
    target = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.community_id} {self.action} {self.at:%Y-%m-%d}"


class Authority(models.Model):
    """A government unit's role towards communities, set by the zone operator: 环湾办 (and
    科工信局) review designations, 公安 sees foreign guests' registrations, 旅文局 reads visit
    statistics. Its members act for it."""

    class Role(models.TextChoices):
        DESIGNATION = "designation", _("Designation (环湾办)")
        POLICE = "police", _("Public security (公安)")
        STATISTICS = "statistics", _("Tourism statistics (旅文局)")

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="community_authorities"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "role"], name="authority_once"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation_id}:{self.role}"


class UnitType(models.Model):
    """Beds, private rooms or desks of one kind; ``count`` of them can be booked per night."""

    class Kind(models.TextChoices):
        BED = "bed", _("Bed in a shared room")
        ROOM = "room", _("Private room")
        DESK = "desk", _("Desk")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="unit_types")
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    name = MultilingualField(_("name"))
    count = models.PositiveIntegerField(_("units"))
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return tr(self.name)


class RatePlan(models.Model):
    """An exact CNY price per night or per month (30 nights), with a minimum stay."""

    class Per(models.TextChoices):
        NIGHT = "night", _("per night")
        MONTH = "month", _("per month (30 nights)")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit_type = models.ForeignKey(UnitType, on_delete=models.CASCADE, related_name="rate_plans")
    name = MultilingualField(_("name"))
    per = models.CharField(_("per"), max_length=6, choices=Per.choices, default=Per.NIGHT)
    price = MoneyField(_("price (CNY)"))
    min_nights = models.PositiveSmallIntegerField(_("minimum nights"), default=1)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=Q(price__gt=0), name="rateplan_price_positive"),
            models.CheckConstraint(condition=Q(min_nights__gte=1), name="rateplan_min_nights"),
        ]

    def __str__(self) -> str:
        return tr(self.name)

    @property
    def name_text(self) -> str:
        return tr(self.name)


class NightInventory(models.Model):
    """One unit type on one night: capacity, held (requests awaiting the host), booked."""

    unit_type = models.ForeignKey(UnitType, on_delete=models.CASCADE, related_name="nights")
    night = models.DateField()
    capacity = models.PositiveIntegerField()
    held = models.PositiveIntegerField(default=0)
    booked = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["unit_type", "night"], name="inventory_night_once"),
            models.CheckConstraint(
                condition=Q(held__gte=0)
                & Q(booked__gte=0)
                & Q(capacity__gte=F("held") + F("booked")),
                name="inventory_never_overbooked",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.unit_type_id} {self.night}"


class Booking(models.Model):
    class Status(models.TextChoices):
        REQUESTED = "requested", _("Requested")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Expired")
        CHECKED_IN = "checked_in", _("Checked in")
        CHECKED_OUT = "checked_out", _("Checked out")
        CANCELLED = "cancelled", _("Cancelled")
        NO_SHOW = "no_show", _("No-show")

    class Source(models.TextChoices):
        REQUEST = "request", _("Request")
        WALK_IN = "walk_in", _("Walk-in")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    code = models.CharField(_("booking code"), max_length=8, unique=True, default=new_booking_code)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="bookings")
    unit_type = models.ForeignKey(UnitType, on_delete=models.PROTECT, related_name="bookings")
    rate_plan = models.ForeignKey(RatePlan, on_delete=models.PROTECT, related_name="bookings")
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_bookings"
    )
    start = models.DateField(_("arrival"))
    end = models.DateField(_("departure"))
    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    source = models.CharField(max_length=8, choices=Source.choices, default=Source.REQUEST)
    total = MoneyField(_("total (CNY)"))
    note = models.CharField(_("note"), max_length=500, blank=True)
    hold_expires_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["community", "status", "start"], name="booking_queue"),
            models.Index(fields=["community", "-id"], name="booking_by_community"),
            models.Index(fields=["guest", "start"], name="booking_guest"),
            models.Index(fields=["status", "hold_expires_at"], name="booking_holds"),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="booking_end_after_start"),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def nights(self) -> int:
        return (self.end - self.start).days


class BookingEvent(models.Model):
    """One move of a booking (append-only): who, when, from, to, why."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(max_length=20)
    source = models.CharField(max_length=12, blank=True)
    target = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.action}"


class StayImport(StoredFile):
    """An operator's bulk import of stays, with its evidence file (the CSV itself is kept)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="imports")
    file = models.FileField(upload_to="communities/imports/")
    evidence_note = models.CharField(_("evidence"), max_length=500)
    rows = models.PositiveIntegerField(default=0)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    def __str__(self) -> str:
        return self.original_name


class Stay(models.Model):
    """A person's stay at a community: from a check-in (with its booking) or from an
    operator's import (with its evidence). Visits are derived from stays."""

    class Source(models.TextChoices):
        CHECK_IN = "check_in", _("Platform check-in")
        IMPORT = "import", _("Operator import")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="stays")
    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_stays"
    )
    booking = models.OneToOneField(
        Booking, null=True, blank=True, on_delete=models.PROTECT, related_name="stay"
    )
    source = models.CharField(max_length=10, choices=Source.choices)
    stay_import = models.ForeignKey(
        StayImport, null=True, blank=True, on_delete=models.PROTECT, related_name="stays"
    )
    arrived_on = models.DateField(_("arrived"))
    departed_on = models.DateField(_("departed"), null=True, blank=True)
    checked_in_at = models.DateTimeField(null=True, blank=True)
    checked_out_at = models.DateTimeField(null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    method = models.CharField(max_length=10, blank=True)  # code | qr | walk_in | import

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["guest", "arrived_on"], name="stay_guest")]
        constraints = [
            models.CheckConstraint(
                condition=Q(departed_on__isnull=True) | Q(departed_on__gte=F("arrived_on")),
                name="stay_departs_after_arrival",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.guest_id} {self.arrived_on}"


class ForeignRegistration(models.Model):
    """The 24-hour accommodation registration of a foreign guest (出境入境管理法 art. 39):
    created pre-filled at check-in, filed with the police (a hotel confirms its 旅馆业
    system's reference), overdue when not registered within 24 hours of arrival."""

    class Status(models.TextChoices):
        REQUIRED = "required", _("Registration required")
        REGISTERING = "registering", _("Being registered")
        REGISTERED = "registered", _("Registered")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    stay = models.OneToOneField(Stay, on_delete=models.PROTECT, related_name="registration")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.REQUIRED)
    # The minimum fields 公安 sees, copied at check-in (the guest may change the profile later).
    full_name = models.CharField(max_length=100)
    nationality = models.CharField(max_length=2)
    passport_number_encrypted = models.TextField()
    arrived_at = models.DateTimeField()
    due_at = models.DateTimeField()
    reference = models.CharField(_("police reference number"), max_length=64, blank=True)
    filed_at = models.DateTimeField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["due_at"]
        indexes = [models.Index(fields=["status", "due_at"], name="registration_queue")]

    def __str__(self) -> str:
        return f"{self.nationality} {self.arrived_at:%Y-%m-%d}"


class Review(models.Model):
    """A review after a real stay: the guest's of the community (public) and the host's of
    the guest (a private note, seen only by the community's members)."""

    class Side(models.TextChoices):
        GUEST = "guest", _("Guest's review")
        HOST = "host", _("Host's note")

    booking = models.ForeignKey(Booking, on_delete=models.PROTECT, related_name="reviews")
    side = models.CharField(max_length=5, choices=Side.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    rating = models.PositiveSmallIntegerField(_("rating"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        constraints = [
            models.UniqueConstraint(fields=["booking", "side"], name="review_once_per_side"),
            models.CheckConstraint(
                condition=Q(rating__gte=1) & Q(rating__lte=5), name="review_rating_1_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.booking_id} {self.side} {self.rating}"


class Visit(models.Model):
    """One visit to the zone: a person's closed stays merged by the dated definition
    (``visits.py``), counted in the year of arrival. Rebuilt per person when a stay closes or
    is imported; ``sources`` names the stays it was made of (provenance)."""

    guest = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="community_visits"
    )
    community = models.ForeignKey(Community, on_delete=models.PROTECT, related_name="visits")
    arrived_on = models.DateField()
    departed_on = models.DateField()
    nights = models.PositiveIntegerField()
    nationality = models.CharField(max_length=2, blank=True)
    sources: models.JSONField[Any, Any] = models.JSONField(default=list)
    rule_version = models.CharField(max_length=64)

    class Meta:
        ordering = ["-arrived_on"]
        indexes = [models.Index(fields=["arrived_on"], name="visit_arrival")]
        constraints = [
            models.UniqueConstraint(fields=["guest", "arrived_on"], name="visit_once_per_arrival"),
        ]

    def __str__(self) -> str:
        return f"{self.guest_id} {self.arrived_on}"


class CalendarEvent(models.Model):
    """The community's events calendar (meetups, talks), exported as iCalendar."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="events")
    title = MultilingualField(_("title"))
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    weekly_count = models.PositiveSmallIntegerField(
        _("repeat weekly (times)"), default=1, help_text=_("1 = once; at most 52.")
    )

    class Meta:
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="event_ends_after"
            ),
            models.CheckConstraint(
                condition=Q(weekly_count__gte=1) & Q(weekly_count__lte=52), name="event_repeat_cap"
            ),
        ]

    def __str__(self) -> str:
        return tr(self.title)


class CalendarFeed(models.Model):
    """An external channel's (OTA's) iCalendar feed for one unit type: each event in it
    holds one unit on its nights (``OtaBlock``), so a guest booked elsewhere is never
    overbooked here. Synced from its address (daily job, or "sync now") or from an
    uploaded file; the last sync and its error are kept for the operator to see."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    unit_type = models.ForeignKey(UnitType, on_delete=models.CASCADE, related_name="feeds")
    name = models.CharField(_("channel"), max_length=80)
    url = models.URLField(_("feed address"), max_length=500, blank=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class OtaBlock(models.Model):
    """One occurrence of an external event: nights [start, end) of the feed's unit type.
    ``held`` is False when no unit was free (a conflict shown to the operator, retried at
    the next sync) — the platform never takes more than the capacity. The event's summary
    (often a guest's name) is not kept."""

    feed = models.ForeignKey(CalendarFeed, on_delete=models.CASCADE, related_name="blocks")
    uid = models.CharField(max_length=255)
    start = models.DateField()
    end = models.DateField()
    held = models.BooleanField(default=False)

    class Meta:
        ordering = ["start", "id"]
        constraints = [
            models.UniqueConstraint(fields=["feed", "uid", "start"], name="ota_block_once"),
            models.CheckConstraint(condition=Q(end__gt=F("start")), name="ota_block_dates"),
        ]

    def __str__(self) -> str:
        return f"{self.uid} {self.start}–{self.end}"
