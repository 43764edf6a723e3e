"""Use cases for remote orders: create (directly or from a demand) with milestones, open,
apply, assign, start, deliver, request revisions, accept (by the enterprise or automatically
after the review window), settle, cancel, dispute and decide, rate, talk, remind.

Every change of state goes through ``_move``, which asks the transition table
(``transitions.py``) and records an ``OrderEvent`` and an audit event in the same
transaction; a refusal raises before anything is written. Amounts are exact Decimals: the
order's total is the sum of its milestones, and settlements add up to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, uploads
from nomadcloud.core.errors import Conflict, Forbidden, NotFound, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import parse_draft, with_changes
from nomadcloud.core.money import format_cny, to_cny
from nomadcloud.demands.models import Demand
from nomadcloud.notifications.services import notify
from nomadcloud.orders import access, allocation, events, transitions
from nomadcloud.orders.models import (
    Deliverable,
    Dispute,
    Message,
    Milestone,
    Order,
    OrderApplication,
    OrderEvent,
    OrderSkill,
    Rating,
    Role,
    Settlement,
    SettlementLine,
)
from nomadcloud.orders.schemas import OrderChanges, OrderDraft
from nomadcloud.orders.transitions import Context
from nomadcloud.talent.services import record_verified_work
from nomadcloud.training import cleaning

S = Order.Status
MAX_DELIVERABLES = 50
REMINDER_DAYS_BEFORE = 2
DISPUTE_RULES_VERSION = "orders-disputes-2026.1"
EDITABLE = (S.DRAFT, S.OPEN)
RATABLE = (S.ACCEPTED, S.SETTLED, S.RESOLVED)
THREAD_OPEN = (S.ASSIGNED, S.IN_PROGRESS, S.DELIVERED, S.ACCEPTED, S.SETTLED, S.DISPUTED)
SCALAR_FIELDS = ("title_zh", "title_en", "description_zh", "description_en")
LIST_FIELDS = ("skills", "milestones")


# --- the terms ------------------------------------------------------------------------------------


def _terms(draft: OrderDraft) -> dict[str, Any]:
    """The terms as stored, after the rules the draft cannot state alone: a title in one
    language, known skill codes, at least one milestone, amounts above zero and a total
    (computed from the milestones) that a stated total must equal to the cent."""
    if not draft.title_zh and not draft.title_en:
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    skills = cleaning.skills(s.model_dump() for s in draft.skills)
    if not draft.milestones:
        raise invalid_field("milestones", _("Add at least one milestone."))
    milestones: list[dict[str, Any]] = []
    for i, item in enumerate(draft.milestones):
        if item.amount == 0:
            raise invalid_field(f"milestones.{i}.amount", _("The amount must be more than zero."))
        milestones.append(
            {"title": item.title, "amount": to_cny(item.amount), "due_on": item.due_on}
        )
    total = sum((m["amount"] for m in milestones), Decimal(0))
    if total >= cleaning.MAX_AMOUNT:
        raise invalid_field("milestones", _("This amount is too large."))
    if draft.total is not None and to_cny(draft.total) != total:
        raise invalid_field(
            "total",
            _("The milestones add up to %(sum)s, not %(total)s.")
            % {"sum": format_cny(total), "total": format_cny(draft.total)},
            code="total_mismatch",
        )
    return {
        "title_zh": draft.title_zh,
        "title_en": draft.title_en,
        "description_zh": draft.description_zh,
        "description_en": draft.description_en,
        "skills": skills,
        "milestones": milestones,
        "total": total,
    }


def fields_from_demand(demand: Demand) -> dict[str, Any]:
    """Initial fields of an order made from a demand: its titles, description and skills
    (the demand's minimum level becomes the level the work shows)."""
    return {
        "title_zh": demand.title_zh,
        "title_en": demand.title_en,
        "description_zh": demand.description_zh,
        "description_en": demand.description_en,
        "skills": [
            {"code": s.concept.code, "level": s.min_level}
            for s in demand.skills.select_related("concept")
        ],
    }


def current_fields(order: Order) -> dict[str, Any]:
    fields: dict[str, Any] = {f: getattr(order, f) for f in SCALAR_FIELDS}
    fields["skills"] = [
        {"code": s.concept.code, "level": s.level} for s in order.skills.select_related("concept")
    ]
    fields["milestones"] = [
        {"title": m.title, "amount": m.amount, "due_on": m.due_on} for m in order.milestones.all()
    ]
    return fields


def _apply(order: Order, clean: dict[str, Any]) -> None:
    for field in SCALAR_FIELDS:
        setattr(order, field, clean[field])
    order.total = clean["total"]
    order.save()
    OrderSkill.objects.filter(order=order).delete()
    OrderSkill.objects.bulk_create(
        OrderSkill(order=order, concept=concept, level=level) for concept, level in clean["skills"]
    )
    Milestone.objects.filter(order=order).delete()
    Milestone.objects.bulk_create(
        Milestone(order=order, position=i + 1, **m) for i, m in enumerate(clean["milestones"])
    )


def _summary(clean: dict[str, Any]) -> dict[str, Any]:
    return {
        "title_zh": clean["title_zh"],
        "title_en": clean["title_en"],
        "total": str(clean["total"]),
        "milestones": [
            [m["title"], str(m["amount"]), str(m["due_on"])] for m in clean["milestones"]
        ],
        "skills": [[c.code, level] for c, level in clean["skills"]],
    }


# --- people to tell -------------------------------------------------------------------------------


def _enterprise_people(order: Order, *, except_user: User | None = None) -> list[User]:
    people = [
        m.user
        for m in Membership.objects.filter(
            organisation=order.organisation, role__in=access.EDITORS, user__is_active=True
        ).select_related("user")
    ]
    return [p for p in people if except_user is None or p.pk != except_user.pk]


def _operators() -> list[User]:
    return [
        m.user
        for m in Membership.objects.filter(
            organisation__kind=Organisation.Kind.OPERATOR, user__is_active=True
        ).select_related("user")
    ]


def _tell(people: list[User], kind: str, order: Order, **params: Any) -> None:
    """Notify each person, with the order's title and the enterprise's name in their own
    language; amounts are formatted, texts passed through."""
    url = f"/orders/{order.public_id}/"
    seen: set[int] = set()
    for person in people:
        if person.pk in seen:
            continue
        seen.add(person.pk)
        language = person.preferred_language
        with translation.override(language):
            values = {
                "order": localized(order, "title", language),
                "organisation": localized(order.organisation, "name", language),
                **{
                    k: format_cny(v) if isinstance(v, Decimal) else str(v)
                    for k, v in params.items()
                },
            }
        notify(person, kind, params=values, url=url)


# --- the one way state changes --------------------------------------------------------------------


def _context(
    order: Order, *, reason: str = "", now: datetime | None = None, **extra: bool
) -> Context:
    return Context(
        now=now or timezone.now(),
        reason=reason,
        has_milestones=order.milestones.exists(),
        has_deliverable_this_round=order.deliverables.filter(round=order.revision_count).exists(),
        has_pending_applications=order.applications.filter(
            status=OrderApplication.Status.PENDING
        ).exists(),
        **extra,
    )


def _lock(order: Order) -> Order:
    return (
        Order.objects.select_for_update(of=("self",))
        .select_related("organisation", "nomad")
        .get(pk=order.pk)
    )


def _move(
    principal: Principal,
    order: Order,
    target: str,
    ctx: Context,
    *,
    system: bool = False,
    also: tuple[str, ...] = (),
) -> transitions.Transition:
    """Check the move against the table and record it (with the fields in ``also``, set by
    the caller beforehand). Call with the order locked."""
    roles = [Role.SYSTEM] if system else access.roles_in(principal, order)
    if not system:
        require_write(principal)
    row = transitions.check(order, target, roles, ctx)
    reason = cleaning.text(ctx.reason, "reason", 5000)
    before = order.status
    order.status = target
    now = ctx.now
    stamps: dict[str, str] = {
        S.OPEN: "published_at",
        S.DELIVERED: "delivered_at",
        S.ACCEPTED: "accepted_at",
        S.SETTLED: "settled_at",
        S.CANCELLED: "closed_at",
        S.RESOLVED: "closed_at",
    }
    update = ["status", "updated_at", *also]
    if target in stamps and (target != S.OPEN or order.published_at is None):
        setattr(order, stamps[target], now)
        update.append(stamps[target])
    order.save(update_fields=update)
    OrderEvent.objects.create(
        order=order,
        from_status=before,
        to_status=target,
        role=row.role,
        actor=None if system else principal.user,
        api_token=None if system else principal.token,
        reason=reason,
    )
    audit.record(
        actor=None if system else principal.user,
        action="orders.order.transition",
        obj=order,
        organisation=order.organisation,
        before={"status": before},
        after={"status": target, "role": str(row.role), **({"reason": reason} if reason else {})},
        token=None if system else principal.token,
    )
    return row


# --- creating and editing -------------------------------------------------------------------------


@transaction.atomic
def create_order(
    *,
    principal: Principal,
    organisation: Organisation,
    draft: OrderDraft,
    demand: Demand | None = None,
) -> Order:
    """A new order, as a draft. From a demand, missing titles, description and skills are
    taken from it (the demand must belong to the same enterprise)."""
    require_write(principal)
    if demand is not None:
        if demand.organisation_id != organisation.pk:
            raise invalid_field("demand", _("The demand belongs to another organisation."))
        missing = {k: v for k, v in fields_from_demand(demand).items() if not getattr(draft, k)}
        draft = parse_draft(OrderDraft, {**draft.model_dump(), **missing})
    clean = _terms(draft)
    order = Order(organisation=organisation, demand=demand, created_by=principal.user)
    _apply(order, clean)
    OrderEvent.objects.create(
        order=order,
        from_status="",
        to_status=S.DRAFT,
        role=Role.ENTERPRISE,
        actor=principal.user,
        api_token=principal.token,
    )
    audit.record(
        actor=principal.user,
        action="orders.order.create",
        obj=order,
        organisation=organisation,
        after={**_summary(clean), "demand": str(demand.public_id) if demand else None},
        token=principal.token,
    )
    return order


@transaction.atomic
def update_order(*, principal: Principal, order: Order, changes: OrderChanges) -> Order:
    """Change the terms while the order is a draft or open with no applications yet. A
    field the changes leave unset keeps its value; null clears a text or the skills."""
    require_write(principal)
    order = _lock(order)
    if order.status not in EDITABLE:
        raise Conflict(
            _("An order that is “%(state)s” can no longer be changed.")
            % {"state": S(order.status).label},
            code="order_fixed",
        )
    current = current_fields(order)
    clean = _terms(with_changes(OrderDraft, current, changes))
    before, after = audit.changes(order, {k: clean[k] for k in SCALAR_FIELDS})
    summary_now = _summary(clean)
    summary_before = _summary(_terms(parse_draft(OrderDraft, current)))
    for key in ("milestones", "skills", "total"):
        if summary_before[key] != summary_now[key]:
            before[key], after[key] = summary_before[key], summary_now[key]
    if not after:
        return order
    _apply(order, clean)
    audit.record(
        actor=principal.user,
        action="orders.order.update",
        obj=order,
        organisation=order.organisation,
        before=before,
        after=after,
        token=principal.token,
    )
    return order


# --- the market: open, apply, withdraw, assign ----------------------------------------------------


@transaction.atomic
def publish_order(*, principal: Principal, order: Order) -> Order:
    order = _lock(order)
    if order.status == S.DRAFT:
        for milestone in order.milestones.all():
            if milestone.due_on < timezone.localdate():
                raise invalid_field(
                    "milestones",
                    _("The milestone %(title)s is due in the past; change its date.")
                    % {"title": milestone.title},
                )
    _move(principal, order, S.OPEN, _context(order))
    return order


@transaction.atomic
def apply_for_order(*, principal: Principal, order: Order, note: str = "") -> OrderApplication:
    user = require_person(principal)
    require_write(principal)
    order = _lock(order)
    note = cleaning.text(note, "note", 5000)
    if order.status not in access.MARKET:
        raise Conflict(
            _("An order that is “%(state)s” takes no applications.")
            % {"state": S(order.status).label},
            code="not_open",
        )
    if Role.APPLICANT not in access.roles_in(principal, order):
        raise Forbidden(
            _("Members of %(organisation)s cannot apply for its own orders.")
            % {"organisation": order.organisation},
            code="own_organisation",
        )
    existing = OrderApplication.objects.filter(order=order, applicant=user).first()
    if existing is not None and existing.status != OrderApplication.Status.WITHDRAWN:
        raise Conflict(_("You have already applied for this order."), code="already_applied")
    if order.status == S.OPEN:
        _move(principal, order, S.APPLIED, _context(order, application_pending=True))
    if existing is not None:
        application = existing
        application.status = OrderApplication.Status.PENDING
        application.note = note
        application.decided_at = None
        application.save(update_fields=["status", "note", "decided_at"])
    else:
        application = OrderApplication.objects.create(order=order, applicant=user, note=note)
    audit.record(
        actor=user,
        action="orders.application.create",
        obj=application,
        organisation=order.organisation,
        after={"order": str(order.public_id)},
        token=principal.token,
    )
    _tell(_enterprise_people(order), "orders.applied", order, nomad=str(user))
    return application


@transaction.atomic
def withdraw_application(
    *, principal: Principal, application: OrderApplication
) -> OrderApplication:
    user = require_person(principal)
    require_write(principal)
    order = _lock(application.order)
    application = OrderApplication.objects.select_for_update().get(pk=application.pk)
    if application.applicant_id != user.pk:
        raise Forbidden(_("Only the applicant can withdraw an application."), code="applicant_only")
    if application.status != OrderApplication.Status.PENDING:
        raise Conflict(
            _("An application that is “%(state)s” cannot be withdrawn.")
            % {"state": OrderApplication.Status(application.status).label},
            code="not_pending",
        )
    application.status = OrderApplication.Status.WITHDRAWN
    application.decided_at = timezone.now()
    application.save(update_fields=["status", "decided_at"])
    if (
        order.status == S.APPLIED
        and not order.applications.filter(status=OrderApplication.Status.PENDING).exists()
    ):
        _move(principal, order, S.OPEN, _context(order, reason=_("All applications withdrawn.")))
    audit.record(
        actor=user,
        action="orders.application.withdraw",
        obj=application,
        organisation=order.organisation,
        token=principal.token,
    )
    return application


@transaction.atomic
def assign(*, principal: Principal, order: Order, application: OrderApplication) -> Order:
    """Choose one application: the order is assigned to that nomad; the other applications
    are declined."""
    order = _lock(order)
    application = (
        OrderApplication.objects.select_for_update(of=("self",))
        .select_related("applicant")
        .get(pk=application.pk)
    )
    if application.order_id != order.pk:
        raise NotFound(_("No such application."))
    pending = application.status == OrderApplication.Status.PENDING
    ctx = _context(order, application_pending=pending)
    if pending:
        order.nomad = application.applicant  # saved only when the table allows the move
    _move(principal, order, S.ASSIGNED, ctx, also=("nomad",))
    now = timezone.now()
    application.status = OrderApplication.Status.SELECTED
    application.decided_at = now
    application.save(update_fields=["status", "decided_at"])
    declined = list(
        order.applications.filter(status=OrderApplication.Status.PENDING).select_related(
            "applicant"
        )
    )
    order.applications.filter(status=OrderApplication.Status.PENDING).update(
        status=OrderApplication.Status.DECLINED, decided_at=now
    )
    audit.record(
        actor=principal.user,
        action="orders.order.assign",
        obj=order,
        organisation=order.organisation,
        after={"nomad": str(application.applicant.public_id), "declined": len(declined)},
        token=principal.token,
    )
    _tell([application.applicant], "orders.assigned", order)
    _tell([a.applicant for a in declined], "orders.declined", order)
    return order


# --- the work: start, deliver, revise, accept -----------------------------------------------------


@transaction.atomic
def start_work(*, principal: Principal, order: Order) -> Order:
    order = _lock(order)
    _move(principal, order, S.IN_PROGRESS, _context(order))
    return order


def add_deliverable(
    *,
    principal: Principal,
    order: Order,
    note: str = "",
    url: str = "",
    file: UploadedFile[Any] | None = None,
    milestone: int | None = None,
) -> Deliverable:
    """A file (type and size checked before anything is stored) or a link, from the
    assigned nomad while the work is in progress; optionally for one milestone (its
    position)."""
    user = require_person(principal)
    require_write(principal)
    note = cleaning.text(note, "note", 5000)
    if (file is None) == (not url.strip()):
        raise invalid_field("file", _("Give either a file or a link."))
    checked = uploads.check_file(file, field="file") if file is not None else None
    clean_url = cleaning.url(url, "url") if file is None else ""
    deliverable = Deliverable(submitted_by=user, note=note)
    try:
        with transaction.atomic():
            locked = _lock(order)
            if not access.is_nomad_of(principal, locked):
                raise Forbidden(
                    _("Only the assigned nomad delivers work; you act as %(role)s.")
                    % {"role": transitions._roles_text(access.roles_in(principal, locked))},
                    code="role_not_allowed",
                )
            if locked.status != S.IN_PROGRESS:
                raise Conflict(
                    _("Work can be added while the order is “%(in_progress)s”; it is “%(state)s”.")
                    % {"in_progress": S.IN_PROGRESS.label, "state": S(locked.status).label},
                    code="not_in_progress",
                )
            if locked.deliverables.count() >= MAX_DELIVERABLES:
                raise Conflict(
                    _("At most %(n)d deliverables per order.") % {"n": MAX_DELIVERABLES},
                    code="too_many",
                )
            target = None
            if milestone is not None:
                target = locked.milestones.filter(position=milestone).first()
                if target is None:
                    raise invalid_field(
                        "milestone", _("There is no milestone %(n)d.") % {"n": milestone}
                    )
            deliverable.order = locked
            deliverable.milestone = target
            deliverable.round = locked.revision_count
            if checked is not None:
                deliverable.kind = Deliverable.Kind.FILE
                uploads.store(deliverable, checked)
            else:
                deliverable.kind = Deliverable.Kind.LINK
                deliverable.url = clean_url
            deliverable.save()
            audit.record(
                actor=user,
                action="orders.deliverable.add",
                obj=deliverable,
                organisation=locked.organisation,
                after={
                    "kind": deliverable.kind,
                    "size": deliverable.size,
                    "round": deliverable.round,
                    "milestone": milestone,
                },
                token=principal.token,
            )
    except Exception:
        uploads.delete_stored([deliverable])
        raise
    return deliverable


@transaction.atomic
def deliver(*, principal: Principal, order: Order, note: str = "") -> Order:
    """Hand the work over for review; the review window starts now."""
    order = _lock(order)
    _move(principal, order, S.DELIVERED, _context(order, reason=note))
    _tell(
        _enterprise_people(order),
        "orders.delivered",
        order,
        nomad=str(order.nomad),
        days=transitions.review_window().days,
    )
    return order


@transaction.atomic
def request_revision(*, principal: Principal, order: Order, reason: str) -> Order:
    """Back to work, with the reason; revisions are counted."""
    order = _lock(order)
    _move(principal, order, S.IN_PROGRESS, _context(order, reason=reason))
    order.revision_count += 1
    order.delivered_at = None
    order.save(update_fields=["revision_count", "delivered_at"])
    if order.nomad is not None:
        _tell([order.nomad], "orders.revision", order, reason=reason.strip())
    return order


def _accepted(order: Order) -> None:
    """What follows the acceptance of an order's work (``_move`` to accepted has recorded
    it, with ``accepted_automatically``): skill evidence, notices, and ``order_accepted``
    (proofs of work issue the nomad's credential)."""
    assert order.nomad is not None and order.accepted_at is not None
    skills = [(s.concept, s.level) for s in order.skills.select_related("concept")]
    if skills:
        record_verified_work(
            user=order.nomad,
            skills=skills,
            source="order",
            reference=order.reference,
            occurred_at=order.accepted_at,
        )
    if order.accepted_automatically:
        people = [order.nomad, *_enterprise_people(order)]
        _tell(people, "orders.auto_accepted", order, days=transitions.review_window().days)
    else:
        _tell([order.nomad], "orders.accepted", order)
    rating = (
        order.ratings.filter(side=Rating.Side.ENTERPRISE).values_list("score", flat=True).first()
    )
    events.order_accepted.send(
        events.payload(
            order,
            assigned_at=events.first_assigned([order.pk]).get(order.pk),
            rating=rating,
            skills=[concept for concept, _level in skills],
        )
    )


@transaction.atomic
def accept_delivery(*, principal: Principal, order: Order) -> Order:
    order = _lock(order)
    order.accepted_automatically = False
    _move(principal, order, S.ACCEPTED, _context(order), also=("accepted_automatically",))
    _accepted(order)
    return order


def auto_accept_due(*, now: datetime | None = None) -> list[Order]:
    """Accept every delivered order whose review window has passed (run by the
    ``accept_overdue_orders`` command or task). Each order in its own transaction; an order
    someone else moved meanwhile is skipped."""
    moment = now or timezone.now()
    cutoff = moment - transitions.review_window()
    accepted = []
    due = Order.objects.filter(status=S.DELIVERED, delivered_at__lte=cutoff).values_list(
        "pk", flat=True
    )
    for pk in list(due):
        with transaction.atomic():
            order = (
                Order.objects.select_for_update(of=("self",))
                .select_related("organisation", "nomad")
                .get(pk=pk)
            )
            if order.status != S.DELIVERED:
                continue
            order.accepted_automatically = True
            _move(
                Principal(user=None),
                order,
                S.ACCEPTED,
                _context(order, now=moment),
                system=True,
                also=("accepted_automatically",),
            )
            _accepted(order)
            accepted.append(order)
    return accepted


# --- money: settle, cancel, dispute, decide -------------------------------------------------------


def _settle(
    order: Order,
    *,
    to_nomad: Decimal,
    basis: str,
    recorded_by: User | None,
    dispute: Dispute | None = None,
) -> Settlement:
    milestones = list(order.milestones.all())
    amounts = [m.amount for m in milestones]
    total = sum(amounts, Decimal(0))
    if total != order.total:  # the invariant every write keeps; never settle if broken
        raise Conflict(
            _("The milestones add up to %(sum)s, not %(total)s.")
            % {"sum": format_cny(total), "total": format_cny(order.total)},
            code="total_mismatch",
        )
    lines = allocation.allocate(amounts, to_nomad)
    settlement = Settlement.objects.create(
        order=order,
        basis=basis,
        dispute=dispute,
        total=total,
        to_nomad=to_nomad,
        to_enterprise=total - to_nomad,
        recorded_by=recorded_by,
    )
    SettlementLine.objects.bulk_create(
        SettlementLine(
            settlement=settlement,
            milestone=milestone,
            amount=milestone.amount,
            to_nomad=nomad_part,
            to_enterprise=enterprise_part,
        )
        for milestone, (nomad_part, enterprise_part) in zip(milestones, lines, strict=True)
    )
    return settlement


@transaction.atomic
def settle(*, principal: Principal, order: Order) -> Settlement:
    """Record what is owed for accepted work: every milestone to the nomad."""
    order = _lock(order)
    _move(principal, order, S.SETTLED, _context(order))
    settlement = _settle(
        order, to_nomad=order.total, basis=Settlement.Basis.ACCEPTANCE, recorded_by=principal.user
    )
    audit.record(
        actor=principal.user,
        action="orders.order.settle",
        obj=settlement,
        organisation=order.organisation,
        after={"total": str(settlement.total), "to_nomad": str(settlement.to_nomad)},
        token=principal.token,
    )
    if order.nomad is not None:
        _tell([order.nomad], "orders.settled", order, to_nomad=settlement.to_nomad)
    return settlement


@transaction.atomic
def cancel(*, principal: Principal, order: Order, reason: str) -> Order:
    order = _lock(order)
    _move(principal, order, S.CANCELLED, _context(order, reason=reason))
    pending = list(
        order.applications.filter(status=OrderApplication.Status.PENDING).select_related(
            "applicant"
        )
    )
    order.applications.filter(status=OrderApplication.Status.PENDING).update(
        status=OrderApplication.Status.DECLINED, decided_at=timezone.now()
    )
    people = [a.applicant for a in pending] + ([order.nomad] if order.nomad else [])
    _tell(people, "orders.cancelled", order, reason=reason.strip())
    return order


@transaction.atomic
def open_dispute(*, principal: Principal, order: Order, reason: str) -> Dispute:
    """Either party asks the zone operator to decide; the work stops until then."""
    order = _lock(order)
    before = order.status
    row = _move(principal, order, S.DISPUTED, _context(order, reason=reason))
    dispute = Dispute.objects.create(
        order=order,
        opened_by=principal.user,
        opened_as=row.role,
        reason=reason.strip(),
        status_before=before,
    )
    if row.role == Role.NOMAD:
        party, others = str(order.nomad), _enterprise_people(order)
    else:
        party = localized(order.organisation, "name")
        others = [order.nomad] if order.nomad else []
    _tell([*others, *_operators()], "orders.disputed", order, party=party, reason=reason.strip())
    return dispute


@transaction.atomic
def resolve_dispute(
    *,
    principal: Principal,
    order: Order,
    outcome: str,
    reason: str,
    to_nomad: Any = None,
    to_enterprise: Any = None,
    evidence: str = "",
) -> Dispute:
    """The zone operator decides: release the total to the nomad, refund it to the
    enterprise, or split it with exact amounts that add up to the total. The decision keeps
    who, when, the evidence considered and the rule version; the settlement follows it."""
    user = require_person(principal)
    order = _lock(order)
    dispute = order.disputes.filter(decided_at__isnull=True).select_for_update().first()
    ctx = _context(order, reason=reason or "-", decision_given=dispute is not None)
    transitions.check(order, S.RESOLVED, access.roles_in(principal, order), ctx)  # who, first
    outcome = cleaning.one_of(outcome, "outcome", Dispute.Outcome.values)
    reason = cleaning.text(reason, "reason", 5000, required=True)
    evidence = cleaning.text(evidence, "evidence", 10000)
    total = order.total
    if outcome == Dispute.Outcome.RELEASE:
        nomad_part, enterprise_part = total, Decimal(0)
    elif outcome == Dispute.Outcome.REFUND:
        nomad_part, enterprise_part = Decimal(0), total
    else:
        nomad_part = cleaning.amount(to_nomad, "to_nomad")
        enterprise_part = cleaning.amount(to_enterprise, "to_enterprise")
        if nomad_part + enterprise_part != total:
            raise invalid_field(
                "to_nomad",
                _("%(nomad)s and %(enterprise)s add up to %(sum)s; the order's total is %(total)s.")
                % {
                    "nomad": format_cny(nomad_part),
                    "enterprise": format_cny(enterprise_part),
                    "sum": format_cny(nomad_part + enterprise_part),
                    "total": format_cny(total),
                },
                code="split_mismatch",
            )
    _move(
        principal,
        order,
        S.RESOLVED,
        _context(order, reason=reason, decision_given=dispute is not None),
    )
    assert dispute is not None  # the guard refused otherwise
    now = timezone.now()
    dispute.outcome = outcome
    dispute.to_nomad = nomad_part
    dispute.to_enterprise = enterprise_part
    dispute.decision_reason = reason
    dispute.evidence = {
        "notes": evidence,
        "deliverables": list(order.deliverables.values_list("sha256", "url")),
        "messages": order.messages.count(),
        "events": list(order.events.values_list("from_status", "to_status")),
    }
    dispute.rule_version = DISPUTE_RULES_VERSION
    dispute.decided_by = user
    dispute.decided_at = now
    dispute.save()
    settlement = _settle(
        order,
        to_nomad=nomad_part,
        basis=Settlement.Basis.DISPUTE,
        recorded_by=user,
        dispute=dispute,
    )
    audit.record(
        actor=user,
        action="orders.dispute.decide",
        obj=dispute,
        organisation=order.organisation,
        after={
            "outcome": outcome,
            "to_nomad": str(nomad_part),
            "to_enterprise": str(enterprise_part),
            "rule_version": DISPUTE_RULES_VERSION,
            "settlement": settlement.pk,
        },
        token=principal.token,
    )
    people = [*_enterprise_people(order), *([order.nomad] if order.nomad else [])]
    _tell(
        people,
        "orders.resolved",
        order,
        to_nomad=nomad_part,
        to_enterprise=enterprise_part,
        reason=reason,
    )
    return dispute


def transition(*, principal: Principal, order: Order, to: str, reason: str = "") -> Order:
    """The moves that need nothing but a reason, by target: open, in_progress (start work,
    or a revision when delivered), delivered, accepted, settled, cancelled, disputed. Others
    (applied, assigned, resolved) have their own services; asked for here, the table refuses
    them with its reason."""
    current = Order.objects.get(pk=order.pk).status
    if to == S.OPEN and current == S.DRAFT:
        return publish_order(principal=principal, order=order)
    if to == S.IN_PROGRESS and current == S.DELIVERED:
        return request_revision(principal=principal, order=order, reason=reason)
    if to == S.IN_PROGRESS:
        return start_work(principal=principal, order=order)
    if to == S.DELIVERED:
        return deliver(principal=principal, order=order, note=reason)
    if to == S.ACCEPTED:
        return accept_delivery(principal=principal, order=order)
    if to == S.SETTLED:
        settle(principal=principal, order=order)
        return Order.objects.get(pk=order.pk)
    if to == S.CANCELLED:
        return cancel(principal=principal, order=order, reason=reason)
    if to == S.DISPUTED:
        open_dispute(principal=principal, order=order, reason=reason)
        return Order.objects.get(pk=order.pk)
    with transaction.atomic():
        locked = _lock(order)
        _move(principal, locked, to, _context(locked, reason=reason))  # refuses, by the table
    return locked  # pragma: no cover  (every other target fails a guard)


# --- ratings and messages -------------------------------------------------------------------------


@transaction.atomic
def rate(*, principal: Principal, order: Order, score: int, comment: str = "") -> Rating:
    """Each side rates the other once, after acceptance."""
    user = require_person(principal)
    require_write(principal)
    order = _lock(order)
    roles = access.roles_in(principal, order)
    if Role.NOMAD in roles:
        side = Rating.Side.NOMAD
    elif Role.ENTERPRISE in roles:
        side = Rating.Side.ENTERPRISE
    else:
        raise Forbidden(
            _("Only the enterprise and the assigned nomad rate each other."), code="parties_only"
        )
    if order.status not in RATABLE or order.nomad is None:
        raise Conflict(
            _("Ratings are given after the work is accepted; the order is “%(state)s”.")
            % {"state": S(order.status).label},
            code="not_yet",
        )
    score = cleaning.integer(score, "score", 1, 5)
    comment = cleaning.text(comment, "comment", 2000)
    if Rating.objects.filter(order=order, side=side).exists():
        raise Conflict(_("Your side has already rated this order."), code="already_rated")
    rating = Rating.objects.create(order=order, side=side, rater=user, score=score, comment=comment)
    audit.record(
        actor=user,
        action="orders.rating.create",
        obj=rating,
        organisation=order.organisation,
        after={"side": side, "score": score},
        token=principal.token,
    )
    return rating


@transaction.atomic
def post_message(*, principal: Principal, order: Order, body: str) -> Message:
    user = require_person(principal)
    require_write(principal)
    roles = access.roles_in(principal, order)
    party = [r for r in roles if r in (Role.ENTERPRISE, Role.NOMAD, Role.OPERATOR)]
    if not party:
        raise Forbidden(
            _("Only the enterprise, the assigned nomad and the zone operator write here."),
            code="parties_only",
        )
    if order.status not in THREAD_OPEN:
        raise Conflict(
            _(
                "The thread opens when the order is assigned and closes when it ends; it is "
                "“%(state)s”."
            )
            % {"state": S(order.status).label},
            code="thread_closed",
        )
    body = cleaning.text(body, "body", 5000, required=True)
    message = Message.objects.create(order=order, author=user, author_role=party[0], body=body)
    audit.record(
        actor=user,
        action="orders.message.create",
        obj=message,
        organisation=order.organisation,
        after={"length": len(body)},
        token=principal.token,
    )
    people = [*_enterprise_people(order, except_user=user)]
    if order.nomad is not None and order.nomad.pk != user.pk:
        people.append(order.nomad)
    excerpt = body if len(body) <= 120 else body[:119] + "…"
    _tell(people, "orders.message", order, author=str(user), excerpt=excerpt)
    return message


# --- reminders ------------------------------------------------------------------------------------


def send_reminders(*, now: datetime | None = None) -> dict[str, int]:
    """Remind the nomad of milestones due within two days, and both parties of overdue ones
    (those with no deliverable yet), once each: the milestone is claimed with a conditional
    UPDATE, so two runs never send the same reminder."""
    moment = now or timezone.now()
    today = timezone.localdate(moment)
    working = Milestone.objects.filter(
        order__status__in=(S.ASSIGNED, S.IN_PROGRESS), deliverables__isnull=True
    ).select_related("order__organisation", "order__nomad")
    counts = {"due_soon": 0, "overdue": 0}
    soon = working.filter(
        due_on__gte=today,
        due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE),
        due_soon_notified_at__isnull=True,
    )
    for milestone in soon:
        if not Milestone.objects.filter(pk=milestone.pk, due_soon_notified_at__isnull=True).update(
            due_soon_notified_at=moment
        ):
            continue
        order = milestone.order
        if order.nomad is not None:
            _tell(
                [order.nomad],
                "orders.due_soon",
                order,
                milestone=milestone.title,
                due=milestone.due_on.isoformat(),
            )
        counts["due_soon"] += 1
    late = working.filter(due_on__lt=today, overdue_notified_at__isnull=True)
    for milestone in late:
        if not Milestone.objects.filter(pk=milestone.pk, overdue_notified_at__isnull=True).update(
            overdue_notified_at=moment
        ):
            continue
        order = milestone.order
        people = [*([order.nomad] if order.nomad else []), *_enterprise_people(order)]
        _tell(
            people,
            "orders.overdue",
            order,
            milestone=milestone.title,
            due=milestone.due_on.isoformat(),
        )
        counts["overdue"] += 1
    return counts


