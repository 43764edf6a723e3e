"""Permission cases for remote orders and conversions (builders: tests/builders/orders.py).

In the matrix Acme (Olivia owner, Rita read-only) gives out the orders and Wendy (the
department reviewer persona, no role in Acme) is the nomad who applies and does the work;
Charlie (outsider) and Oscar (the zone operator) have no part unless the case says so."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.orders import conversions
from nomadcloud.orders.models import Order
from tests.builders.orders import (
    PDF,
    accepted_order,
    applied_order,
    as_,
    assigned_order,
    b64,
    contract,
    delivered_order,
    disputed_order,
    draft_order,
    in_progress_order,
    milestone_rows,
    open_order,
    order_fields,
    settled_order,
    with_deliverable,
)
from tests.conftest import World
from tests.permissions import (
    AUTHENTICATED,
    MEMBERS_AND_OPERATOR,
    OPERATOR_ONLY,
    OWNER_ONLY,
    Case,
    expect,
)


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
    Case("api list orders", "GET", lambda w: API, AUTHENTICATED, api=True),
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
        AUTHENTICATED,
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
        expect("readonly", "owner", "reviewer", "operator"),
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
        expect("owner", sees=("readonly", "operator"), because="role_not_allowed"),
        lambda w: {"to": "open"},
        api=True,
        route=f"{API}/{{order_id}}/transitions",
    ),
    Case(
        "api start work",
        "POST",
        lambda w: f"{API}/{_oid(assigned_order(w))}/transitions",
        expect("reviewer", sees=("readonly", "owner", "operator"), because="role_not_allowed"),
        lambda w: {"to": "in_progress"},
        api=True,
        route=f"{API}/{{order_id}}/transitions",
    ),
    Case(
        "api accept delivery",
        "POST",
        lambda w: f"{API}/{_oid(delivered_order(w))}/transitions",
        expect("owner", sees=("readonly", "reviewer", "operator"), because="role_not_allowed"),
        lambda w: {"to": "accepted"},
        api=True,
        route=f"{API}/{{order_id}}/transitions",
    ),
    Case(
        "api accept milestone",
        "POST",
        lambda w: f"{API}/{_oid(delivered_order(w))}/milestones/1/accept",
        expect("owner", sees=("readonly", "reviewer", "operator"), because="role_not_allowed"),
        api=True,
        route=f"{API}/{{order_id}}/milestones/{{position}}/accept",
    ),
    Case(
        "api settle",
        "POST",
        lambda w: f"{API}/{_oid(accepted_order(w))}/transitions",
        expect("owner", "operator", sees=("readonly", "reviewer"), because="role_not_allowed"),
        lambda w: {"to": "settled"},
        api=True,
        route=f"{API}/{{order_id}}/transitions",
    ),
    Case(
        "api history",
        "GET",
        lambda w: f"{API}/{_oid(assigned_order(w))}/history",
        expect("readonly", "owner", "reviewer", "operator"),
        api=True,
        route=f"{API}/{{order_id}}/history",
    ),
    Case(
        "api apply",
        "POST",
        lambda w: f"{API}/{_oid(open_order(w))}/applications",
        expect(
            "outsider",
            "reviewer",
            "operator",
            sees=("readonly", "owner"),
            because="own_organisation",
        ),
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
        expect("reviewer", sees=("readonly", "owner", "operator"), because="applicant_only"),
        api=True,
        route=f"{API}/{{order_id}}/applications/{{application_id}}/withdraw",
    ),
    Case(
        "api assign",
        "POST",
        lambda w: _application_path(w) + "/assign",
        expect("owner", sees=("readonly", "reviewer", "operator"), because="role_not_allowed"),
        api=True,
        route=f"{API}/{{order_id}}/applications/{{application_id}}/assign",
    ),
    Case(
        "api add deliverable",
        "POST",
        lambda w: f"{API}/{_oid(in_progress_order(w))}/deliverables",
        expect("reviewer", sees=("readonly", "owner", "operator"), because="role_not_allowed"),
        lambda w: {"note": "v1", "file": {"file_name": "v1.pdf", "content_base64": b64(PDF)}},
        api=True,
        route=f"{API}/{{order_id}}/deliverables",
    ),
    Case(
        "api list deliverables",
        "GET",
        lambda w: f"{API}/{_oid(with_deliverable(w, in_progress_order(w)))}/deliverables",
        expect("readonly", "owner", "reviewer", "operator"),
        api=True,
        route=f"{API}/{{order_id}}/deliverables",
    ),
    Case(
        "api open dispute",
        "POST",
        lambda w: f"{API}/{_oid(delivered_order(w))}/dispute",
        expect("owner", "reviewer", sees=("readonly", "operator"), because="role_not_allowed"),
        lambda w: {"reason": "Late and incomplete."},
        api=True,
        route=f"{API}/{{order_id}}/dispute",
    ),
    Case(
        "api resolve dispute",
        "POST",
        lambda w: f"{API}/{_oid(disputed_order(w))}/dispute/decision",
        expect("operator", sees=("readonly", "owner", "reviewer"), because="role_not_allowed"),
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
        expect("readonly", "owner", "reviewer", "operator"),
        api=True,
        route=f"{API}/{{order_id}}/messages",
    ),
    Case(
        "api post message",
        "POST",
        lambda w: f"{API}/{_oid(assigned_order(w))}/messages",
        expect("owner", "reviewer", "operator", sees=("readonly",), because="parties_only"),
        lambda w: {"body": "何时开始？"},
        api=True,
        route=f"{API}/{{order_id}}/messages",
    ),
    Case(
        "api rate",
        "POST",
        lambda w: f"{API}/{_oid(accepted_order(w))}/ratings",
        expect("owner", "reviewer", sees=("readonly", "operator"), because="parties_only"),
        lambda w: {"score": 5, "comment": "Great"},
        api=True,
        route=f"{API}/{{order_id}}/ratings",
    ),
    Case(
        "api settlement",
        "GET",
        lambda w: f"{API}/{_oid(settled_order(w))}/settlement",
        expect("readonly", "owner", "reviewer", "operator"),
        api=True,
        route=f"{API}/{{order_id}}/settlement",
    ),
    Case("api accepted orders", "GET", lambda w: f"{API}/accepted", AUTHENTICATED, api=True),
    Case("api list conversions", "GET", lambda w: f"{API}/conversions", AUTHENTICATED, api=True),
    Case(
        "api record conversion",
        "POST",
        lambda w: f"{API}/conversions",
        expect("owner", "operator", sees=("readonly",)),
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
        expect("readonly", "owner", "reviewer", "operator"),
        api=True,
        route=f"{API}/conversions/{{conversion_id}}",
    ),
    Case(
        "api add conversion document",
        "POST",
        lambda w: f"{API}/conversions/{contract(w).public_id}/documents",
        expect("owner", "operator", sees=("readonly",)),
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
    Case("orders list", "GET", lambda w: "/orders/", AUTHENTICATED, url_name="orders:list"),
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
            **milestone_rows(("初稿", "500.00", timezone.localdate() + timedelta(days=5))),
        },
        url_name="orders:create",
    ),
    Case(
        "order page (open)",
        "GET",
        lambda w: _order_page(w, open_order),
        AUTHENTICATED,
        url_name="orders:detail",
    ),
    Case(
        "order page (assigned)",
        "GET",
        lambda w: _order_page(w, assigned_order),
        expect("readonly", "owner", "reviewer", "operator"),
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
            **milestone_rows(("全部", "900.00", timezone.localdate() + timedelta(days=5))),
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
        "accept milestone confirmation page",
        "GET",
        lambda w: f"/orders/{delivered_order(w).public_id}/milestones/1/accept/",
        expect("owner", sees=("readonly", "reviewer", "operator")),
        url_name="orders:accept_milestone",
    ),
    Case(
        "accept milestone",
        "POST",
        lambda w: f"/orders/{delivered_order(w).public_id}/milestones/1/accept/",
        expect("owner", sees=("readonly", "reviewer", "operator")),
        lambda w: {"confirm": "yes"},
        url_name="orders:accept_milestone",
    ),
    Case(
        "settle confirmation page",
        "GET",
        lambda w: f"/orders/{accepted_order(w).public_id}/settle/",
        expect("owner", "operator", sees=("readonly", "reviewer")),
        url_name="orders:settle",
    ),
    Case(
        "settle",
        "POST",
        lambda w: f"/orders/{accepted_order(w).public_id}/settle/",
        expect("owner", "operator", sees=("readonly", "reviewer")),
        lambda w: {"confirm": "yes"},
        url_name="orders:settle",
    ),
    Case(
        "request revision",
        "POST",
        lambda w: f"/orders/{delivered_order(w).public_id}/transition/",
        expect("owner", sees=("readonly", "reviewer", "operator")),
        lambda w: {"to": "in_progress", "reason": "请补充图表说明。"},
        url_name="orders:transition",
    ),
    Case(
        "apply",
        "POST",
        lambda w: f"/orders/{open_order(w).public_id}/apply/",
        expect("outsider", "reviewer", "operator", sees=("readonly", "owner")),
        lambda w: {"note": "我可以做。"},
        url_name="orders:apply",
    ),
    Case(
        "withdraw application",
        "POST",
        lambda w: _application_page(w, "withdraw"),
        expect("reviewer", sees=("readonly", "owner", "operator")),
        url_name="orders:withdraw_application",
    ),
    Case(
        "assign",
        "POST",
        lambda w: _application_page(w, "assign"),
        expect("owner", sees=("readonly", "reviewer", "operator")),
        url_name="orders:assign",
    ),
    Case(
        "add deliverable",
        "POST",
        lambda w: f"/orders/{in_progress_order(w).public_id}/deliverables/",
        expect("reviewer", sees=("readonly", "owner", "operator")),
        lambda w: {"note": "v1", "file": _upload()},
        url_name="orders:add_deliverable",
    ),
    Case(
        "download deliverable",
        "GET",
        _deliverable_page,
        expect("readonly", "owner", "reviewer", "operator"),
        url_name="orders:deliverable",
    ),
    Case(
        "open dispute",
        "POST",
        lambda w: f"/orders/{delivered_order(w).public_id}/dispute/",
        expect("owner", "reviewer", sees=("readonly", "operator")),
        lambda w: {"reason": "未按要求交付。"},
        url_name="orders:dispute",
    ),
    Case(
        "resolve dispute",
        "POST",
        lambda w: f"/orders/{disputed_order(w).public_id}/dispute/decision/",
        expect("operator", sees=("readonly", "owner", "reviewer")),
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
        expect("owner", "reviewer", "operator", sees=("readonly",)),
        lambda w: {"body": "您好！"},
        url_name="orders:message",
    ),
    Case(
        "rate",
        "POST",
        lambda w: f"/orders/{accepted_order(w).public_id}/ratings/",
        expect("owner", "reviewer", sees=("readonly", "operator")),
        lambda w: {"score": "4", "comment": "不错"},
        url_name="orders:rate",
    ),
    Case(
        "conversions",
        "GET",
        lambda w: "/orders/conversions/",
        AUTHENTICATED,
        url_name="orders:conversions",
    ),
    Case(
        "new conversion form",
        "GET",
        lambda w: f"/orders/conversions/organisations/{w.acme.public_id}/new/",
        expect("owner", "operator", sees=("readonly",)),
        url_name="orders:conversion_create",
    ),
    Case(
        "record conversion",
        "POST",
        lambda w: f"/orders/conversions/organisations/{w.acme.public_id}/new/",
        expect("owner", "operator", sees=("readonly",)),
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
        expect("readonly", "owner", "reviewer", "operator"),
        url_name="orders:conversion_detail",
    ),
    Case(
        "add conversion document",
        "POST",
        lambda w: f"/orders/conversions/{contract(w).public_id}/documents/",
        expect("owner", "operator", sees=("readonly",)),
        lambda w: {"file": _upload("contract.pdf")},
        url_name="orders:conversion_add_document",
    ),
    Case(
        "download conversion document",
        "GET",
        _document_page,
        expect("readonly", "owner", "reviewer", "operator"),
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

# The tables these requests write (orders and conversions, which notify; accepting an order issues a
# proof (proofs.Credential), credits points (points.Transfer) and records skill evidence): the
# fingerprint covers them and the audit log.
APPS = ("orders", "notifications", "proofs.Credential", "points.Transfer", "talent.SkillEvidence")
