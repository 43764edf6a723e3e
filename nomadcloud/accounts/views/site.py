"""Site-wide pages that need a person: the privacy notice and the language switch."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from nomadcloud.accounts import (
    services,
)
from nomadcloud.core.errors import InvalidInput

# --- site-wide pages that need a person: privacy notice, language switch -------------------


def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/privacy.html", {"version": services.PRIVACY_NOTICE_VERSION})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Switch language: remembered in a cookie and, when signed in, on the person."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next", "") or request.headers.get("Referer", "") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    if request.user.is_authenticated:
        try:
            services.set_preferred_language(user=request.user, language=language)
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
