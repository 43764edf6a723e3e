"""Permission cases for remote orders and conversions; and the shared builders the order
tests use (tests/test_orders_*.py).

In the matrix Acme (Olivia owner, Rita read-only) gives out the orders and Wendy (the
department reviewer persona, no role in Acme) is the nomad who applies and does the work;
Charlie (outsider) and Oscar (the zone operator) have no part unless the case says so."""

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
from tests.conftest import PERSONAS, World
from tests.permissions import ALLOW, DENY, MEMBERS_AND_OPERATOR, OPERATOR_ONLY, OWNER_ONLY, Case
from tests.permissions.demands import make_concepts

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
EVERYONE_SIGNED_IN = dict.fromkeys(PERSONAS, ALLOW) | {"anonymous": DENY}
NOBODY = dict.fromkeys(PERSONAS, DENY)
NOMAD_ONLY = NOBODY | {"reviewer": ALLOW}
OPERATOR_AND_OWNER = NOBODY | {"owner": ALLOW, "operator": ALLOW}
# The two parties and the operator: Acme's members, Wendy (the nomad), Oscar.
PARTIES = NOBODY | {"readonly": ALLOW, "owner": ALLOW, "reviewer": ALLOW, "operator": ALLOW}
# People outside Acme may apply: Charlie, Wendy, Oscar.
APPLICANTS = NOBODY | {"outsider": ALLOW, "reviewer": ALLOW, "operator": ALLOW}
OWNER_OR_NOMAD = NOBODY | {"owner": ALLOW, "reviewer": ALLOW}
OWNER_NOMAD_OPERATOR = OWNER_OR_NOMAD | {"operator": ALLOW}
# A conversion with Wendy: Acme's members, Wendy and the operator see it.
CONVERSION_VIEW = PARTIES


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


def accepted_order(w: World) -> Order:
    order = delivered_order(w)
    services.accept_delivery(principal=as_(w.olivia), order=order)
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


def _oid(order: Order) -> str:
    return str(order.public_id)


def _application_path(w: World) -> str:
    order = applied_order(w)
    application = order.applications.get(applicant=w.wendy)
    return f"/api/v1/orders/{order.public_id}/applications/{application.pk}"


def _deliverable(w: World) -> tuple[Order, int]:
    order = with_deliverable(w, in_progress_order(w))
    return order, order.deliverables.get().pk


API = "/api/v1/orders"

