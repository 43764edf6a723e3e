"""Check-in (by booking code, by the guest's one-card QR, or as a walk-in), stays, check-out,
the foreign guest's 24-hour accommodation registration, two-way reviews and operators'
bulk imports of stays with evidence."""

from __future__ import annotations

import csv
import io
import uuid
from datetime import date, datetime, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import parse_public_id, require_person, require_write, role_in
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.communities import access, inventory, services, visits
from nomadcloud.communities.models import (
    Booking,
    Community,
    ForeignRegistration,
    Review,
    Stay,
    StayImport,
)
from nomadcloud.communities.schemas import RegistrationDraft, ReviewDraft, WalkInDraft
from nomadcloud.communities.transitions import Role
from nomadcloud.core import audit, uploads, workdays
from nomadcloud.core.crypto import decrypt_text, encrypt_text
from nomadcloud.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    invalid_field,
)
from nomadcloud.core.models import Clock
from nomadcloud.onecard import qr

REGISTRATION_HOURS = 24
MAX_IMPORT_ROWS = 5000


def check_guest_papers(guest: User) -> None:
    """A guest must have a nationality on file; a foreign guest also a passport number (the
    registration is pre-filled from them). Refused with what is missing."""
    missing = []
    if not guest.nationality:
        missing.append(_("nationality"))
    elif guest.is_foreign and not guest.passport_number_encrypted:
        missing.append(_("passport number"))
    if missing:
        raise Conflict(
            _(
                "The guest's profile lacks: %(missing)s. Ask the guest to add it, then check "
                "in again."
            )
            % {"missing": ", ".join(missing)},
            code="papers_missing",
        )


REGISTRATION_CLOCK = "communities.foreignregistration"


def _registration(stay: Stay, guest: User, now: datetime) -> ForeignRegistration:
    """Pre-filled from the guest's profile, with its 24-hour clock (core/workdays.py)."""
    registration = ForeignRegistration.objects.create(
        stay=stay,
        full_name=guest.display_name,
        nationality=guest.nationality.code,
        passport_number_encrypted=encrypt_text(decrypt_text(guest.passport_number_encrypted)),
        arrived_at=now,
        due_at=now + timedelta(hours=REGISTRATION_HOURS),
    )
    workdays.start_clock(
        REGISTRATION_CLOCK,
        str(registration.public_id),
        limit=REGISTRATION_HOURS,
        unit="hours",
        at=now,
        name="accommodation registration",
    )
    return registration


def clock_of(registration: ForeignRegistration) -> Clock | None:
    clocks = workdays.clocks_for(REGISTRATION_CLOCK, str(registration.public_id))
    return clocks[0] if clocks else None


def check_in_booking(*, principal: Principal, booking: Booking, method: str, now: datetime) -> Stay:
    """Inside the caller's transaction: the move to checked_in, the stay, and for a foreign
    guest the registration, pre-filled, with its 24-hour clock."""
    locked, source = services._move(principal, booking, "check_in", now=now)
    check_guest_papers(locked.guest)
    locked.save(update_fields=["status"])
    stay = Stay.objects.create(
        community=locked.community,
        guest=locked.guest,
        booking=locked,
        source=Stay.Source.CHECK_IN,
        arrived_on=timezone.localdate(now),
        checked_in_at=now,
        checked_in_by=principal.user,
        method=method,
    )
    if locked.guest.is_foreign:
        _registration(stay, locked.guest, now)
    services._finish(principal, locked, "check_in", source, method)
    return stay


def _qr_guest(token: str) -> User:
    """The guest named by a one-card QR token shown for check-in (``onecard.qr``): signed,
    60 seconds, this purpose only, accepted once (the use is rolled back with the check-in
    if the guest has no booking here). A refusal names the code field."""
    try:
        return qr.verify_scan(token, "checkin")
    except DomainError as exc:
        raise invalid_field("code", exc.message, code=exc.code) from None


