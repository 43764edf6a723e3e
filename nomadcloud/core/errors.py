"""Errors that services raise; pages and the API turn them into localized responses.

Messages are built with gettext in the service, so they arrive in the language active for the
request. ``fields`` maps a field name to the list of its messages, as forms and the API's error
envelope both expect.
"""

from __future__ import annotations

from django.utils.functional import Promise


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(
        self,
        message: str | Promise,
        *,
        code: str | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(str(message))
        self.message = str(message)
        if code:
            self.code = code
        self.fields = {name: [str(m) for m in msgs] for name, msgs in (fields or {}).items()}


class InvalidInput(DomainError):
    status = 422
    code = "invalid_input"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Forbidden(DomainError):
    status = 403
    code = "forbidden"


class Conflict(DomainError):
    status = 409
    code = "conflict"


def invalid_field(
    field: str, message: str | Promise, *, code: str = "invalid_input"
) -> InvalidInput:
    """The common case: one field is wrong. Returns the error for the caller to raise."""
    return InvalidInput(message, code=code, fields={field: [str(message)]})
