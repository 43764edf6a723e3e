"""Public security's registration queue, the visit statistics, and the workspace link to a
community."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from nomadcloud.communities import access, queries, stays, visits
from nomadcloud.communities.forms import (
    VisitsForm,
)
from nomadcloud.communities.models import Community
from nomadcloud.communities.views._common import _p
from nomadcloud.core.pages import domain_errors

# ---- public security, statistics ----------------------------------------------------------


@login_required
@domain_errors
def police(request: HttpRequest) -> HttpResponse:
    access.require_police(_p(request))
    now = timezone.now()
    page = Paginator(queries.police_queue(), 50).get_page(request.GET.get("page"))
    rows = [
        {"r": r, "overdue": stays.is_overdue(r, now), "passport": stays.passport_of(r)}
        for r in page.object_list
    ]
    return render(
        request,
        "communities/police.html",
        {"page": page, "rows": rows, "counts": queries.police_counts(now)},
    )


@login_required
@domain_errors
def visit_statistics(request: HttpRequest) -> HttpResponse:
    access.require_statistics(_p(request))
    today = timezone.localdate()
    form = VisitsForm(
        request.GET or None, initial={"start": today.replace(month=1, day=1), "end": today}
    )
    start, end = today.replace(month=1, day=1), today
    if form.is_bound and form.is_valid() and form.cleaned_data["start"] <= form.cleaned_data["end"]:
        start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    return render(
        request,
        "communities/visits.html",
        {
            "form": form,
            "start": start,
            "end": end,
            "figures": visits.count(start, end),
            "months": visits.by_month(end.year),
            "year": end.year,
            "target": 50000,
            "definition": visits.parameters(),
        },
    )


def workspace_link(community: Community) -> str:
    return reverse("communities:bookings", args=[community.public_id])