API_CASES = [
    Case("api list orders", "GET", lambda w: API, EVERYONE_SIGNED_IN, api=True),
    Case(
        "api create order",
        "POST",
        lambda w: API,
        OWNER_ONLY,
        lambda w: {
            **order_fields(milestones=[]),
            "milestones": [
                {"title": "全部", "amount": "800.00", "due_on": str(timezone.localdate())}
            ],
            "organisation": str(w.acme.public_id),
        },
        api=True,
    ),
    Case(
        "api get open order",
        "GET",
        lambda w: f"{API}/{_oid(open_order(w))}",
        EVERYONE_SIGNED_IN,
        api=True,
        route=f"{API}/{{order_id}}",
    ),
    Case(
        "api get draft order",
        "GET",
        lambda w: f"{API}/{_oid(draft_order(w))}",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/{{order_id}}",
    ),
    Case(
        "api get assigned order",
        "GET",
        lambda w: f"{API}/{_oid(assigned_order(w))}",
        PARTIES,
        api=True,
        route=f"{API}/{{order_id}}",
    ),
    Case(
        "api patch order",
        "PATCH",
        lambda w: f"{API}/{_oid(draft_order(w))}",
        OWNER_ONLY,
        lambda w: {"title_en": "Sales dashboard"},
        api=True,
        route=f"{API}/{{order_id}}",
    ),
    Case(
        "api publish order",
        "POST",
        lambda w: f"{API}/{_oid(draft_order(w))}/transitions",
        OWNER_ONLY,
        lambda w: {"to": "open"},
        api=True,
        route=f"{API}/{{order_id}}/transitions",
    ),
    Case(
        "api start work",
        "POST",
        lambda w: f"{API}/{_oid(assigned_order(w))}/transitions",
        NOMAD_ONLY,
        lambda w: {"to": "in_progress"},
        api=True,
        route=f"{API}/{{order_id}}/transitions",
    ),
    Case(
        "api accept delivery",
        "POST",
        lambda w: f"{API}/{_oid(delivered_order(w))}/transitions",
        OWNER_ONLY,
        lambda w: {"to": "accepted"},
        api=True,
        route=f"{API}/{{order_id}}/transitions",
    ),
    Case(
        "api settle",
        "POST",
        lambda w: f"{API}/{_oid(accepted_order(w))}/transitions",
        OPERATOR_AND_OWNER,
        lambda w: {"to": "settled"},
        api=True,
        route=f"{API}/{{order_id}}/transitions",
    ),
    Case(
        "api history",
        "GET",
        lambda w: f"{API}/{_oid(assigned_order(w))}/history",
        PARTIES,
        api=True,
        route=f"{API}/{{order_id}}/history",
    ),
    Case(
        "api apply",
        "POST",
        lambda w: f"{API}/{_oid(open_order(w))}/applications",
        APPLICANTS,
        lambda w: {"note": "I can do this."},
        api=True,
        route=f"{API}/{{order_id}}/applications",
    ),
    Case(
        "api list applications",
        "GET",
        lambda w: f"{API}/{_oid(applied_order(w))}/applications",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/{{order_id}}/applications",
    ),
    Case(
        "api withdraw application",
        "POST",
        lambda w: _application_path(w) + "/withdraw",
        NOMAD_ONLY,
        api=True,
        route=f"{API}/{{order_id}}/applications/{{application_id}}/withdraw",
    ),
    Case(
        "api assign",
        "POST",
        lambda w: _application_path(w) + "/assign",
        OWNER_ONLY,
        api=True,
        route=f"{API}/{{order_id}}/applications/{{application_id}}/assign",
    ),
    Case(
        "api add deliverable",
        "POST",
        lambda w: f"{API}/{_oid(in_progress_order(w))}/deliverables",
        NOMAD_ONLY,
        lambda w: {"note": "v1", "file": {"file_name": "v1.pdf", "content_base64": b64(PDF)}},
        api=True,
        route=f"{API}/{{order_id}}/deliverables",
    ),
    Case(
        "api list deliverables",
        "GET",
        lambda w: f"{API}/{_oid(with_deliverable(w, in_progress_order(w)))}/deliverables",
        PARTIES,
        api=True,
        route=f"{API}/{{order_id}}/deliverables",
    ),
    Case(
        "api open dispute",
        "POST",
        lambda w: f"{API}/{_oid(delivered_order(w))}/dispute",
        OWNER_OR_NOMAD,
        lambda w: {"reason": "Late and incomplete."},
        api=True,
        route=f"{API}/{{order_id}}/dispute",
    ),
    Case(
        "api resolve dispute",
        "POST",
        lambda w: f"{API}/{_oid(disputed_order(w))}/dispute/decision",
        OPERATOR_ONLY,
        lambda w: {
            "outcome": "split",
            "to_nomad": "2000.00",
            "to_enterprise": "2000.00",
            "reason": "Half the work meets the brief.",
        },
        api=True,
        route=f"{API}/{{order_id}}/dispute/decision",
    ),
    Case(
        "api list disputes",
        "GET",
        lambda w: f"{API}/disputes",
        OPERATOR_ONLY,
        api=True,
    ),
    Case(
        "api list messages",
        "GET",
        lambda w: f"{API}/{_oid(assigned_order(w))}/messages",
        PARTIES,
        api=True,
        route=f"{API}/{{order_id}}/messages",
    ),
    Case(
        "api post message",
        "POST",
        lambda w: f"{API}/{_oid(assigned_order(w))}/messages",
        OWNER_NOMAD_OPERATOR,
        lambda w: {"body": "何时开始？"},
        api=True,
        route=f"{API}/{{order_id}}/messages",
    ),
    Case(
        "api rate",
        "POST",
        lambda w: f"{API}/{_oid(accepted_order(w))}/ratings",
        OWNER_OR_NOMAD,
        lambda w: {"score": 5, "comment": "Great"},
        api=True,
        route=f"{API}/{{order_id}}/ratings",
    ),
    Case(
        "api settlement",
        "GET",
        lambda w: f"{API}/{_oid(settled_order(w))}/settlement",
        PARTIES,
        api=True,
        route=f"{API}/{{order_id}}/settlement",
    ),
    Case("api accepted orders", "GET", lambda w: f"{API}/accepted", EVERYONE_SIGNED_IN, api=True),
    Case(
        "api list conversions", "GET", lambda w: f"{API}/conversions", EVERYONE_SIGNED_IN, api=True
    ),
    Case(
        "api record conversion",
        "POST",
        lambda w: f"{API}/conversions",
        OPERATOR_AND_OWNER,
        lambda w: {
            "organisation": str(w.acme.public_id),
            "nomad": str(accepted_order(w).nomad.public_id),  # type: ignore[union-attr]
            "kind": "flexible",
            "starts_on": str(timezone.localdate()),
        },
        api=True,
    ),
    Case(
        "api get conversion",
        "GET",
        lambda w: f"{API}/conversions/{contract(w).public_id}",
        CONVERSION_VIEW,
        api=True,
        route=f"{API}/conversions/{{conversion_id}}",
    ),
    Case(
        "api add conversion document",
        "POST",
        lambda w: f"{API}/conversions/{contract(w).public_id}/documents",
        OPERATOR_AND_OWNER,
        lambda w: {"file_name": "contract.pdf", "content_base64": b64(PDF)},
        api=True,
        route=f"{API}/conversions/{{conversion_id}}/documents",
    ),
    Case(
        "api conversion report",
        "GET",
        lambda w: f"{API}/conversions/report",
        OPERATOR_ONLY,
        api=True,
    ),
]


