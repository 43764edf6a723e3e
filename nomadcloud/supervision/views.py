"""Pages of supervision: the task list (the office sees every task, a unit the tasks it is
on, with its open notices), the plan import (propose, then confirm) and a task with the
actions its viewer may take now (transitions.py)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import DomainError, Forbidden
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.supervision import access, evaluation, importer, services
from nomadcloud.supervision.forms import (
    AssignForm,
    CompletionForm,
    EvaluationImportForm,
    ExtensionForm,
    ImportForm,
    InstructionForm,
    ReasonForm,
    ReportForm,
)
from nomadcloud.supervision.models import Notice, Task
from nomadcloud.supervision.transitions import TRANSITIONS

MAX_PLAN = 2 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@login_required
@domain_errors
def task_list(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    office = access.is_office(user)
    units = access.units_of(user)
    if not office and not units:
        raise Forbidden(_("Only the office and the units on a plan see its tasks."))
    tasks = Task.objects.select_related("plan").prefetch_related("leads", "responsibles")
    notices = Notice.objects.select_related("task", "unit").filter(responded_at__isnull=True)
    if not office:
        tasks = tasks.filter(Q(leads__in=units) | Q(responsibles__in=units)).distinct()
        notices = notices.filter(unit__in=units)
    return render(
        request,
        "supervision/list.html",
        {"tasks": list(tasks[:500]), "notices": list(notices[:200]), "office": office},
    )


@login_required
@domain_errors
def import_plan(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    access.require_office(user)
    form = ImportForm(request.POST or None, request.FILES or None)
    proposed: list[importer.Resolved] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_PLAN:
                raise importer.ImportRefused([_("The file is larger than 2 MB.")])
            try:
                text = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError:
                raise importer.ImportRefused([_("The file is not UTF-8 text.")]) from None
            proposed = importer.import_plan(
                text,
                plan_code=form.cleaned_data["code"],
                title=form.cleaned_data["title"],
                actor=user,
                dry_run=not form.cleaned_data["confirm"],
            )
        except DomainError as exc:
            apply_error(form, exc)
            for message in exc.fields.get("file", []):
                if message != exc.message:
                    form.add_error(None, message)
        else:
            if form.cleaned_data["confirm"]:
                messages.success(
                    request, _("%(n)d tasks created as drafts.") % {"n": len(proposed)}
                )
                return redirect("supervision:list")
    return render(
        request,
        "supervision/import.html",
        {"form": form, "proposed": proposed},
        status=form_status(form),
    )


ACTIONS: dict[str, type[forms.Form]] = {
    "assign": AssignForm,
    "acknowledge": forms.Form,
    "report": ReportForm,
    "report_completion": CompletionForm,
    "verify": ReasonForm,
    "return": ReasonForm,
    "close": forms.Form,
    "request_extension": ExtensionForm,
    "approve_extension": ReasonForm,
    "refuse_extension": ReasonForm,
    "instruct": InstructionForm,
}


LABELS = {
    "assign": gettext_lazy("Assign (交办)"),
    "acknowledge": gettext_lazy("Acknowledge (签收)"),
    "report": gettext_lazy("Report progress"),
    "report_completion": gettext_lazy("Report completion (办结报告)"),
    "verify": gettext_lazy("Verify (督查核实)"),
    "return": gettext_lazy("Return (退办)"),
    "close": gettext_lazy("Close (销号)"),
    "request_extension": gettext_lazy("Request an extension"),
    "approve_extension": gettext_lazy("Approve the extension"),
    "refuse_extension": gettext_lazy("Refuse the extension"),
    "instruct": gettext_lazy("Give an instruction (批示)"),
}


def _run(action: str, task: Task, user: User, data: dict[str, Any]) -> None:
    if action == "assign":
        services.assign(task, actor=user, due=data["due"])
    elif action == "acknowledge":
        services.acknowledge(task, actor=user)
    elif action == "report":
        services.report(
            task,
            actor=user,
            progress=data["progress"],
            note=data["note"],
            evidence=data["evidence"],
            reason=data["reason"],
        )
    elif action == "report_completion":
        services.report_completion(task, actor=user, note=data["note"], evidence=data["evidence"])
    elif action == "verify":
        services.verify(task, actor=user, note=data["reason"])
    elif action == "return":
        services.return_task(task, actor=user, reason=data["reason"])
    elif action == "close":
        services.close(task, actor=user)
    elif action == "request_extension":
        services.request_extension(task, actor=user, new_due=data["new_due"], reason=data["reason"])
    elif action in {"approve_extension", "refuse_extension"}:
        services.decide_extension(
            task, actor=user, approve=action == "approve_extension", note=data["reason"]
        )
    elif action == "instruct":
        services.instruct(task, actor=user, text=data["text"])


def _offered(task: Task, user: User) -> list[str]:
    """The actions the viewer may take on the task in its state."""
    office = access.is_office(user)
    mine = {u.pk for u in access.units_of(user)}
    lead = bool(mine & {u.pk for u in task.leads.all()})
    unit = lead or bool(mine & {u.pk for u in task.responsibles.all()})
    who = {"office": office, "leadership": office, "lead": lead, "unit": unit, "system": False}
    offered = [
        name
        for name, rule in TRANSITIONS.items()
        if task.status in rule.sources and who[rule.who] and name != "decide_extension"
    ]
    if office and services.pending_extension(task) is not None:
        offered += ["approve_extension", "refuse_extension"]
    if services.pending_extension(task) is not None and "request_extension" in offered:
        offered.remove("request_extension")
    return offered


@login_required
@domain_errors
def detail(request: HttpRequest, task_id: str) -> HttpResponse:
    user = _user(request)
    task = get_object_or_404(
        Task.objects.select_related("plan").prefetch_related("leads", "responsibles"),
        public_id=task_id,
    )
    if not access.may_see(user, task):
        raise Http404
    offered = _offered(task, user)
    posted = request.POST.get("action", "")
    bound: forms.Form | None = None
    if request.method == "POST":
        if posted not in ACTIONS:
            raise Http404
        bound = ACTIONS[posted](request.POST)
        if bound.is_valid():
            try:
                _run(posted, task, user, bound.cleaned_data)
            except DomainError as exc:
                apply_error(bound, exc)
            else:
                messages.success(request, _("Done."))
                return redirect("supervision:detail", task_id=task.public_id)
    action_forms = [
        (name, LABELS[name], bound if bound is not None and name == posted else ACTIONS[name]())
        for name in offered
    ]
    return render(
        request,
        "supervision/detail.html",
        {
            "task": task,
            "forms": action_forms,
            "events": list(task.events.select_related("unit")),
            "notices": list(task.notices.select_related("unit")),
            "instructions": list(task.instructions.all()),
            "expected": services.expected_progress(task),
            "error_action": posted if bound is not None else "",
        },
        status=form_status(bound) if bound is not None else 200,
    )


@login_required
@domain_errors
def evaluation_page(request: HttpRequest) -> HttpResponse:
    """The quarterly evaluation: per task and per unit, exports, and the import of the sheet
    with the office's quality ratings."""
    user = _user(request)
    access.require_office(user)
    label = request.GET.get("quarter") or evaluation.current_quarter(timezone.localdate())
    period = evaluation.quarter(label)
    form = EvaluationImportForm(request.POST or None, request.FILES or None)
    errors: list[str] = []
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if upload.size > MAX_PLAN:
                raise evaluation.EvaluationRefused([_("The file is larger than 2 MB.")])
            count = evaluation.import_file(upload.name, upload.read(), actor=user)
        except DomainError as exc:
            errors = [m for msgs in exc.fields.values() for m in msgs]
            form.add_error("file", exc.message)
        else:
            messages.success(request, _("%(n)d tasks evaluated.") % {"n": count})
            return redirect(f"{request.path}?quarter={period.label}")
    found = evaluation.rows(period.label)
    return render(
        request,
        "supervision/evaluation.html",
        {
            "quarter": period.label,
            "rows": found,
            "ranking": evaluation.ranking(found),
            "columns": evaluation.COLUMNS,
            "form": form,
            "errors": errors,
        },
        status=form_status(form),
    )


@login_required
@domain_errors
def evaluation_export(request: HttpRequest, fmt: str) -> HttpResponse:
    access.require_office(_user(request))
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    label = request.GET.get("quarter") or evaluation.current_quarter(timezone.localdate())
    found = evaluation.rows(evaluation.quarter(label).label)
    if fmt == "xlsx":
        response = HttpResponse(
            evaluation.export_xlsx(found),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(
            evaluation.export_csv(found), content_type="text/csv; charset=utf-8"
        )
    response["Content-Disposition"] = f'attachment; filename="evaluation-{label}.{fmt}"'
    return response
