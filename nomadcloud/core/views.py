from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from nomadcloud.core import showcase


def _start(request: HttpRequest, target: str) -> str:
    """``target`` for a signed-in person; for a visitor, sign-up that ends there (the intent
    is carried as ``next``, accounts/intent.py)."""
    if request.user.is_authenticated:
        return target
    return f"{reverse('accounts:register')}?{urlencode({'next': target})}"


def home(request: HttpRequest) -> HttpResponse:
    """The zone: where it is, what a nomad finds there, live figures (core/showcase.py), and
    registration that keeps its intent."""
    new_organisation = reverse("accounts:create_organisation")
    context = {
        "figures": showcase.live(),
        "enterprise_url": _start(request, f"{new_organisation}?kind=enterprise"),
        "organisation_url": _start(request, new_organisation),
    }
    return render(request, "core/home.html", context)


@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and readiness: the database answers a query."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure makes the instance unready
        return JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})
