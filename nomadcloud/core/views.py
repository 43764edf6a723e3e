from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST


def home(request: HttpRequest) -> HttpResponse:
    return render(request, "core/home.html")


def privacy(request: HttpRequest) -> HttpResponse:
    from nomadcloud.accounts.services import PRIVACY_NOTICE_VERSION

    return render(request, "core/privacy.html", {"version": PRIVACY_NOTICE_VERSION})


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


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: remembered in a cookie and, when signed in, on the person."""
    from nomadcloud.accounts.services import set_preferred_language
    from nomadcloud.core.errors import InvalidInput

    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "") or request.headers.get("Referer", "") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated:
        try:
            set_preferred_language(user=request.user, language=language)
        except InvalidInput as exc:
            return _unknown_language(request, exc.message)
    elif language not in dict(settings.LANGUAGES):
        return _unknown_language(request, _("Unknown language %(code)s.") % {"code": language[:20]})
    translation.activate(language)
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite="Lax",
        secure=settings.HTTPS,
    )
    return response


def _unknown_language(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "core/error.html", {"message": message}, status=400)
