"""What the data-task pages share: page sizes and the person or principal of a request."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal

PAGE_SIZE = 20
ITEMS_PAGE_SIZE = 50
View = Callable[..., HttpResponse]


def _principal(request: HttpRequest) -> Principal:
    return Principal.of(request)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]
