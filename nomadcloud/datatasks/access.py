"""The access chokepoints for data batches, their items and workers' assignments.

- The enterprise's side: every member of the enterprise sees its batches, items, results,
  workers and exports (the zone operator sees all of them); owners, admins and members
  (and the enterprise's API key) create and edit batches; owners, admins and reviewers
  recompute results and correct them; owners and admins accept a batch.
- The workers' side: a person sees an open batch (to qualify and work on it) and, later, the
  batches they took part in; they see only their own assignments and answers.
- Anything else answers NotFound, exactly as if it did not exist; a visible object whose
  action is not allowed answers Forbidden.
"""

from __future__ import annotations

from enum import StrEnum

from django.utils.translation import gettext as _

from nomadcloud.accounts import access as shared
from nomadcloud.accounts.access import (
    Role,
    is_zone_operator,
    parse_public_id,
    require_authenticated,
    require_person,
    role_in,
)
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import NotFound
from nomadcloud.datatasks.models import Answer, Assignment, Batch, BatchWorker, GoldAppeal, Item


class Action(StrEnum):
    VIEW = "view"  # items, results, workers, exports
    EDIT = "edit"  # create, settings, items file, open and close
    REVIEW = "review"  # recompute and correct results
    ACCEPT = "accept"  # accept the batch: fixes accepted work and pay


EDITORS = frozenset({Role.OWNER, Role.ADMIN, Role.MEMBER})
REVIEWERS = frozenset({Role.OWNER, Role.ADMIN, Role.REVIEWER})
MANAGERS = frozenset({Role.OWNER, Role.ADMIN})
ROLES_FOR: dict[Action, frozenset[str]] = {
    Action.VIEW: frozenset(Role),
    Action.EDIT: EDITORS,
    Action.REVIEW: REVIEWERS,
    Action.ACCEPT: MANAGERS,
}
# Actions an organisation API key may not take even with the role.
PERSONS_ONLY = frozenset({Action.REVIEW, Action.ACCEPT})


def can_see_all_of(principal: Principal, organisation: Organisation) -> bool:
    """Members of the enterprise (any role) and the zone operator."""
    return role_in(principal, organisation) is not None or is_zone_operator(principal)


def allows(principal: Principal, organisation: Organisation, action: Action) -> bool:
    return (action is Action.VIEW or principal.can_write) and role_in(
        principal, organisation
    ) in ROLES_FOR[action]


def check_enterprise(principal: Principal, organisation: Organisation, action: Action) -> None:
    shared.check_enterprise(
        principal,
        organisation,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only enterprises publish data batches."),
        persons_only=PERSONS_ONLY,
    )


def enterprise_for(principal: Principal, public_id: object, action: Action) -> Organisation:
    return shared.enterprise_for(
        principal,
        public_id,
        action,
        roles_for=ROLES_FOR,
        only_enterprises=_("Only enterprises publish data batches."),
        persons_only=PERSONS_ONLY,
    )


def _batch(public_id: object) -> Batch:
    batch = (
        Batch.objects.filter(public_id=parse_public_id(public_id, message=_("No such data batch.")))
        .select_related("organisation")
        .first()
    )
    if batch is None:
        raise NotFound(_("No such data batch."))
    return batch


def batch_for(principal: Principal, public_id: object, action: Action) -> Batch:
    """A batch on the enterprise's side (members and the zone operator)."""
    require_authenticated(principal)
    batch = _batch(public_id)
    if not can_see_all_of(principal, batch.organisation):
        raise NotFound(_("No such data batch."))
    check_enterprise(principal, batch.organisation, action)
    return batch


def visible_to_worker(principal: Principal, batch: Batch) -> bool:
    """Open batches are listed for every person; closed ones stay visible to those who
    took part."""
    if principal.user is None or principal.key_organisation is not None:
        return False
    if batch.status == Batch.Status.OPEN:
        return True
    if batch.status == Batch.Status.DRAFT:
        return False
    return BatchWorker.objects.filter(batch=batch, worker=principal.user).exists()


def batch_for_worker(principal: Principal, public_id: object) -> Batch:
    """A batch on the workers' side. Members of the enterprise see it too (and are then
    refused the work itself by the services)."""
    require_authenticated(principal)
    batch = _batch(public_id)
    if not visible_to_worker(principal, batch) and not can_see_all_of(
        principal, batch.organisation
    ):
        raise NotFound(_("No such data batch."))
    require_person(principal)
    return batch


def batch_for_anyone(principal: Principal, public_id: object) -> tuple[Batch, bool]:
    """The batch and whether the principal sees it from the enterprise's side."""
    require_authenticated(principal)
    batch = _batch(public_id)
    if can_see_all_of(principal, batch.organisation):
        return batch, True
    if visible_to_worker(principal, batch):
        return batch, False
    raise NotFound(_("No such data batch."))


def assignment_for(principal: Principal, batch: Batch, assignment_id: object) -> Assignment:
    """One of the person's own assignments; anyone else's answers NotFound."""
    user = require_person(principal)
    try:
        key = int(str(assignment_id))
    except ValueError:
        raise NotFound(_("No such assignment.")) from None
    assignment = (
        Assignment.objects.filter(pk=key, batch=batch, worker=user).select_related("item").first()
    )
    if assignment is None:
        raise NotFound(_("No such assignment."))
    return assignment


def item_for(batch: Batch, item_id: object) -> Item:
    """An item of a batch already fetched through ``batch_for``."""
    try:
        key = int(str(item_id))
    except ValueError:
        raise NotFound(_("No such item.")) from None
    item = Item.objects.filter(pk=key, batch=batch).first()
    if item is None:
        raise NotFound(_("No such item."))
    return item


def _key(value: object, message: str) -> int:
    try:
        return int(str(value))
    except ValueError:
        raise NotFound(message) from None


def answer_for(principal: Principal, batch: Batch, answer_id: object) -> Answer:
    """One of the person's own answers on the batch; anyone else's answers NotFound."""
    user = require_person(principal)
    key = _key(answer_id, _("No such answer."))
    answer = Answer.objects.filter(pk=key, batch=batch, worker=user).select_related("item").first()
    if answer is None:
        raise NotFound(_("No such answer."))
    return answer


def appeal_for(batch: Batch, appeal_id: object) -> GoldAppeal:
    """An appeal of a batch already fetched through ``batch_for``."""
    key = _key(appeal_id, _("No such appeal."))
    appeal = (
        GoldAppeal.objects.filter(pk=key, batch=batch)
        .select_related("batch", "item", "answer", "worker", "decided_by")
        .first()
    )
    if appeal is None:
        raise NotFound(_("No such appeal."))
    return appeal
