"""Use cases for data-processing work (来数加工).

One function per action, called by both the pages and the API. Each validates its input
first, then changes the database in one transaction and records an audit event, so a refusal
leaves nothing half-written. Callers fetch batches, items and assignments through
``access.py``; the rules that depend on state and on who acts are checked here.

Assignment (``next_assignment``) runs with the batch's row locked (``SELECT … FOR UPDATE`` on
PostgreSQL; SQLite's IMMEDIATE transactions serialise writers already), so two workers asking
at once never over-fill an item: an item's *load* is its answers plus the unexpired leases of
others, and a regular item is handed out only while its load is below the overlap.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write, role_in
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field
from nomadcloud.core.inputs import with_changes
from nomadcloud.core.money import format_cny
from nomadcloud.datatasks import aggregation, events, importer
from nomadcloud.datatasks.models import (
    AcceptedWork as AcceptedWorkRow,
)
from nomadcloud.datatasks.models import (
    Answer,
    Assignment,
    Batch,
    BatchEvent,
    BatchSkill,
    BatchWorker,
    Item,
    ResultOverride,
)
from nomadcloud.datatasks.queries import blocked_message
from nomadcloud.datatasks.schemas import BatchDraft, BatchPatch, SkillIn
from nomadcloud.notifications.services import notify
from nomadcloud.taxonomy.models import Concept

Status = Batch.Status
TaskType = Batch.TaskType

# draft → open ⇄ closed → accepted (acceptance has its own service, accept_batch).
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.DRAFT: frozenset({Status.OPEN}),
    Status.OPEN: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
    Status.ACCEPTED: frozenset(),
}
FIELDS = frozenset(BatchDraft.model_fields)
# What may still change once the batch is open: the words, not the rules.
OPEN_FIELDS = frozenset({"title_zh", "title_en", "instructions_zh", "instructions_en", "deadline"})
SCALAR_FIELDS = tuple(sorted(FIELDS - {"skills"}))
SKILL_KINDS = frozenset({Concept.Kind.SKILL, Concept.Kind.KNOWLEDGE, Concept.Kind.OCCUPATION})


def _url(batch: Batch) -> str:
    return reverse("datatasks:detail", args=[batch.public_id])


def _title(obj: Any, field: str = "title") -> str:
    """Both languages, since the reader's is not known when the notice is stored."""
    zh, en = getattr(obj, f"{field}_zh"), getattr(obj, f"{field}_en")
    return f"{zh} / {en}" if zh and en and zh != en else (zh or en)


def lease_seconds() -> int:
    return int(getattr(settings, "DATATASKS_LEASE_SECONDS", 600))


# --- the rules a draft cannot check alone -----------------------------------------------------


def _labels(labels: tuple[str, ...], task_type: str) -> list[str]:
    """What the labels may be depends on the task type; transcription has none."""
    if task_type == TaskType.TRANSCRIPTION:
        return []
    minimum = 1 if task_type == TaskType.SPANS else 2
    if len(labels) < minimum:
        raise invalid_field(
            "labels",
            _("Give at least %(n)d labels.") % {"n": minimum}
            if minimum > 1
            else _("Give at least one label."),
        )
    for label in labels:
        if len(label) > 100:
            raise invalid_field("labels", _("A label has at most 100 characters."))
        if "|" in label or (task_type == TaskType.SPANS and ":" in label):
            raise invalid_field(
                "labels",
                _("“%(label)s”: labels cannot contain | or, for spans, :.") % {"label": label},
            )
        if label == aggregation.NO_SPAN and task_type == TaskType.SPANS:
            raise invalid_field("labels", _("“O” means “no span” and cannot be a span label."))
    if len(set(labels)) != len(labels):
        raise invalid_field("labels", _("Each label may appear only once."))
    return list(labels)


