"""The office's pages of supervision: the plan import (propose, then confirm) and the
quarterly evaluation with its export and the import of the rated sheet."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import User
from nomadcloud.core.errors import DomainError
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.supervision import access, evaluation, importer
from nomadcloud.supervision.forms import EvaluationImportForm, ImportForm
from nomadcloud.supervision.models import Task

MAX_PLAN = 2 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


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
            # The page shows each status in words; the exported sheet keeps its code.
            "rows": [{**row, "STATUS": Task.Status(row["STATUS"]).label} for row in found],
            "ranking": evaluation.ranking(found),
            "columns": [evaluation.HEADINGS[c] for c in evaluation.COLUMNS],
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
