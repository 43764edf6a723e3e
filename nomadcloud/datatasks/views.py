"""Pages for data-processing work: the nomads' list of open batches, the enterprise's batches,
creating a batch from a file, the batch page (the enterprise's side and the worker's side),
the keyboard-driven work page, reviewing and correcting results, exports and acceptance.
Views fetch objects through the access chokepoints, parse input with a form and call one
service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import FileUploadHandler, StopUpload
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.access import role_in
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
    invalid_field,
)
from nomadcloud.core.inputs import draft_from_form
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.datatasks import access, importer, queries, services, transitions
from nomadcloud.datatasks.access import Action
from nomadcloud.datatasks.api import export_response
from nomadcloud.datatasks.forms import (
    AppealForm,
    BatchForm,
    CreateBatchForm,
    DecisionForm,
    ItemFilterForm,
    OverrideForm,
    StatusForm,
    UploadForm,
)
from nomadcloud.datatasks.models import Assignment, Batch, BatchWorker, GoldAppeal, Item
from nomadcloud.datatasks.schemas import BatchDraft, BatchPatch

PAGE_SIZE = 20
ITEMS_PAGE_SIZE = 50
View = Callable[..., HttpResponse]


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


# --- uploads: refuse a file that is too large while it arrives ---------------------------------


class LimitedUpload(FileUploadHandler):
    """Stops reading an uploaded file once it passes DATATASKS_MAX_UPLOAD_BYTES, so that a
    1 GB file is never written anywhere; the form then reports the size."""

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self.limit = importer.max_bytes()
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None


def limited_uploads(view: View) -> View:
    """Install ``LimitedUpload`` before the CSRF check reads the body (Django's documented
    pattern: exempt the outer view, protect the inner one)."""
    protected = csrf_protect(view)

    @csrf_exempt
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        handler = LimitedUpload(request)
        request.upload_handlers.insert(0, handler)
        request.datatasks_upload = handler  # type: ignore[attr-defined]
        return protected(request, *args, **kwargs)

    wrapper.__name__ = view.__name__
    wrapper.__doc__ = view.__doc__
    return wrapper


def _upload(request: HttpRequest, form: Any) -> services.Upload | None:
    """The uploaded file, or None with the error put on the form."""
    handler = getattr(request, "datatasks_upload", None)
    if handler is not None and handler.too_large:
        size = int(request.META.get("CONTENT_LENGTH") or 0)
        form.add_error("file", importer.size_error(size).fields["file"][0])
        return None
    if not form.is_valid():
        return None
    file = form.cleaned_data["file"]
    if file.size is not None and file.size > importer.max_bytes():
        form.add_error("file", importer.size_error(file.size).fields["file"][0])
        return None
    return services.Upload(
        name=file.name or "", data=file.read(), format=form.cleaned_data.get("format") or ""
    )


# --- lists ------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Open batches to work on, the person's own batches and accepted work."""
    user = _user(request)
    page = Paginator(queries.open_batches_for(user), PAGE_SIZE).get_page(request.GET.get("page"))
    organisations = [
        m.organisation
        for m in user.memberships.select_related("organisation").filter(
            organisation__kind="enterprise"
        )
    ]
    return render(
        request,
        "datatasks/list.html",
        {
            "page": page,
            "mine": list(queries.batches_worked_by(user)[:50]),
            "accepted": list(queries.accepted_rows_for(user)[:50]),
            "organisations": organisations,
        },
    )