def _skills(skills: tuple[SkillIn, ...]) -> list[dict[str, Any]]:
    codes = [s.code for s in skills]
    found = {c.code: c for c in Concept.objects.filter(code__in=codes, is_active=True)}
    for index, code in enumerate(codes):
        concept = found.get(code)
        if concept is None:
            raise invalid_field(
                f"skills.{index}",
                _("Unknown skill %(code)s: use a code from the taxonomy.") % {"code": code[:120]},
                code="unknown_concept",
            )
        if concept.kind not in SKILL_KINDS:
            raise invalid_field(
                f"skills.{index}", _("%(code)s is not a skill.") % {"code": code[:120]}
            )
    if len(set(codes)) != len(codes):
        raise invalid_field("skills", _("A skill is listed twice."))
    return sorted(({"code": s.code, "level": s.level} for s in skills), key=lambda s: s["code"])


def _checked(draft: BatchDraft) -> dict[str, Any]:
    """The draft's settings once the rules across fields and against the taxonomy hold, in the
    shape stored and compared (skills as sorted codes)."""
    clean: dict[str, Any] = {name: getattr(draft, name) for name in SCALAR_FIELDS}
    clean["labels"] = _labels(draft.labels, draft.task_type)
    clean["skills"] = _skills(draft.skills)
    if not draft.title_zh and not draft.title_en:
        raise invalid_field("title_zh", _("Give a title in Chinese or English."))
    if not draft.instructions_zh and not draft.instructions_en:
        raise invalid_field("instructions_zh", _("Give the instructions in Chinese or English."))
    if draft.method == "dawid_skene" and draft.task_type not in {"single_label", "multi_label"}:
        clean["method"] = Batch.Method.MAJORITY  # text and spans are aggregated by majority
    return clean


def spec_of(batch: Batch) -> importer.Spec:
    return importer.Spec(task_type=batch.task_type, labels=tuple(batch.labels))


# --- batches ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Upload:
    """An items file as received: its name, its bytes and, if given, its format."""

    name: str
    data: bytes
    format: str = ""


def _event(batch: Batch, before: str, after: str, actor: User | None, note: str = "") -> None:
    BatchEvent.objects.create(
        batch=batch, from_status=before, to_status=after, actor=actor, note=note[:200]
    )


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


def _parse(upload: Upload, spec: importer.Spec) -> importer.ParsedFile:
    fmt = importer.format_for(upload.name, upload.format)
    return importer.parse(upload.data, format=fmt, spec=spec)


def _store_items(batch: Batch, parsed: importer.ParsedFile, name: str) -> None:
    Item.objects.filter(batch=batch).delete()
    Item.objects.bulk_create(
        (
            Item(
                batch=batch,
                position=item.line,
                external_id=item.external_id,
                text=item.text,
                context=item.context,
                media_url=item.media_url,
                is_gold=item.is_gold,
                is_qualification=item.is_qualification,
                gold=item.gold,
            )
            for item in parsed.items
        ),
        batch_size=1000,
    )
    batch.file_name = name[-255:]
    batch.file_format = parsed.format
    batch.file_sha256 = parsed.sha256
    batch.file_size = parsed.size
    batch.item_count = len(parsed.items)
    batch.gold_count = parsed.gold_count
    batch.qualification_count = parsed.qualification_count
    batch.save()


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
    clean = _checked(draft)
    parsed = None
    if upload is not None:
        parsed = _parse(upload, importer.Spec(clean["task_type"], tuple(clean["labels"])))
    with transaction.atomic():
        batch = Batch(organisation=organisation, created_by=principal.user, status=Status.DRAFT)
        _apply(batch, clean)
        if parsed is not None and upload is not None:
            _store_items(batch, parsed, upload.name)
        _event(batch, "", Status.DRAFT, principal.user)
        audit.record(
            actor=principal.user,
            action="datatasks.batch.create",
            obj=batch,
            organisation=organisation,
            after={**_summary(batch), "file": batch.file_name},
            token=principal.token,
        )
    return batch


