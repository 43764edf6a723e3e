"""Pages of the dashboard: the leadership screen (大屏) and its JSON, the public view of
published figures, the department page (report a figure, import a statistics file, approve,
publish, the drill-down list) and the exports in the import format."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts.access import is_zone_operator
from nomadcloud.accounts.models import User
from nomadcloud.core import indicators
from nomadcloud.core.errors import DomainError
from nomadcloud.core.pages import apply_error, domain_errors, form_status
from nomadcloud.dashboard import access, queries, services
from nomadcloud.dashboard.forms import FigureForm, ImportForm
from nomadcloud.dashboard.models import Observation

MAX_UPLOAD = 5 * 1024 * 1024


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _zh() -> bool:
    return (get_language() or "zh-hans").lower().startswith("zh")


def _codes(user: User) -> list[str]:
    return access.visible_indicators(user, queries.official_codes())


@login_required
@domain_errors
def screen(request: HttpRequest) -> HttpResponse:
    """The leadership screen: 1920×1080, dark, refreshing itself from ``screen.json``."""
    access.require_screen(_user(request))
    data = queries.screen(public=False)
    return render(request, "dashboard/screen.html", {"data": data, "public": False})


@login_required
@domain_errors
def screen_json(request: HttpRequest) -> HttpResponse:
    access.require_screen(_user(request))
    return JsonResponse(queries.screen(public=False), json_dumps_params={"ensure_ascii": False})


def public(request: HttpRequest) -> HttpResponse:
    data = queries.screen(public=True)
    return render(request, "dashboard/public.html", {"data": data, "public": True})


def public_json(request: HttpRequest) -> HttpResponse:
    return JsonResponse(queries.screen(public=True), json_dumps_params={"ensure_ascii": False})


@login_required
@domain_errors
def figures(request: HttpRequest) -> HttpResponse:
    """A department's figures: report one, import a file, approve and publish, the list."""
    user = _user(request)
    access.require_screen(user)
    codes = _codes(user)
    posted = request.POST.get("form")
    form = FigureForm(request.POST if posted == "figure" else None, codes=codes, language_zh=_zh())
    upload = ImportForm(
        request.POST if posted == "import" else None,
        request.FILES if posted == "import" else None,
    )
    import_errors: list[str] = []
    if posted == "figure" and form.is_valid():
        data = form.cleaned_data
        try:
            services.submit(
                services.reported(**data),
                actor=user,
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The figure has been submitted."))
            return redirect("dashboard:figures")
    if posted == "import" and upload.is_valid():
        file = upload.cleaned_data["file"]
        if file.size > MAX_UPLOAD:
            upload.add_error("file", _("The file is larger than 5 MB."))
        else:
            try:
                batch = services.import_file(file.name, file.read(), actor=user)
            except DomainError as exc:
                import_errors = [m for msgs in exc.fields.values() for m in msgs]
                upload.add_error("file", exc.message)
            else:
                messages.success(request, _("%(rows)d rows imported.") % {"rows": batch.rows})
                return redirect("dashboard:figures")
    rows = queries.observations_for(codes, public=False)
    decide = {code for code in codes if access.may_approve(user, indicators.get(code))}
    names = {code: indicators.get(code).text() for code in codes}
    context: dict[str, Any] = {
        "form": form,
        "upload": upload,
        "import_errors": import_errors,
        "observations": [(o, names.get(o.indicator, o.indicator)) for o in rows],
        "may_approve": decide,
        "operator": is_zone_operator(user),
        "columns": services.COLUMNS,
    }
    return render(request, "dashboard/figures.html", context, status=form_status(form, upload))


def _export_rows(request: HttpRequest) -> list[Observation]:
    user = request.user
    if isinstance(user, User) and access.may_see_screen(user):
        return [
            o
            for o in queries.observations_for(_codes(user), public=False)
            if o.status != Observation.Status.SUPERSEDED
        ]
    return queries.observations_for(queries.official_codes(), public=True)


def export(request: HttpRequest, fmt: str) -> HttpResponse:
    """The figures the viewer may see, in the import format (CSV or XLSX); the public gets
    the published ones."""
    if fmt not in {"csv", "xlsx"}:
        raise Http404
    rows = _export_rows(request)
    stamp = timezone.localdate().isoformat()
    if fmt == "xlsx":
        response = HttpResponse(
            services.export_xlsx(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    else:
        response = HttpResponse(services.export_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="figures-{stamp}.{fmt}"'
    return response


@login_required
@require_POST
@domain_errors
def decide(request: HttpRequest, observation_id: str, action: str) -> HttpResponse:
    if action not in {"approve", "publish"}:
        raise Http404
    user = _user(request)
    observation = access.observation_for(user, observation_id)
    if action == "approve":
        services.approve(observation, actor=user)
        messages.success(request, _("The figure has been approved."))
    else:
        services.publish(observation, actor=user)
        messages.success(request, _("The figure has been published."))
    return redirect("dashboard:figures")
