"""The orders part of /api/v1/: remote orders (create from a demand or directly, milestones,
the state machine, applications, deliverables, disputes, messages, ratings, settlement),
your accepted work, and conversions with the operators' report. Files travel base64-encoded
in JSON. Handlers only translate HTTP to service calls."""

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import is_zone_operator, require_person
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import uploads
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import NotFound, invalid_field
from nomadcloud.demands.access import Action as DemandAction
from nomadcloud.demands.access import demand_for
from nomadcloud.orders import access, conversions, queries, services
from nomadcloud.orders.access import Action
from nomadcloud.orders.models import Order
from nomadcloud.orders.schemas import (
    AcceptedOrderOut,
    ApplicationOut,
    ApplyIn,
    ConversionIn,
    ConversionOut,
    DecisionIn,
    DeliverableIn,
    DeliverableOut,
    DisputeIn,
    DisputeOut,
    DocumentOut,
    EventOut,
    MessageIn,
    MessageOut,
    OrderCreateIn,
    OrderOut,
    OrderPatch,
    RatingIn,
    RatingOut,
    ReportRowOut,
    SettlementOut,
    StatusName,
    TransitionIn,
)
from nomadcloud.training.models import Enrolment
from nomadcloud.training.schemas import FileIn

router = Router(tags=["orders"])


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _organisation(principal: Principal, org_id: UUID | None) -> Organisation:
    key_org = principal.key_organisation
    if org_id is None:
        if key_org is None:
            raise invalid_field("organisation", _("Name the enterprise (its id)."))
        org_id = key_org.public_id
    return access.enterprise_for(principal, org_id, Action.EDIT)


def _file(item: FileIn, field: str) -> Any:
    return uploads.decode_base64_file(item.file_name, item.content_base64, field=field)


class OrderQuery(Schema):
    status: StatusName | None = None
    organisation: UUID | None = None
    mine: bool = False


# --- orders ---------------------------------------------------------------------------------------


@router.get("", response=_errors({200: list[OrderOut]}))
@paginate(CursorPagination)
def list_orders(request: HttpRequest, filters: Query[OrderQuery], **kwargs: Any) -> Any:
    """Open orders, and your own: your organisations' orders and those assigned to you (all
    orders for the zone operator). `mine=true`: only the orders assigned to you."""
    principal = Principal.of(request)
    rows = queries.orders_visible_to(principal)
    if filters.status:
        rows = rows.filter(status=filters.status)
    if filters.organisation:
        rows = rows.filter(organisation__public_id=filters.organisation)
    if filters.mine:
        rows = rows.filter(nomad=require_person(principal))
    return rows


@router.post("", response=_errors({201: OrderOut}))
def create_order(request: HttpRequest, payload: OrderCreateIn) -> Status[Any]:
    """Create an order as a draft, directly or from a demand (`demand`), with milestones whose
    amounts add up to the total."""
    principal = Principal.of(request)
    organisation = _organisation(principal, payload.organisation)
    demand_id = payload.demand
    demand = demand_for(principal, demand_id, DemandAction.EDIT) if demand_id else None
    order = services.create_order(
        principal=principal, organisation=organisation, demand=demand, draft=payload.draft()
    )
    return Status(201, order)


@router.get("/accepted", response=_errors({200: list[AcceptedOrderOut]}))
def accepted_orders(request: HttpRequest) -> Any:
    """Your orders whose work was accepted: verified work, with its skills and amounts."""
    return services.accepted_orders_for(require_person(Principal.of(request)))


@router.get("/disputes", response=_errors({200: list[DisputeOut]}))
@paginate(CursorPagination)
def open_disputes(request: HttpRequest, **kwargs: Any) -> Any:
    """Disputes waiting for the zone operator's decision."""
    access.require_zone_operator(Principal.of(request))
    return queries.open_disputes()


# --- conversions (before /{order_id}, so that the paths do not collide) ---------------------------


@router.get("/conversions", response=_errors({200: list[ConversionOut]}), tags=["conversions"])
@paginate(CursorPagination)
def list_conversions(request: HttpRequest, **kwargs: Any) -> Any:
    """Your conversions, your organisations' (all of them for the zone operator)."""
    return conversions.conversions_visible_to(Principal.of(request)).prefetch_related("documents")