def import_items(*, principal: Principal, batch: Batch, upload: Upload) -> Batch:
    """Replace a draft batch's items with those of the file: all of them or none."""
    require_write(principal)
    if batch.status != Status.DRAFT:
        raise Conflict(
            _("Items can only be replaced while the batch is a draft."), code="not_draft"
        )
    parsed = _parse(upload, spec_of(batch))
    with transaction.atomic():
        locked = Batch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != Status.DRAFT:
            raise Conflict(
                _("Items can only be replaced while the batch is a draft."), code="not_draft"
            )
        before = {"items": locked.item_count, "file": locked.file_name}
        _store_items(locked, parsed, upload.name)
        audit.record(
            actor=principal.user,
            action="datatasks.batch.import",
            obj=locked,
            organisation=locked.organisation,
            before=before,
            after={
                "items": locked.item_count,
                "gold": locked.gold_count,
                "qualification": locked.qualification_count,
                "file": locked.file_name,
                "sha256": locked.file_sha256,
            },
            token=principal.token,
        )
    return locked


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
    clean = _checked(with_changes(BatchDraft, current, changes))
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
    _event(locked, before, status, principal.user, note)
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
        _aggregate(locked)
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


# --- workers ----------------------------------------------------------------------------------


def _require_worker(principal: Principal, batch: Batch) -> User:
    user = require_person(principal)
    require_write(principal)
    if role_in(principal, batch.organisation) is not None:
        raise Forbidden(
            _("Members of %(organisation)s cannot work on its own data batches.")
            % {"organisation": batch.organisation},
            code="own_enterprise",
        )
    if not user.is_nomad:
        raise Forbidden(
            _(
                "Data batches are worked by digital nomads; say that you are one in your "
                "account settings first."
            ),
            code="not_a_nomad",
        )
    return user


def _require_accepting(batch: Batch) -> None:
    if batch.status != Status.OPEN:
        raise Conflict(_("This batch is not open; answers are not accepted."), code="batch_closed")
    if batch.deadline_passed():
        raise Conflict(
            _("The deadline of this batch has passed; answers are no longer accepted."),
            code="batch_closed",
        )


def _refuse_state(state: BatchWorker) -> None:
    if state.status == BatchWorker.Status.BLOCKED:
        raise Forbidden(blocked_message(state), code="blocked")
    if state.status == BatchWorker.Status.FAILED:
        raise Forbidden(
            _("You did not pass this batch's qualification test."), code="not_qualified"
        )


@transaction.atomic
def join_batch(*, principal: Principal, batch: Batch) -> BatchWorker:
    """Start on a batch: take its qualification test first when it has one. Joining again
    returns the existing state."""
    user = _require_worker(principal, batch)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    existing = BatchWorker.objects.filter(batch=locked, worker=user).first()
    if existing is not None:
        return existing
    _require_accepting(locked)
    state = BatchWorker.objects.create(
        batch=locked,
        worker=user,
        status=(
            BatchWorker.Status.QUALIFYING
            if locked.has_qualification
            else BatchWorker.Status.QUALIFIED
        ),
        qualified_at=None if locked.has_qualification else timezone.now(),
    )
    audit.record(
        actor=user,
        action="datatasks.worker.join",
        obj=state,
        organisation=locked.organisation,
        after={"batch": str(locked.public_id), "status": state.status},
        token=principal.token,
    )
    return state


def _active_leases(
    item_ids: Iterable[int], now: datetime, exclude: int | None = None
) -> dict[int, int]:
    leases = Assignment.objects.filter(
        item_id__in=list(item_ids), status=Assignment.Status.ACTIVE, expires_at__gt=now
    )
    if exclude is not None:
        leases = leases.exclude(pk=exclude)
    return {row["item_id"]: row["n"] for row in leases.values("item_id").annotate(n=Count("id"))}


def _has_room(batch: Batch, item: Item, now: datetime, exclude: int | None = None) -> bool:
    if item.is_gold:
        return True
    answers = Item.objects.filter(pk=item.pk).values_list("answer_count", flat=True).get()
    return answers + _active_leases([item.pk], now, exclude).get(item.pk, 0) < batch.overlap


