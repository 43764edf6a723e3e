"""What the account pages share."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import DomainError


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


def _throttled(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return render(request, "core/error.html", {"message": exc.message}, status=exc.status)