@router.post("/conversions", response=_errors({201: ConversionOut}), tags=["conversions"])
def record_conversion(request: HttpRequest, payload: ConversionIn) -> Status[Any]:
    """Record an employment contract (term computed; a year or more flagged), flexible
    employment, or a business registered in the zone."""
    principal = Principal.of(request)
    if is_zone_operator(principal):
        organisation = access.enterprise_for(principal, payload.organisation, Action.VIEW)
    else:
        organisation = access.enterprise_for(principal, payload.organisation, Action.EDIT)
    nomad = User.objects.filter(public_id=payload.nomad, is_active=True).first()
    if nomad is None:
        raise invalid_field("nomad", _("No such person."))
    order = None
    if payload.order is not None:
        order = Order.objects.filter(public_id=payload.order, organisation=organisation).first()
        if order is None:
            raise invalid_field("order", _("No such order of this enterprise."))
    enrolment = None
    if payload.enrolment is not None:
        enrolment = (
            Enrolment.objects.filter(
                public_id=payload.enrolment, scenario__organisation=organisation
            )
            .select_related("scenario")
            .first()
        )
        if enrolment is None:
            raise invalid_field("enrolment", _("No such training of this enterprise."))
    conversion = conversions.record_conversion(
        principal=principal,
        organisation=organisation,
        nomad=nomad,
        kind=payload.kind,
        starts_on=payload.starts_on,
        ends_on=payload.ends_on,
        business_name=payload.business_name,
        credit_code=payload.credit_code,
        registered_on=payload.registered_on,
        order=order,
        enrolment=enrolment,
        note=payload.note,
        documents=[_file(d, f"documents.{i}") for i, d in enumerate(payload.documents)],
    )
    return Status(201, conversion)


class ReportQuery(Schema):
    period: Literal["month", "quarter"] = "month"
    year: int | None = None


@router.get(
    "/conversions/report", response=_errors({200: list[ReportRowOut]}), tags=["conversions"]
)
def conversion_report(request: HttpRequest, filters: Query[ReportQuery]) -> Any:
    """Conversions per enterprise and per month or quarter (zone operator)."""
    access.require_zone_operator(Principal.of(request))
    if filters.year is not None and not 2000 <= filters.year <= 2100:
        raise invalid_field("year", _("Enter a year from 2000 to 2100."))
    return conversions.report(period=filters.period, year=filters.year)


@router.get(
    "/conversions/{conversion_id}", response=_errors({200: ConversionOut}), tags=["conversions"]
)
def get_conversion(request: HttpRequest, conversion_id: UUID) -> Any:
    return access.conversion_for(Principal.of(request), conversion_id)


@router.post(
    "/conversions/{conversion_id}/documents",
    response=_errors({201: DocumentOut}),
    tags=["conversions"],
)
def add_conversion_document(
    request: HttpRequest, conversion_id: UUID, payload: FileIn
) -> Status[Any]:
    principal = Principal.of(request)
    conversion = access.conversion_for(principal, conversion_id, Action.EDIT)
    document = conversions.add_document(
        principal=principal, conversion=conversion, file=_file(payload, "content_base64")
    )
    return Status(201, document)


# --- one order ------------------------------------------------------------------------------------


@router.get("/{order_id}", response=_errors({200: OrderOut}))
def get_order(request: HttpRequest, order_id: UUID) -> Any:
    return access.order_for(Principal.of(request), order_id)


@router.patch("/{order_id}", response=_errors({200: OrderOut}))
def patch_order(request: HttpRequest, order_id: UUID, payload: OrderPatch) -> Any:
    """Change the terms while the order is a draft or open without applications."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id, Action.EDIT)
    return services.update_order(principal=principal, order=order, changes=payload)


@router.post("/{order_id}/transitions", response=_errors({200: OrderOut}))
def transition(request: HttpRequest, order_id: UUID, payload: TransitionIn) -> Any:
    """Move the order to another state. The transition table decides: a move not allowed
    from the current state answers 409 `transition_not_allowed`, one your role may not make
    403 `role_not_allowed`, one whose condition fails 409 `condition_not_met`."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    services.transition(
        principal=principal,
        order=order,
        to=payload.to,
        reason=payload.reason,
        milestone=payload.milestone,
    )
    return access.order_for(principal, order_id)


@router.post("/{order_id}/milestones/{position}/accept", response=_errors({200: OrderOut}))
def accept_milestone(request: HttpRequest, order_id: UUID, position: int) -> Any:
    """Accept a delivered milestone: its amount is owed to the nomad and a proof of work is
    issued for it; the order goes back to work while other milestones are left and is
    accepted with the last. A milestone that is not delivered: 409
    `milestone_not_delivered`."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    services.accept_milestone(principal=principal, order=order, position=position)
    return access.order_for(principal, order_id)


@router.get("/{order_id}/history", response=_errors({200: list[EventOut]}))
def history(request: HttpRequest, order_id: UUID) -> Any:
    order = access.order_for(Principal.of(request), order_id)
    return list(order.events.select_related("actor"))


@router.get("/{order_id}/applications", response=_errors({200: list[ApplicationOut]}))
def list_applications(request: HttpRequest, order_id: UUID) -> Any:
    """For the enterprise and the zone operator."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    access.check_enterprise(principal, order.organisation, Action.VIEW)
    return list(order.applications.select_related("applicant"))