def _pick_regular(batch: Batch, user: User, now: datetime) -> Item | None:
    """The item with the fewest answers (then the earliest in the file) that this worker
    has never been given and that still has a free answer slot."""
    mine = Assignment.objects.filter(batch=batch, worker=user).values("item_id")
    candidates = (
        Item.objects.filter(batch=batch, is_gold=False, answer_count__lt=batch.overlap)
        .exclude(pk__in=mine)
        .order_by("answer_count", "position")
    )
    start = 0
    while True:
        chunk = list(candidates[start : start + 200])
        if not chunk:
            return None
        leases = _active_leases([i.pk for i in chunk], now)
        for item in chunk:
            if item.answer_count + leases.get(item.pk, 0) < batch.overlap:
                return item
        start += len(chunk)


def _pick_gold(batch: Batch, user: User) -> Item | None:
    mine = Assignment.objects.filter(batch=batch, worker=user).values("item_id")
    ids = list(
        Item.objects.filter(batch=batch, is_gold=True, is_qualification=False)
        .exclude(pk__in=mine)
        .values_list("pk", flat=True)
    )
    if not ids:
        return None
    return Item.objects.get(pk=random.choice(ids))


@transaction.atomic
def next_assignment(*, principal: Principal, batch: Batch) -> Assignment | None:
    """The worker's current item, or a new one; None when there is nothing left for them.
    Qualification items come first (in file order); then regular items with gold items mixed
    in at the batch's gold share. Each assignment reserves its slot for a short lease."""
    user = _require_worker(principal, batch)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    _require_accepting(locked)
    state = BatchWorker.objects.select_for_update().filter(batch=locked, worker=user).first()
    if state is None:
        raise Conflict(_("Start on this batch first."), code="not_joined")
    _refuse_state(state)
    now = timezone.now()
    expires = now + timedelta(seconds=lease_seconds())
    current = (
        Assignment.objects.filter(batch=locked, worker=user, status=Assignment.Status.ACTIVE)
        .select_related("item")
        .first()
    )
    if current is not None:
        if current.expires_at > now or _has_room(locked, current.item, now, exclude=current.pk):
            current.expires_at = expires
            current.save(update_fields=["expires_at"])
            return current
        current.status = Assignment.Status.RELEASED
        current.save(update_fields=["status"])
    if state.status == BatchWorker.Status.QUALIFYING:
        answered = Answer.objects.filter(batch=locked, worker=user).values("item_id")
        item = (
            Item.objects.filter(batch=locked, is_qualification=True)
            .exclude(pk__in=answered)
            .order_by("position")
            .first()
        )
        if item is not None:
            # A test item whose lease was released (the batch was closed and opened again)
            # is given back rather than lost.
            released = Assignment.objects.filter(item=item, worker=user).first()
            if released is not None:
                released.status = Assignment.Status.ACTIVE
                released.expires_at = expires
                released.save(update_fields=["status", "expires_at"])
                return released
            return Assignment.objects.create(
                batch=locked,
                item=item,
                worker=user,
                phase=Assignment.Phase.QUALIFICATION,
                expires_at=expires,
            )
        _judge_qualification(locked, state, user, force=True)
        if state.status != BatchWorker.Status.QUALIFIED:
            return None
    item = _pick_regular(locked, user, now)
    if (
        item is not None
        and locked.gold_percent
        and (state.gold_answers * 100 < locked.gold_percent * (state.work_answers + 1))
    ):
        item = _pick_gold(locked, user) or item
    if item is None:
        return None
    return Assignment.objects.create(
        batch=locked, item=item, worker=user, phase=Assignment.Phase.WORK, expires_at=expires
    )


def clean_answer(batch: Batch, item: Item, value: Any) -> Any:
    """A worker's answer in the batch's shape, or InvalidInput on ``answer``."""
    return importer.clean_value(spec_of(batch), value, text=item.text, field="answer")