@transaction.atomic
def check_in(
    *, principal: Principal, community: Community, code: str, now: datetime | None = None
) -> Stay:
    """The host checks a guest in by the booking code (8 characters) or by scanning the
    guest's one-card QR (the guest's confirmed booking here that starts soonest)."""
    require_write(principal)
    now = now or timezone.now()
    value = code.strip().upper()
    if len(value) == 8:
        booking = Booking.objects.filter(community=community, code=value).first()
        method = "code"
    else:
        guest = _qr_guest(code.strip())
        booking = (
            Booking.objects.filter(
                community=community, guest=guest, status=Booking.Status.CONFIRMED
            )
            .order_by("start")
            .first()
        )
        method = "qr"
    if booking is None:
        raise invalid_field("code", _("No booking with this code here."), code="unknown_booking")
    return check_in_booking(principal=principal, booking=booking, method=method, now=now)


@transaction.atomic
def walk_in(
    *, principal: Principal, community: Community, draft: WalkInDraft, now: datetime | None = None
) -> Booking:
    """A guest who arrives without a booking: one unit is BOOKED at once on every night from
    today (the same conditional update), and the guest is checked in."""
    user = require_person(principal)
    require_write(principal)
    now = now or timezone.now()
    today = timezone.localdate(now)
    guest = services.resolve_guest(draft.guest)
    unit_type, plan = services._unit_and_plan(community, draft.unit_type, draft.rate_plan)
    services._check_dates(today, draft.end, plan, today=today, walk_in=True)
    services._no_overlap(guest, today, draft.end)
    check_guest_papers(guest)
    inventory.take(unit_type, today, draft.end, hold=False)
    booking = Booking.objects.create(
        community=community,
        unit_type=unit_type,
        rate_plan=plan,
        guest=guest,
        start=today,
        end=draft.end,
        status=Booking.Status.CONFIRMED,
        source=Booking.Source.WALK_IN,
        total=services.price_of(plan, (draft.end - today).days),
        created_by=user,
        decided_at=now,
    )
    services._event(booking, "walk_in", "", user)
    audit.record(
        actor=user,
        action="communities.booking.walk_in",
        obj=booking,
        organisation=community.organisation,
        after={"end": draft.end.isoformat(), "total": str(booking.total)},
        token=principal.token,
    )
    check_in_booking(principal=principal, booking=booking, method="walk_in", now=now)
    booking.refresh_from_db()
    return booking


@transaction.atomic
def check_out(*, principal: Principal, booking: Booking, now: datetime | None = None) -> Stay:
    """The stay closes; nights not used are given back; the guest's visits are recounted."""
    now = now or timezone.now()
    locked, source = services._move(principal, booking, "check_out", now=now)
    stay = Stay.objects.select_for_update().get(booking=locked)
    today = timezone.localdate(now)
    if today < stay.arrived_on:
        raise Conflict(_("A guest cannot check out before checking in."), code="before_check_in")
    departure = max(today, stay.arrived_on + timedelta(days=1))
    if departure < locked.end:
        inventory.release(locked.unit_type, departure, locked.end, hold=False)
    stay.departed_on, stay.checked_out_at = departure, now
    stay.save(update_fields=["departed_on", "checked_out_at"])
    locked.closed_at = now
    locked.save(update_fields=["status", "closed_at"])
    services._finish(principal, locked, "check_out", source)
    visits.rebuild_for(locked.guest)
    return stay


# ---- reviews --------------------------------------------------------------------------------