@login_required
@domain_errors
def organisation(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.enterprise_for(principal, org_id, Action.VIEW)
    page = Paginator(queries.batches_of(org), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "datatasks/organisation.html",
        {"org": org, "page": page, "can_edit": access.allows(principal, org, Action.EDIT)},
    )


@login_required
@limited_uploads
@domain_errors
def create(request: HttpRequest, org_id: str) -> HttpResponse:
    principal = _principal(request)
    org = access.enterprise_for(principal, org_id, Action.EDIT)
    form = CreateBatchForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        upload = _upload(request, form)
        # The settings are checked even when the file is refused, as the form always did.
        settings_parsed = not set(form.errors) - {"file", "format"}
        draft = (
            draft_from_form(form, BatchDraft, omit=("file", "format")) if settings_parsed else None
        )
        if upload is not None and draft is not None:
            try:
                batch = services.create_batch(
                    principal=principal, organisation=org, draft=draft, upload=upload
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(
                    request,
                    _("The batch is saved as a draft with %(n)d items.") % {"n": batch.item_count},
                )
                return redirect("datatasks:detail", batch.public_id)
    return render(
        request,
        "datatasks/form.html",
        {"form": form, "org": org, "batch": None},
        status=form_status(form),
    )


# --- one batch --------------------------------------------------------------------------------


@login_required
@domain_errors
def detail(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch, enterprise = access.batch_for_anyone(principal, batch_id)
    if enterprise:
        return _enterprise_detail(request, principal, batch)
    return _worker_detail(request, principal, batch)


def _enterprise_detail(request: HttpRequest, principal: Principal, batch: Batch) -> HttpResponse:
    org = batch.organisation
    can_edit = access.allows(principal, org, Action.EDIT)
    can_review = access.allows(principal, org, Action.REVIEW) and principal.user is not None
    can_accept = access.allows(principal, org, Action.ACCEPT) and principal.user is not None
    allowed = [
        action
        for action, may in (
            (Action.EDIT, can_edit),
            (Action.REVIEW, can_review),
            (Action.ACCEPT, can_accept),
        )
        if may
    ]
    context = {
        "batch": batch,
        "progress": queries.progress(batch),
        "skills": list(batch.skills.select_related("concept")),
        "events": list(batch.events.select_related("actor")),
        "workers": list(queries.workers_of(batch)[:200]),
        "can_edit": can_edit,
        "moves": transitions.moves_for(batch, allowed),
        "next_statuses": [
            (s, Batch.Status(s).label) for s in sorted(services.TRANSITIONS[batch.status])
        ],
        "upload_form": UploadForm(),
        "accepted": list(queries.accepted_rows_of(batch)),
        "total_owed": queries.total_owed(batch),
        "quality": batch.quality or {},
        "per_label_alpha": sorted((batch.quality or {}).get("per_label_alpha", {}).items()),
        "pending_appeals": queries.pending_appeals(batch),
    }
    return render(request, "datatasks/detail.html", context)


def _worker_detail(request: HttpRequest, principal: Principal, batch: Batch) -> HttpResponse:
    user = _user(request)
    state = queries.worker_state(batch, user)
    refusal = ""
    if state is None:
        if role_in(principal, batch.organisation) is not None:
            refusal = _("Members of the enterprise cannot work on its own batches.")
        elif not user.is_nomad:
            refusal = _(
                "Data batches are worked by digital nomads; say that you are one in your "
                "account settings first."
            )
        elif not batch.accepts_answers():
            refusal = _("This batch is not taking new workers.")
    accepted = batch.accepted_work.filter(worker=user).first()
    context = {
        "batch": batch,
        "state": state,
        "refusal": refusal,
        "pending_pay": queries.pending_pay(batch, user) if state else None,
        "blocked_message": (
            queries.blocked_message(state)
            if state and state.status == BatchWorker.Status.BLOCKED
            else ""
        ),
        "accepted": accepted,
        "skills": list(batch.skills.select_related("concept")),
        "gold_answers": list(queries.gold_answers_of(batch, user)) if state else [],
        "can_appeal": batch.status in {Batch.Status.OPEN, Batch.Status.CLOSED},
        "appeal_form": AppealForm(),
    }
    return render(request, "datatasks/worker.html", context)


@login_required
@domain_errors
def edit(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    form = BatchForm(request.POST or None, initial=BatchForm.initial_for(batch))
    changes = draft_from_form(form, BatchPatch) if form.is_valid() else None
    if changes is not None:
        try:
            services.update_batch(principal=principal, batch=batch, changes=changes)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("datatasks:detail", batch.public_id)
    return render(
        request,
        "datatasks/form.html",
        {"form": form, "org": batch.organisation, "batch": batch},
        status=form_status(form),
    )


@login_required
@require_POST
@limited_uploads
@domain_errors
def upload(request: HttpRequest, batch_id: str) -> HttpResponse:
    """Replace a draft's items with a new file."""
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    form = UploadForm(request.POST, request.FILES)
    received = _upload(request, form)
    if received is not None:
        try:
            batch = services.import_items(principal=principal, batch=batch, upload=received)
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("Imported %(n)d items.") % {"n": batch.item_count})
            return redirect("datatasks:detail", batch.public_id)
    return render(
        request,
        "datatasks/upload.html",
        {"form": form, "batch": batch},
        status=422,
    )


@login_required
@require_POST
@domain_errors
def change_status(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.EDIT)
    form = StatusForm(request.POST)
    if not form.is_valid():
        raise InvalidInput(_("Choose a status."))
    status = form.cleaned_data["status"]
    services.change_status(
        principal=principal, batch=batch, status=status, note=form.cleaned_data["note"]
    )
    messages.success(
        request, _("The status is now: %(status)s.") % {"status": Batch.Status(status).label}
    )
    return redirect("datatasks:detail", batch.public_id)


@login_required
@require_POST
@domain_errors
def aggregate(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    services.aggregate_batch(principal=principal, batch=batch)
    messages.success(request, _("The results were computed again."))
    return redirect("datatasks:detail", batch.public_id)


@login_required
@require_POST
@domain_errors
def accept(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.ACCEPT)
    work = services.accept_batch(principal=principal, batch=batch)
    messages.success(
        request,
        _("The batch is accepted: work of %(n)d workers is recorded.") % {"n": len(work)},
    )
    return redirect("datatasks:detail", batch.public_id)


# --- reviewing results ------------------------------------------------------------------------


@login_required
@domain_errors
def items(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.VIEW)
    form = ItemFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    confidence = data.get("max_confidence")
    filters = queries.ItemFilters(
        kind=data.get("kind", ""),
        max_confidence=confidence / 100 if confidence is not None else None,
        q=data.get("q", "").strip(),
    )
    rows = queries.items_for_review(batch, filters).order_by("position")
    page = Paginator(rows, ITEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "datatasks/items.html",
        {"batch": batch, "form": form, "page": page, "query": query.urlencode()},
    )


@login_required
@domain_errors
def item(request: HttpRequest, batch_id: str, item_id: int) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.VIEW)
    the_item = access.item_for(batch, item_id)
    return _item_page(request, principal, batch, the_item, OverrideForm(batch=batch))


def _item_page(
    request: HttpRequest,
    principal: Principal,
    batch: Batch,
    the_item: Item,
    form: OverrideForm,
    status: int = 200,
) -> HttpResponse:
    return render(
        request,
        "datatasks/item.html",
        {
            "batch": batch,
            "item": the_item,
            "answers": list(the_item.answers.select_related("worker").order_by("id")),
            "overrides": list(the_item.overrides.select_related("by").order_by("id")),
            "form": form,
            "can_review": access.allows(principal, batch.organisation, Action.REVIEW)
            and batch.status in {Batch.Status.OPEN, Batch.Status.CLOSED}
            and not the_item.is_gold,
        },
        status=status,
    )


@login_required
@require_POST
@domain_errors
def override(request: HttpRequest, batch_id: str, item_id: int) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    the_item = access.item_for(batch, item_id)
    form = OverrideForm(request.POST, batch=batch)
    if form.is_valid():
        try:
            services.override_result(
                principal=principal,
                item=the_item,
                value=form.cleaned_data["value"],
                reason=form.cleaned_data["reason"],
            )
        except InvalidInput as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The result is corrected."))
            return redirect("datatasks:item", batch.public_id, the_item.pk)
    return _item_page(request, principal, batch, the_item, form, status=422)


def _export(request: HttpRequest, batch_id: str, fmt: str) -> HttpResponseBase:
    try:
        batch = access.batch_for(_principal(request), batch_id, Action.VIEW)
    except NotFound as exc:
        raise Http404(exc.message) from exc
    except Forbidden as exc:
        return render(request, "core/error.html", {"message": exc.message}, status=403)
    return export_response(batch, fmt)


@login_required
@require_GET
def export_csv(request: HttpRequest, batch_id: str) -> HttpResponseBase:
    return _export(request, batch_id, "csv")


@login_required
@require_GET
def export_jsonl(request: HttpRequest, batch_id: str) -> HttpResponseBase:
    return _export(request, batch_id, "jsonl")


# --- working ----------------------------------------------------------------------------------


@login_required
@require_POST
@domain_errors
def join(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for_worker(principal, batch_id)
    services.join_batch(principal=principal, batch=batch)
    return redirect("datatasks:work", batch.public_id)


def _work_context(
    request: HttpRequest,
    batch: Batch,
    assignment: Assignment | None,
    *,
    error: str = "",
    notice: str = "",
    done: bool = False,
    feedback: services.Feedback | None = None,
    warning: str = "",
) -> dict[str, Any]:
    user = _user(request)
    state = queries.worker_state(batch, user)
    item = assignment.item if assignment else None
    return {
        "batch": batch,
        "state": state,
        "assignment": assignment,
        "item": item,
        "choices": [
            (index + 1 if index < 9 else 0, label) for index, label in enumerate(batch.labels)
        ],
        "error": error,
        "notice": notice,
        "done": done,
        "feedback": feedback,
        "warning": warning,
        "blocked_message": (
            queries.blocked_message(state)
            if state and state.status == BatchWorker.Status.BLOCKED
            else ""
        ),
        "answered": queries.answers_of(batch, user).count() if state else 0,
        "pending_pay": queries.pending_pay(batch, user) if state else None,
        "posted": request.POST if error else {},
    }


@login_required
@require_GET
@domain_errors
def work(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The work page: the current item, or a button to take the next one."""
    principal = _principal(request)
    batch = access.batch_for_worker(principal, batch_id)
    assignment = queries.current_assignment(batch, _user(request))
    done = assignment is None and request.GET.get("done") == "1"
    return render(
        request, "datatasks/work.html", _work_context(request, batch, assignment, done=done)
    )


def _work_response(
    request: HttpRequest, batch: Batch, assignment: Assignment | None, **extra: Any
) -> HttpResponse:
    """htmx swaps the work panel (always 200, so that htmx shows a refusal too); a plain
    form post gets the page (422 on a refusal) or a redirect back to it."""
    context = _work_context(request, batch, assignment, **extra)
    refused = bool(extra.get("error"))
    if request.headers.get("HX-Request"):
        return render(request, "datatasks/_work.html", context)
    if not refused:
        target = reverse("datatasks:work", args=[batch.public_id])
        return redirect(target + ("?done=1" if extra.get("done") else ""))
    return render(request, "datatasks/work.html", context, status=422)


def _next(principal: Principal, batch: Batch) -> tuple[Assignment | None, str]:
    """The next assignment, or None with the reason when the worker cannot go on."""
    try:
        return services.next_assignment(principal=principal, batch=batch), ""
    except NotFound:
        raise
    except DomainError as exc:
        return None, exc.message


@login_required
@require_POST
@domain_errors
def next_item(request: HttpRequest, batch_id: str) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for_worker(principal, batch_id)
    assignment, refusal = _next(principal, batch)
    return _work_response(request, batch, assignment, error=refusal, done=assignment is None)


def _posted_value(request: HttpRequest, batch: Batch) -> Any:
    if batch.task_type == Batch.TaskType.SINGLE_LABEL:
        return request.POST.get("label")
    if batch.task_type == Batch.TaskType.MULTI_LABEL:
        return request.POST.getlist("labels")
    if batch.task_type == Batch.TaskType.TRANSCRIPTION:
        return request.POST.get("text", "")
    return request.POST.get("spans", "")


@login_required
@require_POST
@domain_errors
def answer(request: HttpRequest, batch_id: str, assignment_id: int) -> HttpResponse:
    """Record the answer, then hand out the next item in the same response."""
    principal = _principal(request)
    batch = access.batch_for_worker(principal, batch_id)
    assignment = access.assignment_for(principal, batch, assignment_id)
    try:
        submitted = services.submit_answer(
            principal=principal, assignment=assignment, value=_posted_value(request, batch)
        )
    except InvalidInput as exc:
        return _work_response(request, batch, assignment, error=exc.message)
    except (Conflict, Forbidden) as exc:
        return _work_response(request, batch, None, error=exc.message, done=True)
    following, notice = None, ""
    if submitted.state.status in {BatchWorker.Status.QUALIFYING, BatchWorker.Status.QUALIFIED}:
        following, notice = _next(principal, batch)
    return _work_response(
        request,
        batch,
        following,
        notice=notice,
        done=following is None,
        feedback=submitted.feedback,
        warning=submitted.warning,
    )


@login_required
@require_POST
@domain_errors
def skip(request: HttpRequest, batch_id: str, assignment_id: int) -> HttpResponse:
    principal = _principal(request)
    batch = access.batch_for_worker(principal, batch_id)
    assignment = access.assignment_for(principal, batch, assignment_id)
    try:
        services.skip_assignment(principal=principal, assignment=assignment)
    except (Conflict, Forbidden) as exc:
        return _work_response(request, batch, assignment, error=exc.message)
    following, notice = _next(principal, batch)
    return _work_response(request, batch, following, notice=notice, done=following is None)


# --- appeals of gold items ------------------------------------------------------------------


@login_required
@require_POST
@domain_errors
def appeal(request: HttpRequest, batch_id: str, answer_id: int) -> HttpResponse:
    """The worker appeals the known answer of a gold item they missed."""
    principal = _principal(request)
    batch = access.batch_for_worker(principal, batch_id)
    answer = access.answer_for(principal, batch, answer_id)
    form = AppealForm(request.POST)
    if not form.is_valid():
        raise invalid_field("reason", _("Say why you think the known answer is wrong."))
    services.appeal_gold(principal=principal, answer=answer, reason=form.cleaned_data["reason"])
    messages.success(request, _("Your appeal is sent; a reviewer of the enterprise decides it."))
    return redirect("datatasks:detail", batch.public_id)


@login_required
@domain_errors
def appeals(request: HttpRequest, batch_id: str) -> HttpResponse:
    """The enterprise's list of appeals, with a decision form for reviewers."""
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.VIEW)
    can_review = (
        access.allows(principal, batch.organisation, Action.REVIEW)
        and principal.user is not None
        and batch.status in {Batch.Status.OPEN, Batch.Status.CLOSED}
    )
    rows = list(queries.appeals_of(batch)[:200])
    return render(
        request,
        "datatasks/appeals.html",
        {
            "batch": batch,
            "appeals": [
                (
                    a,
                    DecisionForm(batch=batch, auto_id=f"id_a{a.pk}_%s")
                    if can_review and a.status == GoldAppeal.Status.PENDING
                    else None,
                )
                for a in rows
            ],
        },
    )


@login_required
@require_POST
@domain_errors
def decide(request: HttpRequest, batch_id: str, appeal_id: int) -> HttpResponse:
    """A reviewer upholds or rejects an appeal."""
    principal = _principal(request)
    batch = access.batch_for(principal, batch_id, Action.REVIEW)
    the_appeal = access.appeal_for(batch, appeal_id)
    form = DecisionForm(request.POST, batch=batch)
    if not form.is_valid():
        raise invalid_field("decision", _("Choose to uphold or reject the appeal."))
    uphold = form.cleaned_data["decision"] == "uphold"
    corrected = form.cleaned_data.get("value")
    decided = services.decide_appeal(
        principal=principal,
        appeal=the_appeal,
        uphold=uphold,
        note=form.cleaned_data["note"],
        corrected=corrected if corrected not in (None, "", []) else None,
    )
    messages.success(
        request,
        _("The appeal is upheld; the gold item is corrected.")
        if decided.status == GoldAppeal.Status.UPHELD
        else _("The appeal is rejected."),
    )
    return redirect("datatasks:appeals", batch.public_id)
