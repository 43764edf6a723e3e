"""Base types for API input: JSON objects only, dates only as ISO strings.

ninja's Schema reads attributes from any object, so without this a JSON array or a number
would pass as an object whose fields are all defaults; pydantic's lax mode would read a
number as a date (seconds since 1970). Both are refused here with the envelope's 422.
"""

from datetime import date
from typing import Annotated, Any

from ninja import Schema
from pydantic import BaseModel, BeforeValidator, model_validator


class Input(Schema):
    @model_validator(mode="before")
    @classmethod
    def _must_be_an_object(cls, data: Any) -> Any:
        wrapped = getattr(data, "_obj", data)  # ninja wraps input in a DjangoGetter
        if isinstance(wrapped, BaseModel):  # a typed input built in code, already checked
            return data
        if not isinstance(wrapped, dict):
            raise ValueError("expected a JSON object")
        if _has_nul(wrapped):  # PostgreSQL text cannot hold it; no person types it
            raise ValueError("text must not contain NUL (U+0000) characters")
        return data


def _has_nul(value: Any, depth: int = 0) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if depth > 32:
        return False
    if isinstance(value, dict):
        return any(_has_nul(k, depth + 1) or _has_nul(v, depth + 1) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v, depth + 1) for v in value)
    return False


def _iso_date_string(value: Any) -> Any:
    if value is not None and not isinstance(value, str | date):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_string)]


def _stripped(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


# Text as people mean it: surrounding blanks are not part of it (limits count without them).
Text = Annotated[str, BeforeValidator(_stripped)]
