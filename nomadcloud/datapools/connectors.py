"""The datatasks connector (docs/datapools.md, decision 0057): the accepted outputs of
data-labelling batches go into a labelled-data pool without an upload.

- The batch's enterprise agrees first, explicitly: an editor of the enterprise records a
  ``BatchRelease`` (this batch, this pool) once the batch is accepted. Nothing of a batch
  without one is ever read.
- The pool's steward runs the import. For each agreed batch, each worker with accepted work
  who holds a valid consent to every purpose of the pool's charter (under its notice
  version) becomes one contribution: one row per regular item they answered (their answer
  not discarded), holding the task type, the item's id and text, the worker's label and the
  accepted result. Never the worker, their accuracy or pay: the contributor is the
  contribution's owner, as for an upload.
- Idempotent: a contribution carries ``source_ref = datatasks:<batch>`` and is unique per
  pool, source and contributor, so a second import adds nothing; a worker who consents
  later is read at the next import.
- Rows are scanned for undeclared personal data like an upload: a finding quarantines the
  contribution (findings kept, rows not)."""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, InvalidInput, invalid_field
from nomadcloud.datapools import access, validation
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.models import BatchRelease, Contribution, Pool
from nomadcloud.datapools.services import _consents
from nomadcloud.datapools.transitions import Side
from nomadcloud.datatasks.models import AcceptedWork, Answer, Assignment, Batch, Item

SOURCE_PREFIX = "datatasks:"
# The columns the connector writes; a labelled-data pool's charter names them.
COLUMNS = ("task_type", "item", "text", "label", "result")


def source_ref(batch: Batch) -> str:
    return f"{SOURCE_PREFIX}{batch.public_id}"


def _require_labelled_pool(pool: Pool) -> None:
    if pool.kind != Pool.Kind.LABELLED:
        raise Conflict(
            _("Only a labelled-data pool reads accepted labelling work."),
            code="connector_not_allowed",
        )
    if pool.status != Pool.Status.OPEN:
        raise Conflict(_("This pool does not take contributions now."), code="pool_not_open")


@transaction.atomic
def agree_release(*, principal: Principal, pool: Pool, batch: Batch) -> BatchRelease:
    """The enterprise's agreement that an accepted batch's outputs go into the pool. The
    caller resolved ``batch`` for an editor of its enterprise (datatasks access, EDIT).
    Agreeing twice keeps the first agreement."""
    user = require_person(principal)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    _require_labelled_pool(pool)
    if batch.status != Batch.Status.ACCEPTED:
        raise invalid_field(
            "batch",
            _("Only a batch the enterprise has accepted can be released to a pool."),
            code="batch_not_accepted",
        )
    release, created = BatchRelease.objects.get_or_create(
        pool=pool, batch=batch, defaults={"agreed_by": user}
    )
    if created:
        audit.record(
            actor=user,
            action="datapools.connector.agree",
            obj=release,
            organisation=batch.organisation,
            after={"pool": str(pool.public_id), "batch": str(batch.public_id)},
            token=principal.token,
        )
    return release


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


@transaction.atomic
def import_accepted_work(*, principal: Principal, pool: Pool) -> list[Contribution]:
    """The steward reads the accepted work of every agreed batch into the pool: one
    contribution per consenting worker and batch, never twice."""
    pool = Pool.objects.select_for_update().select_related("steward").get(pk=pool.pk)
    access.require_side(principal, pool, Side.STEWARD)
    _require_labelled_pool(pool)
    charter = current_charter(pool)
    now = timezone.now()
    made: list[Contribution] = []
    for release in pool.batch_releases.select_related("batch").order_by("id"):
        batch = release.batch
        ref = source_ref(batch)
        done = set(
            Contribution.objects.filter(pool=pool, source_ref=ref).values_list(
                "contributor_id", flat=True
            )
        )
        workers = [
            w
            for w in AcceptedWork.objects.filter(batch=batch).values_list("worker_id", flat=True)
            if w not in done
        ]
        if not workers:
            continue
        items = {
            item.pk: item
            for item in Item.objects.filter(batch=batch, is_gold=False).only(
                "id", "external_id", "text", "result", "override", "is_gold", "gold"
            )
        }
        answers: dict[int, list[tuple[int, Any]]] = defaultdict(list)
        for worker_id, item_id, value in (
            Answer.objects.filter(
                batch=batch,
                worker_id__in=workers,
                phase=Assignment.Phase.WORK,
                discarded=False,
                item__is_gold=False,
            )
            .order_by("item_id", "id")
            .values_list("worker_id", "item_id", "value")
        ):
            answers[worker_id].append((item_id, value))
        people = User.objects.in_bulk(workers)
        for worker_id in workers:
            try:
                records = _consents(
                    people[worker_id],
                    pool,
                    charter,
                    charter.consent_notice_version,
                    False,
                    "web_form",
                )
            except InvalidInput:
                continue  # not consented to the pool's purposes: never read
            rows = [
                {
                    "task_type": batch.task_type,
                    "item": items[item_id].external_id,
                    "text": items[item_id].text,
                    "label": _text(value),
                    "result": _text(items[item_id].final),
                }
                for item_id, value in answers[worker_id]
                if item_id in items and items[item_id].final is not None
            ]
            if not rows:
                continue
            findings = validation.scan_personal(charter.columns, rows)
            contribution = Contribution.objects.create(
                pool=pool,
                charter=charter,
                contributor=people[worker_id],
                source=Contribution.Source.DATATASKS,
                source_ref=ref,
                status=(
                    Contribution.Status.QUARANTINED if findings else Contribution.Status.ACCEPTED
                ),
                rows=[] if findings else rows,
                row_count=len(rows),
                findings=[f.as_dict() for f in findings],
                received_at=now,
            )
            contribution.consents.set(records)
            made.append(contribution)
        release.imported_at = now
        release.save(update_fields=["imported_at"])
    audit.record(
        actor=principal.user,
        action="datapools.connector.import_datatasks",
        obj=pool,
        organisation=pool.steward,
        after={"contributions": len(made), "rows": sum(c.row_count for c in made)},
        token=principal.token,
    )
    return made


def agreeable_batches(principal: Principal, pool: Pool) -> list[tuple[str, str]]:
    """(public id, title) of the accepted batches of enterprises the person edits that are
    not yet released to the pool: the choices of the agreement form."""
    if principal.user is None or not principal.can_write or pool.kind != Pool.Kind.LABELLED:
        return []
    agreed = BatchRelease.objects.filter(pool=pool).values_list("batch_id", flat=True)
    candidates = (
        Batch.objects.filter(
            status=Batch.Status.ACCEPTED,
            organisation__kind=Organisation.Kind.ENTERPRISE,
            organisation__memberships__user=principal.user,
            organisation__memberships__role__in=access.EDITORS,
        )
        .exclude(pk__in=agreed)
        .distinct()
        .order_by("-accepted_at", "-id")[:200]
    )
    return [(str(b.public_id), str(b)) for b in candidates]
