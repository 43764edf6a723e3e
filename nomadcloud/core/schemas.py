"""Base types for API input: JSON objects only, dates only as ISO strings.

ninja's Schema reads attributes from any object, so without this a JSON array or a number
would pass as an object whose fields are all defaults; pydantic's lax mode would read a
number as a date (seconds since 1970). Both are refused here with the envelope's 422.
"""

from datetime import date
from typing import Annotated, Any

from ninja import Schema
from pydantic import BeforeValidator, model_validator


class Input(Schema):
    @model_validator(mode="before")
    @classmethod
    def _must_be_an_object(cls, data: Any) -> Any:
        wrapped = getattr(data, "_obj", data)  # ninja wraps input in a DjangoGetter
        if not isinstance(wrapped, dict):
            raise ValueError("expected a JSON object")
        return data


def _iso_date_string(value: Any) -> Any:
    if value is not None and not isinstance(value, str | date):
        raise ValueError("expected a date as YYYY-MM-DD")
    return value


IsoDate = Annotated[date, BeforeValidator(_iso_date_string)]