@dataclass(frozen=True)
class Submitted:
    answer: Answer
    state: BatchWorker


@transaction.atomic
def submit_answer(*, principal: Principal, assignment: Assignment, value: Any) -> Submitted:
    """Record the worker's answer to their assignment. Refused: an item not assigned to
    them (any more), a second answer, an answer once the batch closed or its deadline
    passed, an answer from a blocked worker."""
    user = require_person(principal)
    require_write(principal)
    batch = Batch.objects.select_for_update().get(pk=assignment.batch_id)
    locked = Assignment.objects.select_for_update().select_related("item").get(pk=assignment.pk)
    if locked.worker_id != user.pk:
        raise Forbidden(_("This item is not assigned to you."), code="not_assigned")
    if (
        locked.status == Assignment.Status.ANSWERED
        or Answer.objects.filter(item_id=locked.item_id, worker=user).exists()
    ):
        raise Conflict(_("You have already answered this item."), code="already_answered")
    _require_accepting(batch)
    state = BatchWorker.objects.select_for_update().get(batch=batch, worker=user)
    _refuse_state(state)
    if locked.status != Assignment.Status.ACTIVE:
        raise Conflict(_("This item is no longer assigned to you."), code="not_assigned")
    now = timezone.now()
    if locked.expires_at <= now and not _has_room(batch, locked.item, now, exclude=locked.pk):
        raise Conflict(
            _("Your time for this item ran out and it went to someone else; take the next one."),
            code="lease_expired",
        )
    item = locked.item
    clean = clean_answer(batch, item, value)
    score = (
        aggregation.score(batch.task_type, clean, item.gold, item.text) if item.is_gold else None
    )
    answer = Answer.objects.create(
        assignment=locked,
        batch=batch,
        item=item,
        worker=user,
        phase=locked.phase,
        value=clean,
        score=score,
    )
    locked.status = Assignment.Status.ANSWERED
    locked.answered_at = now
    locked.save(update_fields=["status", "answered_at"])
    Item.objects.filter(pk=item.pk).update(answer_count=F("answer_count") + 1)
    if locked.phase == Assignment.Phase.QUALIFICATION:
        state.qualification_answers += 1
        state.qualification_score += score or 0.0
        state.save(update_fields=["qualification_answers", "qualification_score"])
        _judge_qualification(batch, state, user)
    else:
        state.work_answers += 1
        if score is not None:
            state.gold_answers += 1
            state.gold_score += score
        state.save(update_fields=["work_answers", "gold_answers", "gold_score"])
        if score is not None:
            _check_blocking(batch, state, user)
    return Submitted(answer=answer, state=state)


@transaction.atomic
def skip_assignment(*, principal: Principal, assignment: Assignment) -> None:
    """Pass on an item (it will not come back to this worker)."""
    user = require_person(principal)
    require_write(principal)
    locked = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if locked.worker_id != user.pk:
        raise Forbidden(_("This item is not assigned to you."), code="not_assigned")
    if locked.status != Assignment.Status.ACTIVE:
        raise Conflict(_("This item is no longer assigned to you."), code="not_assigned")
    if locked.phase == Assignment.Phase.QUALIFICATION:
        raise Conflict(
            _("Items of the qualification test cannot be skipped."), code="qualification"
        )
    locked.status = Assignment.Status.SKIPPED
    locked.save(update_fields=["status"])


def _judge_qualification(
    batch: Batch, state: BatchWorker, user: User, *, force: bool = False
) -> None:
    if state.status != BatchWorker.Status.QUALIFYING:
        return
    if not force and state.qualification_answers < batch.qualification_count:
        return
    accuracy = state.qualification_accuracy or 0.0
    passed = accuracy * 100 >= batch.qualification_min_percent - 1e-9
    state.status = BatchWorker.Status.QUALIFIED if passed else BatchWorker.Status.FAILED
    state.qualified_at = timezone.now() if passed else None
    state.save(update_fields=["status", "qualified_at"])
    audit.record(
        actor=user,
        action="datatasks.worker.qualify",
        obj=state,
        organisation=batch.organisation,
        after={"status": state.status, "accuracy": round(accuracy, 4)},
    )
    notify(
        user,
        "datatasks.qualification",
        params={
            "batch": _title(batch),
            "outcome": "✔" if passed else "✘",
            "accuracy": f"{100 * accuracy:.0f}",
            "threshold": batch.qualification_min_percent,
        },
        url=_url(batch),
    )


