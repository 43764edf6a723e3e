"""Builders for orders tests (moved from tests/permissions/orders.py): the
objects the permission matrix and tests/test_orders*.py start from."""

from __future__ import annotations

import base64
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.orders import conversions, services
from nomadcloud.orders.models import Conversion, Order
from nomadcloud.orders.schemas import OrderDraft
from tests.builders.demands import make_concepts
from tests.builders.world import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def as_(user: User) -> Principal:
    return Principal.for_user(user)


def milestones(**extra: Any) -> list[dict[str, Any]]:
    today = timezone.localdate()
    return [
        {"title": "设计稿 Design", "amount": "1200.50", "due_on": today + timedelta(days=10)},
        {"title": "上线 Launch", "amount": "2799.50", "due_on": today + timedelta(days=20)},
    ]


TOTAL = Decimal("4000.00")


def order_fields(**extra: Any) -> dict[str, Any]:
    make_concepts()
    return {
        "title_zh": "数据看板开发",
        "title_en": "Data dashboard",
        "description_zh": "用 Python 与 SQL 开发一个数据看板。",
        "skills": [{"code": "nc.python", "level": 3}, {"code": "nc.sql", "level": 4}],
        "milestones": milestones(),
        **extra,
    }


def draft_order(w: World, **extra: Any) -> Order:
    draft = parse_draft(OrderDraft, order_fields(**extra))
    return services.create_order(principal=as_(w.olivia), organisation=w.acme, draft=draft)


def open_order(w: World) -> Order:
    order = draft_order(w)
    services.publish_order(principal=as_(w.olivia), order=order)
    return reload(order)


def applied_order(w: World, nomad: User | None = None) -> Order:
    order = open_order(w)
    services.apply_for_order(principal=as_(nomad or w.wendy), order=order, note="我有经验。")
    return reload(order)


def assigned_order(w: World) -> Order:
    order = applied_order(w)
    application = order.applications.get(applicant=w.wendy)
    services.assign(principal=as_(w.olivia), order=order, application=application)
    return reload(order)


def in_progress_order(w: World) -> Order:
    order = assigned_order(w)
    services.start_work(principal=as_(w.wendy), order=order)
    return reload(order)


def with_deliverable(w: World, order: Order, name: str = "dashboard.pdf") -> Order:
    services.add_deliverable(
        principal=as_(w.wendy),
        order=order,
        note="第一版",
        file=SimpleUploadedFile(name, PDF),
        milestone=1,
    )
    return reload(order)


def delivered_order(w: World) -> Order:
    order = with_deliverable(w, in_progress_order(w))
    services.deliver(principal=as_(w.wendy), order=order)
    return reload(order)


def half_accepted_order(w: World) -> Order:
    """The first of the two milestones delivered and accepted: back in progress."""
    order = delivered_order(w)
    services.accept_milestone(principal=as_(w.olivia), order=order, position=1)
    return reload(order)


def accepted_order(w: World) -> Order:
    """Both milestones delivered and accepted, one after the other."""
    order = half_accepted_order(w)
    services.add_deliverable(
        principal=as_(w.wendy), order=order, url="https://example.com/launch", milestone=2
    )
    services.deliver(principal=as_(w.wendy), order=order)
    services.accept_milestone(principal=as_(w.olivia), order=order, position=2)
    return reload(order)


def settled_order(w: World) -> Order:
    order = accepted_order(w)
    services.settle(principal=as_(w.olivia), order=order)
    return reload(order)


def cancelled_order(w: World) -> Order:
    order = open_order(w)
    services.cancel(principal=as_(w.olivia), order=order, reason="预算取消")
    return reload(order)


def disputed_order(w: World) -> Order:
    order = delivered_order(w)
    services.open_dispute(principal=as_(w.wendy), order=order, reason="企业不回复。")
    return reload(order)


def resolved_order(w: World) -> Order:
    order = disputed_order(w)
    services.resolve_dispute(
        principal=as_(w.oscar), order=order, outcome="release", reason="交付物符合要求。"
    )
    return reload(order)


BUILDERS = {
    "draft": draft_order,
    "open": open_order,
    "applied": applied_order,
    "assigned": assigned_order,
    "in_progress": in_progress_order,
    "delivered": delivered_order,
    "accepted": accepted_order,
    "settled": settled_order,
    "cancelled": cancelled_order,
    "disputed": disputed_order,
    "resolved": resolved_order,
}


def reload(order: Order) -> Order:
    return Order.objects.select_related("organisation", "nomad").get(pk=order.pk)


def contract(w: World, **extra: Any) -> Conversion:
    order = extra.pop("order", None) or accepted_order(w)
    return conversions.record_conversion(
        principal=as_(w.olivia),
        organisation=w.acme,
        nomad=w.wendy,
        kind="contract",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + timedelta(days=400),
        order=order,
        **extra,
    )


def b64(content: bytes) -> str:
    return base64.b64encode(content).decode()


def milestone_rows(*rows: tuple[str, str, Any]) -> dict[str, str]:
    """The order form's milestone rows as a page posts them: (title, amount, due date)."""
    data = {
        "milestones-TOTAL_FORMS": str(len(rows)),
        "milestones-INITIAL_FORMS": "0",
        "milestones-MIN_NUM_FORMS": "1",
        "milestones-MAX_NUM_FORMS": "100",
    }
    for i, (title, amount, due) in enumerate(rows):
        data |= {
            f"milestones-{i}-title": title,
            f"milestones-{i}-amount": amount,
            f"milestones-{i}-due_on": str(due),
        }
    return data
