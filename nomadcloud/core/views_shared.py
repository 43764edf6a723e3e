"""Pages of the shared core modules: the public 公示 list, a notice with its objection form,
the decision on an objection (whom the owning app names), and the zone operator's holiday
calendar (docs/core-shared.md)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from nomadcloud.core import publicity, workdays
from nomadcloud.core.errors import DomainError
from nomadcloud.core.forms import DecisionForm, HolidayForm, ObjectionForm, YearForm
from nomadcloud.core.models import Holiday, Objection, PublicNotice
from nomadcloud.core.pages import apply_error, domain_errors, form_status


def notices(request: HttpRequest) -> HttpResponse:
    """Open notices, soonest ending first; anyone may read them."""
    rows = list(publicity.open_notices()[:200])
    return render(request, "core/publicity_list.html", {"notices": rows})


@domain_errors
def notice(request: HttpRequest, notice_id: int) -> HttpResponse:
    item = get_object_or_404(PublicNotice, pk=notice_id)
    user = request.user
    form = ObjectionForm(request.POST or None)
    if request.method == "POST":
        if not user.is_authenticated:
            return redirect(f"{reverse('accounts:login')}?{urlencode({'next': request.path})}")
        if form.is_valid():
            try:
                publicity.file_objection(
                    item,
                    actor=user,
                    grounds=form.cleaned_data["grounds"],
                    evidence=form.cleaned_data["evidence"],
                )
            except DomainError as exc:
                apply_error(form, exc)
            else:
                messages.success(request, _("Your objection has been filed."))
                return redirect("core:notice", notice_id=item.pk)
    objections = list(item.objections.order_by("filed_at", "id"))
    decider = publicity.may_decide(user, item)
    return render(
        request,
        "core/publicity_notice.html",
        {
            "notice": item,
            "open": publicity.is_open(item),
            "form": form,
            "subject_url": publicity.subject_url(item),
            "decider": decider,
            "decided": [o for o in objections if o.status != Objection.Status.PENDING],
            "pending_count": sum(o.status == Objection.Status.PENDING for o in objections),
            "mine": [o for o in objections if user.is_authenticated and o.filed_by_id == user.pk],
            "to_decide": [o for o in objections if o.status == Objection.Status.PENDING]
            if decider
            else [],
        },
        status=form_status(form),
    )


@login_required
@domain_errors
def decide(request: HttpRequest, objection_id: int) -> HttpResponse:
    """Only whom the owning app names may see an objection's page; anyone else gets 404."""
    objection = get_object_or_404(
        Objection.objects.select_related("notice", "filed_by"), pk=objection_id
    )
    if not publicity.may_decide(request.user, objection.notice):
        raise Http404
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            publicity.decide_objection(
                objection,
                actor=request.user,  # type: ignore[arg-type]
                upheld=form.cleaned_data["upheld"],
                reason=form.cleaned_data["reason"],
            )
        except DomainError as exc:
            apply_error(form, exc)
        else:
            messages.success(request, _("The decision has been recorded."))
            return redirect("core:notice", notice_id=objection.notice_id)
    return render(
        request,
        "core/publicity_decide.html",
        {"objection": objection, "notice": objection.notice, "form": form},
        status=form_status(form),
    )


@login_required
@domain_errors
def holidays(request: HttpRequest) -> HttpResponse:
    """The zone operator's calendar: a year's holidays and 调休 days, edited by hand, and the
    years loaded. Anyone else gets 404."""
    if not workdays.may_edit_calendar(request.user):
        raise Http404
    try:
        year = int(request.GET.get("year", "") or timezone.localdate().year)
    except ValueError:
        year = timezone.localdate().year
    year = min(max(year, 2000), 2100)
    day_form = HolidayForm(request.POST if request.POST.get("form") == "day" else None)
    year_form = YearForm(request.POST if request.POST.get("form") == "year" else None)
    if request.method == "POST":
        try:
            done = _edit_calendar(request, day_form, year_form)
        except DomainError as exc:
            apply_error(day_form if request.POST.get("form") == "day" else year_form, exc)
        else:
            if done is not None:
                messages.success(request, _("The calendar has been saved."))
                return redirect(f"{reverse('core:holidays')}?year={done}")
    days = Holiday.objects.filter(date__year=year).order_by("date")
    return render(
        request,
        "core/holidays.html",
        {
            "year": year,
            "days": days,
            "loaded": workdays.loaded_years(),
            "year_loaded": year in workdays.loaded_years(),
            "day_form": day_form,
            "year_form": year_form,
            "previous": year - 1,
            "next": year + 1,
        },
        status=form_status(day_form, year_form),
    )


def _edit_calendar(request: HttpRequest, day_form: HolidayForm, year_form: YearForm) -> int | None:
    """Apply the posted edit; the year to show next, or None when a form has errors."""
    kind = request.POST.get("form")
    if kind == "day" and day_form.is_valid():
        data = day_form.cleaned_data
        workdays.set_day(
            data["date"],
            is_working_day=data["is_working_day"],
            name_zh=data["name_zh"],
            name_en=data["name_en"],
            actor=request.user,  # type: ignore[arg-type]
        )
        return int(data["date"].year)
    if kind == "remove":
        try:
            day = dt.date.fromisoformat(request.POST.get("date", ""))
        except ValueError as exc:
            raise Http404 from exc
        workdays.remove_day(day, actor=request.user)  # type: ignore[arg-type]
        return day.year
    if kind == "year" and year_form.is_valid():
        year = int(year_form.cleaned_data["year"])
        workdays.declare_year_loaded(year, actor=request.user)  # type: ignore[arg-type]
        return year
    return None
