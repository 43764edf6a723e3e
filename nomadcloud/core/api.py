"""What every API router shares: the one error envelope with localized messages, and cursor
pagination. Authentication is in ``accounts/auth.py`` (the credentials are accounts')."""

from __future__ import annotations

import base64
import binascii
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.pagination import PaginationBase

from nomadcloud.core.errors import DomainError


class ErrorOut(Schema):
    code: str
    message: str
    fields: dict[str, list[str]] = Field(default_factory=dict)


ERROR_RESPONSES: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ErrorOut,
}


def envelope(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str,
    message: str,
    fields: dict[str, list[str]] | None = None,
) -> HttpResponse:
    return api.create_response(
        request, {"code": code, "message": message, "fields": fields or {}}, status=status
    )


# A validator's own refusal, already localized (``core.inputs.refuse``): passed through as is.
LOCALIZED_ERROR = "localized"


# pydantic error types → localized messages (pydantic's own texts are English only)
def message_for(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind == LOCALIZED_ERROR and ctx.get("message"):
        return str(ctx["message"])
    if kind == "missing":
        return _("This field is required.")
    if kind in {"string_too_long", "too_long"}:
        return _("Too long: at most %(n)s.") % {"n": ctx.get("max_length", "?")}
    if kind in {"string_too_short", "too_short"}:
        return _("Too short: at least %(n)s.") % {"n": ctx.get("min_length", "?")}
    if kind in {"int_parsing", "int_type", "int_from_float"}:
        return _("Enter a whole number.")
    if kind in {"bool_parsing", "bool_type"}:
        return _("Enter true or false.")
    if kind in {"date_parsing", "date_from_datetime_parsing", "date_type"}:
        return _("Enter a date as YYYY-MM-DD.")
    if kind in {"uuid_parsing", "uuid_type"}:
        return _("Enter a valid identifier.")
    if kind in {"greater_than_equal", "greater_than"}:
        return _("Must be at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt", "?"))}
    if kind in {"less_than_equal", "less_than"}:
        return _("Must be at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt", "?"))}
    if kind == "enum" or kind == "literal_error":
        return _("Choose one of: %(choices)s.") % {"choices": ctx.get("expected", "")}
    if kind in {"string_type", "dict_type", "list_type", "model_type", "model_attributes_type"}:
        return _("This value has the wrong type.")
    if kind == "json_invalid":
        return _("The request body is not valid JSON.")
    if kind == "value_error":
        return _("This value is not valid.")
    return _("This value is not valid.")


def field_name(loc: Any) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie", "form")]
    if parts and parts[0] in {"payload", "data", "filters", "pagination"}:
        parts = parts[1:]
    return ".".join(parts) or "__all__"


def install_error_handlers(api: NinjaAPI) -> None:
    @api.exception_handler(DomainError)
    def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
        return envelope(api, request, exc.status, exc.code, exc.message, exc.fields)

    @api.exception_handler(ValidationError)
    def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for error in exc.errors:
            fields.setdefault(field_name(error.get("loc", ())), []).append(message_for(error))
        return envelope(api, request, 422, "invalid_input", _("Some fields are not valid."), fields)

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
        return envelope(
            api,
            request,
            401,
            "not_authenticated",
            _("Sign in, or send a valid token as 'Authorization: Bearer …'."),
        )

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
        return envelope(api, request, 404, "not_found", _("Not found."))

    @api.exception_handler(PermissionDenied)
    def forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
        return envelope(api, request, 403, "forbidden", _("You may not do this."))

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        cause = exc.__cause__
        if isinstance(cause, DomainError):  # the body parser's refusal (core/jsonsafe.py)
            return envelope(api, request, cause.status, cause.code, cause.message, cause.fields)
        if exc.status_code == 403:  # ninja's CSRF refusal for browser sessions
            return envelope(
                api,
                request,
                403,
                "csrf_failed",
                _("The form's security token is missing or old; reload the page."),
            )
        message = _("The request could not be read.") if exc.status_code == 400 else str(exc)
        return envelope(api, request, exc.status_code, "http_error", message)

    @api.exception_handler(RequestDataTooBig)
    def too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        # A body over DATA_UPLOAD_MAX_MEMORY_SIZE is raised while ninja reads it; unhandled,
        # Django answered an API client with the HTML 400 page instead of the envelope.
        return envelope(api, request, 400, "http_error", _("The request could not be read."))


class CursorPagination(PaginationBase):
    """Newest first, by primary key; ``next_cursor`` is opaque and stable under inserts."""

    class Input(Schema):
        cursor: str | None = Field(None, max_length=64)
        limit: int = Field(50, ge=1, le=200)

    class Output(Schema):
        items: list[Any]
        next_cursor: str | None

    items_attribute = "items"

    def paginate_queryset(
        self, queryset: QuerySet[Any], pagination: Any, request: HttpRequest, **params: Any
    ) -> dict[str, Any]:
        ordered = queryset.order_by("-pk")
        if pagination.cursor:
            ordered = ordered.filter(pk__lt=decode_cursor(pagination.cursor))
        rows = list(ordered[: pagination.limit + 1])
        more = len(rows) > pagination.limit
        rows = rows[: pagination.limit]
        return {"items": rows, "next_cursor": encode_cursor(rows[-1].pk) if more else None}


def encode_cursor(pk: int) -> str:
    return base64.urlsafe_b64encode(f"pk:{pk}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    from nomadcloud.core.errors import invalid_field

    try:
        text = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        kind, _sep, value = text.partition(":")
        if kind != "pk":
            raise ValueError(kind)
        return int(value)
    except (ValueError, UnicodeDecodeError, binascii.Error):
        raise invalid_field(
            "cursor", _("This cursor is not valid; start from the first page.")
        ) from None