def _order_page(w: World, builder: Any) -> str:
    return f"/orders/{builder(w).public_id}/"


def _application_page(w: World, action: str) -> str:
    order = applied_order(w)
    application = order.applications.get(applicant=w.wendy)
    return f"/orders/{order.public_id}/applications/{application.pk}/{action}/"


def _deliverable_page(w: World) -> str:
    order, pk = _deliverable(w)
    return f"/orders/{order.public_id}/deliverables/{pk}/"


def _document_page(w: World) -> str:
    conversion = conversions.record_conversion(
        principal=as_(w.olivia),
        organisation=w.acme,
        nomad=w.wendy,
        kind="flexible",
        starts_on=timezone.localdate(),
        order=accepted_order(w),
        documents=[SimpleUploadedFile("agreement.pdf", PDF)],
    )
    return f"/orders/conversions/{conversion.public_id}/documents/{conversion.documents.get().pk}/"


def _upload(name: str = "work.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


PAGE_CASES = [
    Case("orders list", "GET", lambda w: "/orders/", EVERYONE_SIGNED_IN, url_name="orders:list"),
    Case(
        "organisation orders",
        "GET",
        lambda w: f"/orders/organisations/{w.acme.public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="orders:organisation",
    ),
    Case(
        "new order form",
        "GET",
        lambda w: f"/orders/organisations/{w.acme.public_id}/new/",
        OWNER_ONLY,
        url_name="orders:create",
    ),
    Case(
        "create order",
        "POST",
        lambda w: f"/orders/organisations/{w.acme.public_id}/new/",
        OWNER_ONLY,
        lambda w: {
            "title_zh": "海报设计",
            "milestones": f"500.00 | {timezone.localdate() + timedelta(days=5)} | 初稿",
        },
        url_name="orders:create",
    ),
    Case(
        "order page (open)",
        "GET",
        lambda w: _order_page(w, open_order),
        EVERYONE_SIGNED_IN,
        url_name="orders:detail",
    ),
    Case(
        "order page (assigned)",
        "GET",
        lambda w: _order_page(w, assigned_order),
        PARTIES,
        url_name="orders:detail",
    ),
    Case(
        "edit order form",
        "GET",
        lambda w: f"/orders/{draft_order(w).public_id}/edit/",
        OWNER_ONLY,
        url_name="orders:edit",
    ),
    Case(
        "edit order",
        "POST",
        lambda w: f"/orders/{draft_order(w).public_id}/edit/",
        OWNER_ONLY,
        lambda w: {
            "title_zh": "新标题",
            "milestones": f"900.00 | {timezone.localdate() + timedelta(days=5)} | 全部",
        },
        url_name="orders:edit",
    ),
    Case(
        "publish order",
        "POST",
        lambda w: f"/orders/{draft_order(w).public_id}/transition/",
        OWNER_ONLY,
        lambda w: {"to": "open"},
        url_name="orders:transition",
    ),
    Case(
        "request revision",
        "POST",
        lambda w: f"/orders/{delivered_order(w).public_id}/transition/",
        OWNER_ONLY,
        lambda w: {"to": "in_progress", "reason": "请补充图表说明。"},
        url_name="orders:transition",
    ),
    Case(
        "apply",
        "POST",
        lambda w: f"/orders/{open_order(w).public_id}/apply/",
        APPLICANTS,
        lambda w: {"note": "我可以做。"},
        url_name="orders:apply",
    ),
    Case(
        "withdraw application",
        "POST",
        lambda w: _application_page(w, "withdraw"),
        NOMAD_ONLY,
        url_name="orders:withdraw_application",
    ),
    Case(
        "assign",
        "POST",
        lambda w: _application_page(w, "assign"),
        OWNER_ONLY,
        url_name="orders:assign",
    ),
    Case(
        "add deliverable",
        "POST",
        lambda w: f"/orders/{in_progress_order(w).public_id}/deliverables/",
        NOMAD_ONLY,
        lambda w: {"note": "v1", "file": _upload()},
        url_name="orders:add_deliverable",
    ),
    Case(
        "download deliverable",
        "GET",
        _deliverable_page,
        PARTIES,
        url_name="orders:deliverable",
    ),
    Case(
        "open dispute",
        "POST",
        lambda w: f"/orders/{delivered_order(w).public_id}/dispute/",
        OWNER_OR_NOMAD,
        lambda w: {"reason": "未按要求交付。"},
        url_name="orders:dispute",
    ),
    Case(
        "resolve dispute",
        "POST",
        lambda w: f"/orders/{disputed_order(w).public_id}/dispute/decision/",
        OPERATOR_ONLY,
        lambda w: {"outcome": "refund", "reason": "交付物不完整。"},
        url_name="orders:resolve",
    ),
    Case(
        "disputes", "GET", lambda w: "/orders/disputes/", OPERATOR_ONLY, url_name="orders:disputes"
    ),
    Case(
        "post message",
        "POST",
        lambda w: f"/orders/{assigned_order(w).public_id}/messages/",
        OWNER_NOMAD_OPERATOR,
        lambda w: {"body": "您好！"},
        url_name="orders:message",
    ),
    Case(
        "rate",
        "POST",
        lambda w: f"/orders/{accepted_order(w).public_id}/ratings/",
        OWNER_OR_NOMAD,
        lambda w: {"score": "4", "comment": "不错"},
        url_name="orders:rate",
    ),
    Case(
        "conversions",
        "GET",
        lambda w: "/orders/conversions/",
        EVERYONE_SIGNED_IN,
        url_name="orders:conversions",
    ),
    Case(
        "new conversion form",
        "GET",
        lambda w: f"/orders/conversions/organisations/{w.acme.public_id}/new/",
        OPERATOR_AND_OWNER,
        url_name="orders:conversion_create",
    ),
    Case(
        "record conversion",
        "POST",
        lambda w: f"/orders/conversions/organisations/{w.acme.public_id}/new/",
        OPERATOR_AND_OWNER,
        lambda w: {
            "kind": "contract",
            "nomad": str(accepted_order(w).nomad.public_id),  # type: ignore[union-attr]
            "starts_on": str(timezone.localdate()),
            "ends_on": str(timezone.localdate() + timedelta(days=730)),
        },
        url_name="orders:conversion_create",
    ),
    Case(
        "conversion page",
        "GET",
        lambda w: f"/orders/conversions/{contract(w).public_id}/",
        CONVERSION_VIEW,
        url_name="orders:conversion_detail",
    ),
    Case(
        "add conversion document",
        "POST",
        lambda w: f"/orders/conversions/{contract(w).public_id}/documents/",
        OPERATOR_AND_OWNER,
        lambda w: {"file": _upload("contract.pdf")},
        url_name="orders:conversion_add_document",
    ),
    Case(
        "download conversion document",
        "GET",
        _document_page,
        CONVERSION_VIEW,
        url_name="orders:conversion_document",
    ),
    Case(
        "conversion report",
        "GET",
        lambda w: "/orders/conversions/report/",
        OPERATOR_ONLY,
        url_name="orders:conversion_report",
    ),
    Case(
        "conversion export",
        "GET",
        lambda w: "/orders/conversions/export.csv",
        OPERATOR_ONLY,
        url_name="orders:conversion_export",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()
