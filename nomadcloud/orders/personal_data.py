"""What orders holds about a person (core/privacy.py): the orders they took, their
applications to orders, the messages and deliverables they sent, the disputes they opened,
the ratings they gave and received, and the conversions (hiring, own business) recorded for
them.

Erasure keeps the orders, milestones, deliverables, disputes, settlements and conversions:
they are the contract's and the zone's records (what was agreed, delivered and paid), and
they now point to the pseudonymous person. The free texts the person wrote that only
describe them are removed: application notes, message bodies and rating comments."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from nomadcloud.core import privacy
from nomadcloud.orders.models import (
    Conversion,
    Deliverable,
    Dispute,
    Message,
    Order,
    OrderApplication,
    Rating,
)

ERASED_TEXT = ""


def export(user: Any) -> dict[str, Any]:
    return {
        "orders_taken": privacy.dump(
            Order.objects.filter(nomad=user),
            exclude=["nomad", "created_by"],
        ),
        "applications": privacy.dump(
            OrderApplication.objects.filter(applicant=user).select_related("order"),
            exclude=["applicant"],
            order_public_id=lambda a: a.order.public_id,
        ),
        "messages": privacy.dump(
            Message.objects.filter(author=user).select_related("order"),
            exclude=["author"],
            order_public_id=lambda m: m.order.public_id,
        ),
        "deliverables": privacy.dump(
            Deliverable.objects.filter(submitted_by=user).select_related("order"),
            exclude=["submitted_by"],
            order_public_id=lambda d: d.order.public_id,
        ),
        "disputes_opened": privacy.dump(
            Dispute.objects.filter(opened_by=user).select_related("order"),
            exclude=["opened_by", "decided_by"],
            order_public_id=lambda d: d.order.public_id,
        ),
        "ratings": privacy.dump(
            Rating.objects.filter(
                Q(rater=user) | Q(order__nomad=user, side=Rating.Side.ENTERPRISE)
            ).select_related("order"),
            exclude=["rater"],
            order_public_id=lambda r: r.order.public_id,
        ),
        "conversions": privacy.dump(
            Conversion.objects.filter(nomad=user), exclude=["nomad", "recorded_by"]
        ),
    }


def erase(user: Any) -> None:
    OrderApplication.objects.filter(applicant=user).update(note=ERASED_TEXT)
    Message.objects.filter(author=user).update(body=ERASED_TEXT)
    Rating.objects.filter(rater=user).update(comment=ERASED_TEXT)