def _check_blocking(batch: Batch, state: BatchWorker, user: User) -> None:
    threshold = batch.min_accuracy_percent
    accuracy = state.accuracy
    if not threshold or accuracy is None or state.gold_answers < batch.min_gold_answers:
        return
    if accuracy * 100 >= threshold - 1e-9:
        return
    now = timezone.now()
    state.status = BatchWorker.Status.BLOCKED
    state.blocked_at = now
    state.block_reason = {
        "accuracy": round(accuracy, 4),
        "threshold": threshold,
        "gold_answers": state.gold_answers,
    }
    state.save(update_fields=["status", "blocked_at", "block_reason"])
    # Their answers no longer count: the items go back to others.
    answers = Answer.objects.filter(batch=batch, worker=user, discarded=False)
    item_ids = list(answers.values_list("item_id", flat=True))
    answers.update(discarded=True)
    Item.objects.filter(pk__in=item_ids).update(answer_count=F("answer_count") - 1)
    Assignment.objects.filter(batch=batch, worker=user, status=Assignment.Status.ACTIVE).update(
        status=Assignment.Status.RELEASED
    )
    audit.record(
        actor=None,
        action="datatasks.worker.block",
        obj=state,
        organisation=batch.organisation,
        after={**state.block_reason, "answers_discarded": len(item_ids)},
    )
    notify(
        user,
        "datatasks.blocked",
        params={
            "batch": _title(batch),
            "accuracy": f"{100 * accuracy:.0f}",
            "gold": state.gold_answers,
            "threshold": threshold,
        },
        url=_url(batch),
    )
    state.notified_at = now
    state.save(update_fields=["notified_at"])


# --- results ----------------------------------------------------------------------------------


def _aggregate(batch: Batch) -> Batch:
    answers = list(
        Answer.objects.filter(batch=batch, discarded=False)
        .order_by("id")
        .values_list("item_id", "worker_id", "value")
    )
    states = list(BatchWorker.objects.filter(batch=batch))
    accuracy = {s.worker_id: a for s in states if (a := s.known_accuracy) is not None}
    gold = dict(Item.objects.filter(batch=batch, is_gold=True).values_list("pk", "gold"))
    texts: dict[Any, str] = {}
    if batch.task_type == TaskType.SPANS:
        answered = {item_id for item_id, _w, _v in answers}
        texts = dict(Item.objects.filter(pk__in=answered).values_list("pk", "text"))
    report = aggregation.aggregate(
        batch.task_type,
        answers,
        method=batch.method,
        labels=batch.labels,
        texts=texts,
        gold=gold,
        worker_accuracy=accuracy,
        raters=batch.overlap,
    )
    items = list(Item.objects.filter(batch=batch, is_gold=False).only("pk", "text", "override"))
    confidences = []
    for item in items:
        outcome = report.outcomes.get(item.pk)
        item.result = outcome.value if outcome else None
        item.confidence = round(outcome.confidence, 6) if outcome else None
        item.support = {k: round(v, 6) for k, v in outcome.support.items()} if outcome else {}
        if outcome:
            confidences.append(outcome.confidence)
    Item.objects.bulk_update(items, ["result", "confidence", "support"], batch_size=500)
    finals = {
        item.pk: (item.override if item.override is not None else item.result, item.text)
        for item in items
    }
    scores: dict[int, list[float]] = defaultdict(list)
    for item_id, worker_id, value in answers:
        final = finals.get(item_id)
        if final is not None and final[0] is not None:
            scores[worker_id].append(aggregation.score(batch.task_type, value, final[0], final[1]))
    for state in states:
        mine = scores.get(state.worker_id)
        state.agreement = round(sum(mine) / len(mine), 6) if mine else None
    BatchWorker.objects.bulk_update(states, ["agreement"], batch_size=500)
    batch.quality = {
        "method": batch.method,
        "alpha": report.alpha,
        "kappa": report.kappa,
        "per_label_alpha": report.per_label_alpha,
        "iterations": report.iterations,
        "answers": len(answers),
        "items_with_results": len(confidences),
        "mean_confidence": sum(confidences) / len(confidences) if confidences else None,
    }
    batch.aggregated_at = timezone.now()
    batch.save(update_fields=["quality", "aggregated_at"])
    return batch


