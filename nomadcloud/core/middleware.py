from __future__ import annotations

import re
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import translation

from nomadcloud.core.request_context import channel_var, new_request_id, request_id_var

_REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


class RequestIdMiddleware:
    """Gives each request an id (or keeps a well-formed ``X-Request-ID`` from the proxy)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request_id = incoming if _REQUEST_ID_RE.match(incoming) else new_request_id()
        channel = "api" if request.path.startswith("/api/") else "web"
        id_token = request_id_var.set(request_id)
        channel_token = channel_var.set(channel)
        try:
            response = self.get_response(request)
        finally:
            request_id_var.reset(id_token)
            channel_var.reset(channel_token)
        response["X-Request-ID"] = request_id
        return response


class UserLanguageMiddleware:
    """A signed-in person's preferred language wins over the browser's, unless the person
    has just switched with the language cookie (the switcher saves both)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
            and getattr(user, "preferred_language", "")
        ):
            translation.activate(user.preferred_language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


class RefuseNulMiddleware:
    """Refuse a request whose path or query string holds a NUL character (U+0000): no person
    types one, PostgreSQL text cannot store or compare it (the query fails), and SQLite
    would match nothing. The API answers with its error envelope (422, naming the
    parameter), pages with the 400 page; nothing runs. JSON bodies are checked by
    ``core.schemas.Input`` and form fields by Django's form fields."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        where = _holding_nul(request)
        if where is None:
            return self.get_response(request)
        message = translation.gettext("Text must not contain NUL (U+0000) characters.")
        if request.path.startswith("/api/"):
            return JsonResponse(
                {
                    "code": "invalid_input",
                    "message": translation.gettext("Some fields are not valid."),
                    "fields": {where: [message]},
                },
                status=422,
            )
        return render(request, "400.html", {"reason": message}, status=400)


def _holding_nul(request: HttpRequest) -> str | None:
    """The name of the first query parameter holding NUL (``__path__`` for the path)."""
    if "\x00" in request.path:
        return "__path__"
    for name, values in request.GET.lists():
        if "\x00" in name or any("\x00" in value for value in values):
            return name.replace("\x00", "") or "__query__"
    return None
