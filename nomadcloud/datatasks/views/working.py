"""The keyboard-driven work page: joining a batch, the next item, answering and skipping."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import (
    Conflict,
    DomainError,
    Forbidden,
    InvalidInput,
    NotFound,
)
from nomadcloud.core.pages import domain_errors
from nomadcloud.datatasks import access, queries, services
from nomadcloud.datatasks.models import Assignment, Batch, BatchWorker
from nomadcloud.datatasks.views._common import _principal, _user

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