@transaction.atomic
def review(*, principal: Principal, booking: Booking, draft: ReviewDraft) -> Review:
    """After a real stay (checked out): the guest reviews the community, a host notes the
    guest (privately). One review per side."""
    user = require_person(principal)
    require_write(principal)
    roles = access.booking_roles(principal, booking)
    if Role.GUEST in roles:
        side = Review.Side.GUEST
    elif Role.HOST in roles:
        side = Review.Side.HOST
    else:
        raise Forbidden(_("Only the guest and the community's hosts review a stay."))
    if (
        booking.status != Booking.Status.CHECKED_OUT
        or not Stay.objects.filter(booking=booking).exists()
    ):
        raise Conflict(_("Only a completed stay can be reviewed."), code="no_stay")
    if Review.objects.filter(booking=booking, side=side).exists():
        raise Conflict(_("This stay has already been reviewed."), code="already_reviewed")
    created = Review.objects.create(
        booking=booking, side=side, author=user, rating=draft.rating, comment=draft.comment
    )
    audit.record(
        actor=user,
        action=f"communities.review.{side}",
        obj=created,
        organisation=booking.community.organisation,
        after={"rating": draft.rating},
        token=principal.token,
    )
    return created


# ---- foreign guests' registration -----------------------------------------------------------


def is_overdue(registration: ForeignRegistration, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return registration.registered_at is None and registration.due_at < now


def registration_for(principal: Principal, public_id: object) -> ForeignRegistration:
    """For the community's hosts and public security staff."""
    key = parse_public_id(public_id, message=_("No such registration."))
    registration = (
        ForeignRegistration.objects.select_related("stay__community__organisation")
        .filter(public_id=key)
        .first()
    )
    if registration is None:
        raise NotFound(_("No such registration."))
    host = role_in(principal, registration.stay.community.organisation) in access.HOSTS
    if not host and not access.is_authority(principal, "police"):
        raise NotFound(_("No such registration."))
    return registration


@transaction.atomic
def file_registration(
    *,
    principal: Principal,
    registration: ForeignRegistration,
    draft: RegistrationDraft,
    now: datetime | None = None,
) -> ForeignRegistration:
    """The host files the registration with public security (``registering``); with the
    police reference number (a hotel's 旅馆业 system gives it at once, or public security
    answers) it is ``registered`` and its clock stops."""
    user = require_person(principal)
    require_write(principal)
    now = now or timezone.now()
    locked = ForeignRegistration.objects.select_for_update().get(pk=registration.pk)
    if locked.status == ForeignRegistration.Status.REGISTERED:
        raise Conflict(_("This registration is already done."), code="already_registered")
    before = locked.status
    if draft.reference:
        locked.status, locked.reference, locked.registered_at = (
            ForeignRegistration.Status.REGISTERED,
            draft.reference,
            now,
        )
        clock = clock_of(locked)
        if clock is not None and clock.stopped_at is None:
            workdays.stop_clock(clock, at=now)
    else:
        locked.status = ForeignRegistration.Status.REGISTERING
    if locked.filed_at is None:
        locked.filed_at, locked.filed_by = now, user
    locked.save()
    audit.record(
        actor=user,
        action="communities.registration.file",
        obj=locked,
        organisation=locked.stay.community.organisation,
        before={"status": before},
        after={"status": locked.status, "reference": locked.reference},
        token=principal.token,
    )
    return locked


def passport_of(registration: ForeignRegistration) -> str:
    return decrypt_text(registration.passport_number_encrypted)


# ---- bulk import ----------------------------------------------------------------------------

HEADER = ["person", "arrived_on", "departed_on"]


def _person(value: str) -> User | None:
    value = value.strip()
    if "@" in value:
        return User.objects.filter(email__iexact=value).first()
    try:
        return User.objects.filter(public_id=uuid.UUID(value)).first()
    except ValueError:
        return None


def parse_import(data: bytes, *, today: date) -> list[tuple[User, date, date]]:
    """Rows of ``person,arrived_on,departed_on`` (UTF-8, a header line; person = public id or
    e-mail address). Every problem is reported with its line number; nothing is kept."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise invalid_field(
            "file", _("The file is not UTF-8 text; save it as CSV UTF-8."), code="encoding"
        ) from error
    reader = csv.reader(io.StringIO(text))
    errors: list[str] = []
    rows: list[tuple[User, date, date]] = []
    seen: set[tuple[str, ...]] = set()
    header = next(reader, None)
    if header is None or [h.strip().lower() for h in header] != HEADER:
        raise invalid_field(
            "file",
            _("The first line must be: %(header)s") % {"header": ",".join(HEADER)},
            code="header",
        )
    for number, line in enumerate(reader, start=2):
        if not any(cell.strip() for cell in line):
            continue
        if len(rows) + len(errors) >= MAX_IMPORT_ROWS:
            errors.append(
                _("Line %(n)s: at most %(max)s lines per file.")
                % {"n": number, "max": MAX_IMPORT_ROWS}
            )
            break
        if len(line) != 3:
            errors.append(_("Line %(n)s: three columns are expected.") % {"n": number})
            continue
        key = tuple(c.strip() for c in line)
        if key in seen:
            errors.append(_("Line %(n)s: the same line appears twice.") % {"n": number})
            continue
        seen.add(key)
        person = _person(key[0])
        if person is None:
            errors.append(_("Line %(n)s: no such person.") % {"n": number})
            continue
        try:
            arrived, departed = date.fromisoformat(key[1]), date.fromisoformat(key[2])
        except ValueError:
            errors.append(_("Line %(n)s: dates are written YYYY-MM-DD.") % {"n": number})
            continue
        if departed <= arrived:
            errors.append(_("Line %(n)s: the departure must be after the arrival.") % {"n": number})
            continue
        if departed > today:
            errors.append(_("Line %(n)s: only past stays can be imported.") % {"n": number})
            continue
        for other, a, d in rows:
            if other.pk == person.pk and a < departed and arrived < d:
                errors.append(
                    _("Line %(n)s: overlaps another line of the same person.") % {"n": number}
                )
                break
        else:
            overlapping = Stay.objects.filter(
                guest=person, arrived_on__lt=departed, departed_on__gt=arrived
            ).exists()
            if overlapping:
                errors.append(_("Line %(n)s: overlaps a stay already recorded.") % {"n": number})
                continue
            rows.append((person, arrived, departed))
    if errors:
        raise InvalidInput(_("The file has errors; nothing was imported."), fields={"file": errors})
    if not rows:
        raise invalid_field("file", _("The file has no lines to import."), code="empty")
    return rows


@transaction.atomic
def import_stays(
    *,
    principal: Principal,
    community: Community,
    file: UploadedFile[Any],
    evidence_note: str,
    now: datetime | None = None,
) -> StayImport:
    """Past stays from a CSV, with the file kept as evidence; the visits of every person
    named are recounted. All lines or none."""
    user = require_person(principal)
    require_write(principal)
    now = now or timezone.now()
    if not evidence_note.strip():
        raise invalid_field(
            "evidence_note", _("Say what the evidence is (e.g. the register book).")
        )
    checked = uploads.check_file(file, field="file")
    if checked.extension != "csv":
        raise invalid_field("file", _("Upload a CSV file."), code="file_type")
    file.seek(0)
    rows = parse_import(file.read(), today=timezone.localdate(now))
    file.seek(0)
    batch = StayImport(
        community=community, evidence_note=evidence_note.strip(), rows=len(rows), imported_by=user
    )
    uploads.store(batch, checked)
    batch.save()
    Stay.objects.bulk_create(
        [
            Stay(
                community=community,
                guest=person,
                source=Stay.Source.IMPORT,
                stay_import=batch,
                arrived_on=arrived,
                departed_on=departed,
                method="import",
            )
            for person, arrived, departed in rows
        ]
    )
    for person in {p.pk: p for p, _a, _d in rows}.values():
        visits.rebuild_for(person)
    audit.record(
        actor=user,
        action="communities.stays.import",
        obj=batch,
        organisation=community.organisation,
        after={"rows": len(rows), "sha256": batch.sha256},
        token=principal.token,
    )
    return batch