@transaction.atomic
def aggregate_batch(*, principal: Principal, batch: Batch) -> Batch:
    """Compute the results again from the answers so far (an accepted batch's results are
    fixed)."""
    require_write(principal)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status not in {Status.OPEN, Status.CLOSED}:
        raise Conflict(
            _("Results are computed for open and closed batches only."), code="not_aggregatable"
        )
    _aggregate(locked)
    audit.record(
        actor=principal.user,
        action="datatasks.batch.aggregate",
        obj=locked,
        organisation=locked.organisation,
        after={k: v for k, v in locked.quality.items() if k != "per_label_alpha"},
        token=principal.token,
    )
    return locked


@transaction.atomic
def override_result(*, principal: Principal, item: Item, value: Any, reason: str) -> Item:
    """A reviewer corrects an item's result, saying why; the aggregated result stays as it
    was and every correction is kept."""
    user = require_person(principal)
    require_write(principal)
    batch = Batch.objects.select_for_update().get(pk=item.batch_id)
    if batch.status not in {Status.OPEN, Status.CLOSED}:
        raise Conflict(
            _("Results can be corrected while the batch is open or closed, not after acceptance."),
            code="not_correctable",
        )
    locked = Item.objects.select_for_update().get(pk=item.pk)
    if locked.is_gold:
        raise Conflict(_("A gold item's answer is known; it is not corrected."), code="gold")
    reason = (reason or "").strip()
    if not reason:
        raise invalid_field("reason", _("Say why the result is corrected."))
    if len(reason) > 500:
        raise invalid_field("reason", _("At most %(n)d characters, please.") % {"n": 500})
    clean = clean_answer(batch, locked, value)
    previous = locked.final
    ResultOverride.objects.create(
        item=locked, value=clean, previous=previous, reason=reason, by=user
    )
    locked.override = clean
    locked.save(update_fields=["override"])
    audit.record(
        actor=user,
        action="datatasks.item.override",
        obj=locked,
        organisation=batch.organisation,
        before={"result": previous},
        after={"result": clean, "reason": reason},
        token=principal.token,
    )
    return locked


# --- acceptance -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptedWork:
    """Accepted work of one worker on one batch: what proofs of work certify and points
    reward. ``accuracy`` is the share right on gold items (qualification included),
    ``agreement`` the mean agreement of their answers with the delivered results; both 0–1
    or None. ``skills`` are (concept code, level) pairs; ``amount`` = items × pay, exact."""

    user: User
    batch: Batch
    items_accepted: int
    accuracy: float | None
    agreement: float | None
    skills: list[tuple[str, int]]
    pay_per_item: Decimal
    amount: Decimal
    accepted_at: datetime


def _as_accepted(row: AcceptedWorkRow) -> AcceptedWork:
    return AcceptedWork(
        user=row.worker,
        batch=row.batch,
        items_accepted=row.items_accepted,
        accuracy=row.accuracy,
        agreement=row.agreement,
        skills=[(s["code"], int(s["level"])) for s in row.skills],
        pay_per_item=row.pay_per_item,
        amount=row.amount,
        accepted_at=row.accepted_at,
    )


