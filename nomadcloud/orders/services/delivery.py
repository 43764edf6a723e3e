"""The work: start, add deliverables to milestones, deliver, request a revision."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, uploads
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.orders import access, transitions
from nomadcloud.orders.models import Deliverable, Milestone, Order
from nomadcloud.orders.services._common import (
    MAX_DELIVERABLES,
    S,
    context,
    enterprise_people,
    lock,
    move,
    tell,
)
from nomadcloud.training import cleaning

# --- the work: start, deliver, revise, accept -----------------------------------------------------


@transaction.atomic
def start_work(*, principal: Principal, order: Order) -> Order:
    order = lock(order)
    move(principal, order, S.IN_PROGRESS, context(order))
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
            locked = lock(order)
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
                if target.status == Milestone.Status.ACCEPTED:
                    raise Conflict(
                        _("Milestone %(n)d is already accepted.") % {"n": milestone},
                        code="milestone_not_pending",
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


def _milestone_to_deliver(order: Order, position: int | None) -> Milestone | None:
    """The milestone named by ``position``, else the first not yet accepted; a milestone
    already accepted (or awaiting review) cannot be delivered again."""
    pending = order.milestones.exclude(status=Milestone.Status.ACCEPTED)
    if position is None:
        return pending.first()
    milestone = order.milestones.filter(position=position).first()
    if milestone is None:
        raise invalid_field("milestone", _("There is no milestone %(n)d.") % {"n": position})
    if milestone.status != Milestone.Status.PENDING:
        raise Conflict(
            _("Milestone %(n)d “%(title)s” is already “%(state)s”.")
            % {
                "n": milestone.position,
                "title": milestone.title,
                "state": Milestone.Status(milestone.status).label,
            },
            code="milestone_not_pending",
        )
    return milestone


@transaction.atomic
def deliver(
    *, principal: Principal, order: Order, note: str = "", milestone: int | None = None
) -> Order:
    """Hand one milestone over for review (the one at ``milestone``, else the first not yet
    accepted); the review window starts now. Its deliverables of this round, and those of
    this round given for no milestone, are its delivery."""
    order = lock(order)
    target = _milestone_to_deliver(order, milestone)
    move(principal, order, S.DELIVERED, context(order, reason=note, milestone=target))
    if target is not None:
        order.deliverables.filter(round=order.revision_count, milestone__isnull=True).update(
            milestone=target
        )
        target.status = Milestone.Status.DELIVERED
        target.delivered_at = order.delivered_at
        target.save(update_fields=["status", "delivered_at"])
    tell(
        enterprise_people(order),
        "orders.delivered",
        order,
        nomad=str(order.nomad),
        days=transitions.review_window().days,
    )
    return order


@transaction.atomic
def request_revision(*, principal: Principal, order: Order, reason: str) -> Order:
    """Back to work on the delivered milestone, with the reason; revisions are counted."""
    order = lock(order)
    move(principal, order, S.IN_PROGRESS, context(order, reason=reason))
    order.revision_count += 1
    order.delivered_at = None
    order.save(update_fields=["revision_count", "delivered_at"])
    order.milestones.filter(status=Milestone.Status.DELIVERED).update(
        status=Milestone.Status.PENDING, delivered_at=None
    )
    if order.nomad is not None:
        tell([order.nomad], "orders.revision", order, reason=reason.strip())
    return order
