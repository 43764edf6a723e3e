"""Batches: create, change their settings, open and close them (publish)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_write
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.inputs import with_changes
from nomadcloud.datatasks import importer
from nomadcloud.datatasks.models import Assignment, Batch, BatchSkill, Item
from nomadcloud.datatasks.schemas import BatchDraft, BatchPatch
from nomadcloud.datatasks.services._common import Status, event
from nomadcloud.datatasks.services.items import Upload, parse, store_items
from nomadcloud.datatasks.services.results import aggregate
from nomadcloud.datatasks.services.rules import FIELDS, OPEN_FIELDS, SCALAR_FIELDS, checked
from nomadcloud.taxonomy.models import Concept

# draft → open ⇄ closed → accepted (acceptance has its own service, accept_batch).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.OPEN}),
    Status.OPEN: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
    Status.ACCEPTED: frozenset(),
}


def _apply(batch: Batch, clean: dict[str, Any]) -> None:
    for name in SCALAR_FIELDS:
        setattr(batch, name, clean[name])
    batch.save()
    concepts = {
        c.code: c for c in Concept.objects.filter(code__in=[s["code"] for s in clean["skills"]])
    }
    BatchSkill.objects.filter(batch=batch).delete()
    BatchSkill.objects.bulk_create(
        BatchSkill(batch=batch, concept=concepts[s["code"]], level=s["level"])
        for s in clean["skills"]
    )


def _summary(batch: Batch) -> dict[str, Any]:
    return {
        "task_type": batch.task_type,
        "labels": batch.labels,
        "overlap": batch.overlap,
        "pay_per_item": str(batch.pay_per_item),
        "items": batch.item_count,
        "gold": batch.gold_count,
        "qualification": batch.qualification_count,
    }


def create_batch(
    *,
    principal: Principal,
    organisation: Organisation,
    draft: BatchDraft,
    upload: Upload | None = None,
) -> Batch:
    """Create a draft batch, with its items when a file comes along. The settings and the
    whole file are checked first; a refusal stores nothing."""
    require_write(principal)
    clean = checked(draft)
    parsed = None
    if upload is not None:
        parsed = parse(upload, importer.Spec(clean["task_type"], tuple(clean["labels"])))
    with transaction.atomic():
        batch = Batch(organisation=organisation, created_by=principal.user, status=Status.DRAFT)
        _apply(batch, clean)
        if parsed is not None and upload is not None:
            store_items(batch, parsed, upload.name)
        event(batch, "", Status.DRAFT, principal.user)
        audit.record(
            actor=principal.user,
            action="datatasks.batch.create",
            obj=batch,
            organisation=organisation,
            after={**_summary(batch), "file": batch.file_name},
            token=principal.token,
        )
    return batch


def current_fields(batch: Batch) -> dict[str, Any]:
    fields: dict[str, Any] = {name: getattr(batch, name) for name in SCALAR_FIELDS}
    fields["skills"] = [
        {"code": s.concept.code, "level": s.level}
        for s in batch.skills.select_related("concept").order_by("concept__code")
    ]
    return fields


@transaction.atomic
def update_batch(*, principal: Principal, batch: Batch, changes: BatchPatch) -> Batch:
    """Change the settings ``changes`` sets (the others keep their values): all of them while
    the batch is a draft; once open, only its titles, instructions and deadline."""
    require_write(principal)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status in {Status.CLOSED, Status.ACCEPTED}:
        raise Conflict(
            _("A closed or accepted batch can no longer be changed."), code="not_editable"
        )
    current = current_fields(locked)
    clean = checked(with_changes(BatchDraft, current, changes))
    changed = {name for name in FIELDS if clean[name] != current[name]}
    if not changed:
        return locked
    if locked.status == Status.OPEN and changed - OPEN_FIELDS:
        name = sorted(changed - OPEN_FIELDS)[0]
        raise Conflict(
            _("Once a batch is open only its titles, instructions and deadline can change."),
            code="batch_open",
            fields={name: [_("Cannot change while the batch is open.")]},
        )
    if {"task_type", "labels"} & changed and locked.gold_count:
        spec = importer.Spec(clean["task_type"], tuple(clean["labels"]))
        for item in Item.objects.filter(batch=locked, is_gold=True):
            problems: list[importer.LineError] = []
            importer.clean_value(
                spec, item.gold, text=item.text, line=item.position, field="gold", errors=problems
            )
            if problems:
                raise invalid_field(
                    "labels",
                    _(
                        "The gold answer of item %(id)s no longer fits these labels; upload "
                        "the items file again with the new labels."
                    )
                    % {"id": item.external_id},
                )
    before = {name: current[name] for name in changed}
    _apply(locked, clean)
    audit.record(
        actor=principal.user,
        action="datatasks.batch.update",
        obj=locked,
        organisation=locked.organisation,
        before=before,
        after={name: clean[name] for name in changed},
        token=principal.token,
    )
    return locked


@transaction.atomic
def change_status(*, principal: Principal, batch: Batch, status: str, note: str = "") -> Batch:
    """Open a draft (it needs items to work on), close an open batch (its results are
    aggregated), or open a closed batch again."""
    require_write(principal)
    if status not in Status.values:
        raise invalid_field("status", _("Unknown status %(status)s.") % {"status": status[:20]})
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    before = locked.status
    if status == before:
        return locked
    if status == Status.ACCEPTED:
        raise Conflict(
            _("Accept the batch with the accept action; it fixes the accepted work."),
            code="transition_not_allowed",
        )
    if status not in TRANSITIONS[before]:
        raise Conflict(
            _("A %(before)s batch cannot become %(after)s.")
            % {"before": Status(before).label, "after": Status(status).label},
            code="transition_not_allowed",
            fields={"status": [_("Not allowed from the current status.")]},
        )
    now = timezone.now()
    if status == Status.OPEN:
        if not Item.objects.filter(batch=locked, is_gold=False).exists():
            raise Conflict(_("Upload items to work on before opening the batch."), code="no_items")
        if locked.deadline_passed(now):
            raise Conflict(
                _("The deadline has passed; move it first."),
                code="deadline_passed",
                fields={"deadline": [_("The deadline has passed.")]},
            )
        locked.opened_at = locked.opened_at or now
    locked.status = status
    if status == Status.CLOSED:
        locked.closed_at = now
        Assignment.objects.filter(batch=locked, status=Assignment.Status.ACTIVE).update(
            status=Assignment.Status.RELEASED
        )
    locked.save()
    event(locked, before, status, principal.user, note)
    audit.record(
        actor=principal.user,
        action="datatasks.batch.status",
        obj=locked,
        organisation=locked.organisation,
        before={"status": before},
        after={"status": status},
        token=principal.token,
    )
    if status == Status.CLOSED:
        aggregate(locked)
    return locked


def close_overdue_batches(now: datetime | None = None) -> int:
    """Close open batches whose deadline has passed (run by ``close_overdue_datatasks``)."""
    moment = now or timezone.now()
    closed = 0
    for batch in Batch.objects.filter(status=Status.OPEN, deadline__isnull=False):
        if batch.deadline_passed(moment):
            change_status(
                principal=Principal(user=None), batch=batch, status=Status.CLOSED, note="deadline"
            )
            closed += 1
    return closed