def accepted_work(batch: Batch) -> list[AcceptedWork]:
    """The accepted work per worker of an accepted batch (empty before acceptance)."""
    rows = AcceptedWorkRow.objects.filter(batch=batch).select_related("worker", "batch")
    return [_as_accepted(row) for row in rows.order_by("id")]


def accepted_work_for(user: User) -> list[AcceptedWork]:
    """Everything a person's data work has had accepted, newest first."""
    rows = AcceptedWorkRow.objects.filter(worker=user).select_related(
        "worker", "batch", "batch__organisation"
    )
    return [_as_accepted(row) for row in rows.order_by("-accepted_at", "-id")]


def pay_owed(batch: Batch) -> dict[int, Decimal]:
    """Worker id → pay owed for an accepted batch: accepted items × pay per item."""
    return {row.worker_id: row.amount for row in AcceptedWorkRow.objects.filter(batch=batch)}


@transaction.atomic
def accept_batch(*, principal: Principal, batch: Batch) -> list[AcceptedWork]:
    """The enterprise accepts a closed batch: results are computed one last time and fixed,
    and each worker's accepted work (their work answers that were not discarded) is recorded
    with its pay and added as verified work to their skill record; ``batch_accepted`` is sent
    (proofs of work issue each worker's credential)."""
    from nomadcloud.talent.services import record_verified_work

    user = require_person(principal)
    require_write(principal)
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != Status.CLOSED:
        raise Conflict(_("Close the batch before accepting it."), code="not_closed")
    _aggregate(locked)
    now = timezone.now()
    skills = list(locked.skills.select_related("concept").order_by("concept__code"))
    skill_json = [{"code": s.concept.code, "level": s.level} for s in skills]
    counts = dict(
        Answer.objects.filter(batch=locked, phase=Assignment.Phase.WORK, discarded=False)
        .values("worker_id")
        .annotate(n=Count("id"))
        .values_list("worker_id", "n")
    )
    states = (
        BatchWorker.objects.filter(batch=locked)
        .exclude(status=BatchWorker.Status.BLOCKED)
        .select_related("worker")
        .order_by("id")
    )
    rows = []
    for state in states:
        items = int(counts.get(state.worker_id, 0))
        if not items:
            continue
        accuracy = state.known_accuracy
        rows.append(
            AcceptedWorkRow(
                batch=locked,
                worker=state.worker,
                items_accepted=items,
                accuracy=round(accuracy, 6) if accuracy is not None else None,
                agreement=state.agreement,
                pay_per_item=locked.pay_per_item,
                amount=locked.pay_per_item * items,
                skills=skill_json,
                accepted_at=now,
            )
        )
    AcceptedWorkRow.objects.bulk_create(rows)
    locked.status = Status.ACCEPTED
    locked.accepted_at = now
    locked.accepted_by = user
    locked.save(update_fields=["status", "accepted_at", "accepted_by"])
    _event(locked, Status.CLOSED, Status.ACCEPTED, user)
    for row in rows:
        notify(
            row.worker,
            "datatasks.accepted",
            params={
                "batch": _title(locked),
                "enterprise": _title(locked.organisation, "name"),
                "items": row.items_accepted,
                "amount": format_cny(row.amount),
            },
            url=_url(locked),
        )
        if skills:
            record_verified_work(
                user=row.worker,
                skills=[(s.concept, s.level) for s in skills],
                source="datatask",
                reference=str(locked.public_id),
                occurred_at=now,
            )
    audit.record(
        actor=user,
        action="datatasks.batch.accept",
        obj=locked,
        organisation=locked.organisation,
        before={"status": Status.CLOSED},
        after={
            "status": Status.ACCEPTED,
            "workers": len(rows),
            "items_accepted": sum(r.items_accepted for r in rows),
            "pay_total": str(sum((r.amount for r in rows), Decimal("0.00"))),
        },
        token=principal.token,
    )
    # Proofs of work issue each worker's credential, and points credit the work units.
    events.batch_accepted.send(events.payload(locked, rows, [s.concept for s in skills]))
    return accepted_work(locked)
