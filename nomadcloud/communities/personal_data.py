"""What communities holds about a person (core/privacy.py): their bookings and stays, the
visits counted from them, their accommodation registrations (as a foreign guest) and the
reviews they wrote.

Erasure keeps bookings, stays, visits and registrations: they are the community's records,
the zone's statistics and a legal record of public security (出境入境管理法 art. 39), and now
point to the pseudonymous person. The texts the person wrote that only describe them are
removed: booking notes and review comments."""

from __future__ import annotations

from typing import Any

from nomadcloud.communities.models import Booking, ForeignRegistration, Review, Stay, Visit
from nomadcloud.core import privacy


def export(user: Any) -> dict[str, Any]:
    return {
        "bookings": privacy.dump(
            Booking.objects.filter(guest=user).select_related("community"),
            exclude=["guest", "created_by"],
            community=lambda b: str(b.community.public_id),
        ),
        "stays": privacy.dump(
            Stay.objects.filter(guest=user).select_related("community"),
            exclude=["guest", "checked_in_by"],
            community=lambda s: str(s.community.public_id),
        ),
        "visits": privacy.dump(Visit.objects.filter(guest=user), exclude=["guest"]),
        "accommodation_registrations": privacy.dump(
            ForeignRegistration.objects.filter(stay__guest=user),
            exclude=["passport_number_encrypted", "filed_by"],
        ),
        "reviews_written": privacy.dump(Review.objects.filter(author=user), exclude=["author"]),
    }


def erase(user: Any) -> None:
    Booking.objects.filter(guest=user).update(note="")
    Review.objects.filter(author=user).update(comment="")
