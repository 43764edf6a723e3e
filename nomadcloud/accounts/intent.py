"""What a visitor set out to do before they had an account ("register an enterprise"): a
``next`` address carried through sign-up, kept in the session across the steps that follow
(contact verification), and used once at the end instead of the workspace.

Only a local path is kept (``url_has_allowed_host_and_scheme``), so the parameter cannot send
anyone to another site."""

from __future__ import annotations

from django.http import HttpRequest
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme

SESSION_KEY = "nomadcloud.intent"
PARAMETER = "next"


def safe_next(request: HttpRequest, value: str | None) -> str:
    """``value`` if it is a path on this site, else ""."""
    if not value or not value.startswith("/") or value.startswith("//"):
        return ""
    if not url_has_allowed_host_and_scheme(
        value, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return ""
    return value


def from_request(request: HttpRequest) -> str:
    """The intent named by the request (a ``next`` field or parameter), or the one kept."""
    named = request.POST.get(PARAMETER) or request.GET.get(PARAMETER)
    return safe_next(request, named) or str(request.session.get(SESSION_KEY, ""))


def keep(request: HttpRequest, value: str) -> None:
    """Remember the intent for the steps after sign-up (e.g. verifying a contact)."""
    if safe_next(request, value):
        request.session[SESSION_KEY] = value


def peek(request: HttpRequest) -> str:
    return str(request.session.get(SESSION_KEY, ""))


def pop(request: HttpRequest, default: str = "accounts:workspace") -> str:
    """Where to go at the end of sign-up: the kept intent (used once), else ``default``."""
    kept = safe_next(request, request.session.pop(SESSION_KEY, None))
    return kept or resolve_url(default)
