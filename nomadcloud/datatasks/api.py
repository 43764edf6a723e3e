"""The data-processing part of /api/v1/ (来数加工): batches and their items file, results,
corrections, exports and acceptance for the enterprise; joining, assignments and answers
for the nomads who work them. Handlers only translate HTTP to service and query calls.

The items file is sent as the raw body of ``PUT /batches/{id}/items`` (``text/csv`` or
``application/x-ndjson``, or any type with ``?format=csv|jsonl``), so that its size can be
refused before it is read."""

from typing import Any, Literal
from uuid import UUID

from django.http import HttpRequest, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.api import ERROR_RESPONSES, CursorPagination
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.datatasks import access, export, importer, queries, services
from nomadcloud.datatasks.access import Action
from nomadcloud.datatasks.models import AcceptedWork, Batch, BatchWorker
from nomadcloud.datatasks.schemas import (
    AcceptedWorkOut,
    AnswerIn,
    AppealDecisionIn,
    AppealIn,
    AppealOut,
    BatchCreateIn,
    BatchOut,
    BatchPatch,
    ItemDetailOut,
    ItemOut,
    NextOut,
    OverrideIn,
    OwnAnswerOut,
    SubmittedOut,
    TransitionIn,
    WorkerOut,
)

router = Router(tags=["datatasks"])