# --- accepted work (a nomad's record; proofs of work get it through events.order_accepted) -------


@dataclass(frozen=True)
class AcceptedOrder:
    """Accepted work on an order, as the nomad's record lists it."""

    reference: str  # "order:<order uuid>", the same as on the skill evidence
    order_id: UUID
    title_zh: str
    title_en: str
    organisation_id: UUID
    organisation_name_zh: str
    organisation_name_en: str
    total: Decimal
    owed_to_nomad: Decimal | None  # from the settlement, once recorded
    accepted_at: datetime
    accepted_automatically: bool
    revisions: int
    rating_by_enterprise: int | None
    skills: tuple[tuple[str, int], ...]  # (concept code, national level 5…1)


def accepted_orders_for(user: User) -> list[AcceptedOrder]:
    """The person's orders whose work was accepted (by the enterprise or automatically),
    oldest first."""
    orders = (
        Order.objects.filter(
            nomad=user, accepted_at__isnull=False, status__in=(S.ACCEPTED, S.SETTLED)
        )
        .select_related("organisation", "settlement")
        .prefetch_related("skills__concept", "ratings")
        .order_by("accepted_at", "id")
    )
    result = []
    for order in orders:
        assert order.accepted_at is not None
        settlement = getattr(order, "settlement", None)
        rating = next(
            (r.score for r in order.ratings.all() if r.side == Rating.Side.ENTERPRISE), None
        )
        result.append(
            AcceptedOrder(
                reference=order.reference,
                order_id=order.public_id,
                title_zh=order.title_zh,
                title_en=order.title_en,
                organisation_id=order.organisation.public_id,
                organisation_name_zh=order.organisation.name_zh,
                organisation_name_en=order.organisation.name_en,
                total=order.total,
                owed_to_nomad=settlement.to_nomad if settlement is not None else None,
                accepted_at=order.accepted_at,
                accepted_automatically=order.accepted_automatically,
                revisions=order.revision_count,
                rating_by_enterprise=rating,
                skills=tuple((s.concept.code, s.level) for s in order.skills.all()),
            )
        )
    return result