@router.post("/{order_id}/applications", response=_errors({201: ApplicationOut}))
def apply(request: HttpRequest, order_id: UUID, payload: ApplyIn) -> Status[Any]:
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    application = services.apply_for_order(principal=principal, order=order, note=payload.note)
    return Status(201, application)


@router.post(
    "/{order_id}/applications/{application_id}/withdraw", response=_errors({200: ApplicationOut})
)
def withdraw_application(request: HttpRequest, order_id: UUID, application_id: int) -> Any:
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    application = access.application_for(principal, order, application_id)
    return services.withdraw_application(principal=principal, application=application)


@router.post("/{order_id}/applications/{application_id}/assign", response=_errors({200: OrderOut}))
def assign(request: HttpRequest, order_id: UUID, application_id: int) -> Any:
    """Assign the order to this applicant; the other applications are declined."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    application = access.application_for(principal, order, application_id)
    return services.assign(principal=principal, order=order, application=application)


@router.get("/{order_id}/deliverables", response=_errors({200: list[DeliverableOut]}))
def list_deliverables(request: HttpRequest, order_id: UUID) -> Any:
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    access.require_party(principal, order)
    return list(order.deliverables.select_related("milestone", "order"))


@router.post("/{order_id}/deliverables", response=_errors({201: DeliverableOut}))
def add_deliverable(request: HttpRequest, order_id: UUID, payload: DeliverableIn) -> Status[Any]:
    """A file (base64) or a link, from the assigned nomad while the work is in progress."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    deliverable = services.add_deliverable(
        principal=principal,
        order=order,
        note=payload.note,
        url=payload.url,
        file=_file(payload.file, "file.content_base64") if payload.file else None,
        milestone=payload.milestone,
    )
    return Status(201, deliverable)


@router.post("/{order_id}/dispute", response=_errors({201: DisputeOut}))
def open_dispute(request: HttpRequest, order_id: UUID, payload: DisputeIn) -> Status[Any]:
    """Either party asks the zone operator to decide (in progress or delivered)."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    return Status(
        201, services.open_dispute(principal=principal, order=order, reason=payload.reason)
    )


@router.post("/{order_id}/dispute/decision", response=_errors({200: DisputeOut}))
def resolve_dispute(request: HttpRequest, order_id: UUID, payload: DecisionIn) -> Any:
    """The zone operator's decision: release, refund, or split with exact amounts that add
    up to the total."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    return services.resolve_dispute(
        principal=principal,
        order=order,
        outcome=payload.outcome,
        reason=payload.reason,
        to_nomad=payload.to_nomad,
        to_enterprise=payload.to_enterprise,
        evidence=payload.evidence,
    )


@router.get("/{order_id}/messages", response=_errors({200: list[MessageOut]}))
def list_messages(request: HttpRequest, order_id: UUID) -> Any:
    """The thread: only the two parties and the zone operator read it."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    access.require_party(principal, order)
    return list(order.messages.select_related("author"))


@router.post("/{order_id}/messages", response=_errors({201: MessageOut}))
def post_message(request: HttpRequest, order_id: UUID, payload: MessageIn) -> Status[Any]:
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    return Status(201, services.post_message(principal=principal, order=order, body=payload.body))


@router.post("/{order_id}/ratings", response=_errors({201: RatingOut}))
def rate(request: HttpRequest, order_id: UUID, payload: RatingIn) -> Status[Any]:
    """Each side rates the other once, after acceptance."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    rating = services.rate(
        principal=principal, order=order, score=payload.score, comment=payload.comment
    )
    return Status(201, rating)


@router.get("/{order_id}/settlement", response=_errors({200: SettlementOut}))
def settlement(request: HttpRequest, order_id: UUID) -> Any:
    """What is owed, per milestone, once recorded (settled, or a dispute decided)."""
    principal = Principal.of(request)
    order = access.order_for(principal, order_id)
    access.require_party(principal, order)
    record = getattr(order, "settlement", None)
    if record is None:
        raise NotFound(_("No settlement is recorded for this order yet."))
    return record