JSONL_TYPES = frozenset(
    {
        "application/x-ndjson",
        "application/jsonl",
        "application/x-jsonlines",
        "application/jsonlines",
    }
)
FILE_BODY = {
    "requestBody": {
        "required": True,
        "description": "The items file: CSV or JSON Lines, UTF-8.",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
            "text/plain": {"schema": {"type": "string"}},
        },
    }
}
EXPORT_RESPONSE = {
    "responses": {
        200: {
            "description": "The results, one item per row or line.",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    }
}


def _errors(ok: dict[int, Any]) -> dict[int, Any]:
    return {**ok, **ERROR_RESPONSES}


def _organisation(principal: Principal, org_id: UUID | None) -> Organisation:
    key_org = principal.key_organisation
    if org_id is None:
        if key_org is None:
            raise invalid_field(
                "organisation", _("Name the enterprise (its id) the batch belongs to.")
            )
        org_id = key_org.public_id
    return access.enterprise_for(principal, org_id, Action.EDIT)


def _state(principal: Principal, batch: Batch) -> BatchWorker:
    user = require_person(principal)
    state = queries.worker_state(batch, user)
    if state is None:
        raise Conflict(_("Start on this batch first."), code="not_joined")
    return state


# --- batches ----------------------------------------------------------------------------------


class BatchQuery(Schema):
    status: Literal["draft", "open", "closed", "accepted"] | None = None
    organisation: UUID | None = None


@router.get("/batches", response=_errors({200: list[BatchOut]}))
@paginate(CursorPagination)
def list_batches(request: HttpRequest, filters: Query[BatchQuery], **kwargs: Any) -> Any:
    """Your organisations' batches (all of them for the zone operator), open batches you
    can work on, and the batches you worked on."""
    batches = queries.batches_visible_to(Principal.of(request))
    if filters.status:
        batches = batches.filter(status=filters.status)
    if filters.organisation:
        batches = batches.filter(organisation__public_id=filters.organisation)
    return batches


@router.post("/batches", response=_errors({201: BatchOut}))
def create_batch(request: HttpRequest, payload: BatchCreateIn) -> Status[Any]:
    """Create a draft batch; then send its items file to `PUT /batches/{id}/items`."""
    principal = Principal.of(request)
    organisation = _organisation(principal, payload.organisation)
    batch = services.create_batch(
        principal=principal, organisation=organisation, draft=payload.draft()
    )
    return Status(201, batch)


@router.get("/batches/{batch_id}", response=_errors({200: BatchOut}))
def get_batch(request: HttpRequest, batch_id: UUID) -> Any:
    batch, _enterprise = access.batch_for_anyone(Principal.of(request), batch_id)
    return batch


@router.patch("/batches/{batch_id}", response=_errors({200: BatchOut}))
def patch_batch(request: HttpRequest, batch_id: UUID, payload: BatchPatch) -> Any:
    """Change settings: all of them while a draft; titles, instructions and deadline once
    open."""
    principal = Principal.of(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    return services.update_batch(principal=principal, batch=batch, changes=payload)


class ImportQuery(Schema):
    format: Literal["csv", "jsonl"] | None = Field(
        None, description="Needed when the Content-Type does not say it."
    )
    name: str = Field("", max_length=255, description="The file's name, kept for reference.")


def _read_file(request: HttpRequest) -> bytes:
    """The raw body, refused by its declared length before reading when too large."""
    limit = importer.max_bytes()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise importer.size_error(declared)
    data = request.read(limit + 1)
    if len(data) > limit:
        raise importer.size_error(len(data))
    return data


@router.put("/batches/{batch_id}/items", response=_errors({200: BatchOut}), openapi_extra=FILE_BODY)
def import_items(request: HttpRequest, batch_id: UUID, query: Query[ImportQuery]) -> Any:
    """Replace a draft batch's items with the file in the body. The whole file is checked
    first: any problem refuses it (422 `invalid_file`, one message per line in
    `fields.file`) and nothing is stored."""
    principal = Principal.of(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    content_type = (request.content_type or "").lower()
    fmt = query.format or (
        "csv" if content_type == "text/csv" else "jsonl" if content_type in JSONL_TYPES else ""
    )
    if not fmt:
        raise invalid_field("format", _("Say the file's format: ?format=csv or ?format=jsonl."))
    data = _read_file(request)
    upload = services.Upload(name=query.name or f"items.{fmt}", data=data, format=fmt)
    return services.import_items(principal=principal, batch=batch, upload=upload)


@router.post("/batches/{batch_id}/status", response=_errors({200: BatchOut}))
def change_status(request: HttpRequest, batch_id: UUID, payload: TransitionIn) -> Any:
    """Open (draft → open), close (open → closed; results are aggregated) or open again."""
    principal = Principal.of(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    return services.change_status(
        principal=principal, batch=batch, status=payload.status, note=payload.note
    )


@router.post("/batches/{batch_id}/aggregate", response=_errors({200: BatchOut}))
def aggregate(request: HttpRequest, batch_id: UUID) -> Any:
    """Compute the results again from the answers so far; agreement is in `quality`."""
    principal = Principal.of(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    return services.aggregate_batch(principal=principal, batch=batch)


@router.post("/batches/{batch_id}/accept", response=_errors({200: list[AcceptedWorkOut]}))
def accept(request: HttpRequest, batch_id: UUID) -> Any:
    """Accept a closed batch: fixes each worker's accepted work and pay, and adds the
    batch's skills to their skill records as verified work."""
    principal = Principal.of(request)
    batch = access.batch_for(principal, batch_id, Action.ACCEPT)
    services.accept_batch(principal=principal, batch=batch)
    return list(queries.accepted_rows_of(batch))


class ItemQuery(Schema):
    kind: Literal["gold", "regular", "overridden", "unanswered"] | None = None
    max_confidence: float | None = Field(None, ge=0, le=1)
    q: str = Field("", max_length=100)


@router.get("/batches/{batch_id}/items", response=_errors({200: list[ItemOut]}))
@paginate(CursorPagination)
def list_items(
    request: HttpRequest, batch_id: UUID, filters: Query[ItemQuery], **kwargs: Any
) -> Any:
    batch = access.batch_for(Principal.of(request), batch_id, Action.VIEW)
    return queries.items_for_review(
        batch,
        queries.ItemFilters(
            kind=filters.kind or "", max_confidence=filters.max_confidence, q=filters.q.strip()
        ),
    )


@router.get("/batches/{batch_id}/items/{item_id}", response=_errors({200: ItemDetailOut}))
def get_item(request: HttpRequest, batch_id: UUID, item_id: int) -> Any:
    """One item with every answer and correction (for auditing)."""
    batch = access.batch_for(Principal.of(request), batch_id, Action.VIEW)
    return access.item_for(batch, item_id)


@router.post("/batches/{batch_id}/items/{item_id}/override", response=_errors({200: ItemDetailOut}))
def override(request: HttpRequest, batch_id: UUID, item_id: int, payload: OverrideIn) -> Any:
    """Correct an item's result (the aggregated result and earlier corrections are kept)."""
    principal = Principal.of(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    item = access.item_for(batch, item_id)
    return services.override_result(
        principal=principal,
        item=item,
        value=payload.value_for(batch.task_type),
        reason=payload.reason,
    )


@router.get("/batches/{batch_id}/workers", response=_errors({200: list[WorkerOut]}))
@paginate(CursorPagination)
def list_workers(request: HttpRequest, batch_id: UUID, **kwargs: Any) -> Any:
    batch = access.batch_for(Principal.of(request), batch_id, Action.VIEW)
    return queries.workers_of(batch)


@router.get("/batches/{batch_id}/accepted-work", response=_errors({200: list[AcceptedWorkOut]}))
@paginate(CursorPagination)
def list_accepted_work(request: HttpRequest, batch_id: UUID, **kwargs: Any) -> Any:
    """Each worker's accepted work and pay owed (after acceptance)."""
    batch = access.batch_for(Principal.of(request), batch_id, Action.VIEW)
    return queries.accepted_rows_of(batch)


class ExportQuery(Schema):
    format: Literal["csv", "jsonl"] = "csv"


@router.get("/batches/{batch_id}/export", response=ERROR_RESPONSES, openapi_extra=EXPORT_RESPONSE)
def export_results(
    request: HttpRequest, batch_id: UUID, query: Query[ExportQuery]
) -> HttpResponseBase:
    """The results as CSV or JSON Lines (see docs/datatasks.md for the columns)."""
    batch = access.batch_for(Principal.of(request), batch_id, Action.VIEW)
    return export_response(batch, query.format)


def export_response(batch: Batch, fmt: str) -> StreamingHttpResponse:
    if fmt == "jsonl":
        response = StreamingHttpResponse(
            export.jsonl_lines(batch), content_type="application/x-ndjson; charset=utf-8"
        )
    else:
        response = StreamingHttpResponse(
            export.csv_rows(batch), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(batch, fmt)}"'
    return response


# --- working ----------------------------------------------------------------------------------


@router.post("/batches/{batch_id}/join", response=_errors({200: WorkerOut}))
def join(request: HttpRequest, batch_id: UUID) -> Any:
    """Start on an open batch (with its qualification test, if it has one)."""
    principal = Principal.of(request)
    batch = access.batch_for_worker(principal, batch_id)
    return services.join_batch(principal=principal, batch=batch)


@router.get("/batches/{batch_id}/me", response=_errors({200: WorkerOut}))
def me(request: HttpRequest, batch_id: UUID) -> Any:
    """Your standing on the batch: qualification, gold accuracy, answers, blocked or not."""
    principal = Principal.of(request)
    batch = access.batch_for_worker(principal, batch_id)
    return _state(principal, batch)


@router.post("/batches/{batch_id}/assignments/next", response=_errors({200: NextOut}))
def next_assignment(request: HttpRequest, batch_id: UUID) -> dict[str, Any]:
    """Your current item, or the next one (reserved for you for a short while);
    `assignment` is null when nothing is left for you."""
    principal = Principal.of(request)
    batch = access.batch_for_worker(principal, batch_id)
    assignment = services.next_assignment(principal=principal, batch=batch)
    return {"assignment": assignment, "state": _state(principal, batch)}


@router.post(
    "/batches/{batch_id}/assignments/{assignment_id}/answer",
    response=_errors({201: SubmittedOut}),
)
def answer(
    request: HttpRequest, batch_id: UUID, assignment_id: int, payload: AnswerIn
) -> Status[Any]:
    """Answer your assigned item, with the field that fits the task type."""
    principal = Principal.of(request)
    batch = access.batch_for_worker(principal, batch_id)
    assignment = access.assignment_for(principal, batch, assignment_id)
    submitted = services.submit_answer(
        principal=principal, assignment=assignment, value=payload.value_for(batch.task_type)
    )
    return Status(
        201,
        {
            "answer": submitted.answer,
            "state": submitted.state,
            "feedback": submitted.feedback,
            "warning": submitted.warning,
        },
    )


@router.post("/batches/{batch_id}/assignments/{assignment_id}/skip", response=_errors({204: None}))
def skip(request: HttpRequest, batch_id: UUID, assignment_id: int) -> Status[Any]:
    """Pass on your assigned item; it will not come back to you."""
    principal = Principal.of(request)
    batch = access.batch_for_worker(principal, batch_id)
    assignment = access.assignment_for(principal, batch, assignment_id)
    services.skip_assignment(principal=principal, assignment=assignment)
    return Status(204, None)


@router.get("/batches/{batch_id}/answers", response=_errors({200: list[OwnAnswerOut]}))
@paginate(CursorPagination)
def own_answers(request: HttpRequest, batch_id: UUID, **kwargs: Any) -> Any:
    """Your own answers on the batch."""
    principal = Principal.of(request)
    batch = access.batch_for_worker(principal, batch_id)
    return queries.answers_of(batch, require_person(principal))


@router.post("/batches/{batch_id}/answers/{answer_id}/appeal", response=_errors({201: AppealOut}))
def appeal(request: HttpRequest, batch_id: UUID, answer_id: int, payload: AppealIn) -> Status[Any]:
    """Appeal the known answer of a gold item you missed; a reviewer of the enterprise
    decides. Refused: `not_gold`, `not_missed`, `already_appealed`, `batch_accepted`."""
    principal = Principal.of(request)
    batch = access.batch_for_worker(principal, batch_id)
    answer = access.answer_for(principal, batch, answer_id)
    return Status(
        201, services.appeal_gold(principal=principal, answer=answer, reason=payload.reason)
    )


@router.get("/batches/{batch_id}/appeals", response=_errors({200: list[AppealOut]}))
@paginate(CursorPagination)
def list_appeals(request: HttpRequest, batch_id: UUID, **kwargs: Any) -> Any:
    """The batch's appeals of gold items, newest first."""
    batch = access.batch_for(Principal.of(request), batch_id, Action.VIEW)
    return queries.appeals_of(batch)


@router.post("/batches/{batch_id}/appeals/{appeal_id}/decision", response=_errors({200: AppealOut}))
def decide(request: HttpRequest, batch_id: UUID, appeal_id: int, payload: AppealDecisionIn) -> Any:
    """Uphold (correcting the gold item; the workers' standing is computed again and a
    worker blocked by it is restored) or reject an appeal. Refused: `already_decided`."""
    principal = Principal.of(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    appeal = access.appeal_for(batch, appeal_id)
    return services.decide_appeal(
        principal=principal,
        appeal=appeal,
        uphold=payload.uphold,
        note=payload.note,
        corrected=payload.value_for(batch.task_type),
    )


@router.get("/accepted-work", response=_errors({200: list[AcceptedWorkOut]}))
@paginate(CursorPagination)
def my_accepted_work(request: HttpRequest, **kwargs: Any) -> Any:
    """Your accepted data work on every batch, with pay owed."""
    user = require_person(Principal.of(request))
    return AcceptedWork.objects.filter(worker=user).select_related("batch", "worker")
