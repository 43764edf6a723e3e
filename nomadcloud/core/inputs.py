"""One typed, immutable input per writing use case.

A use case's input is a frozen pydantic model (a ``Draft``) that states the limits of its
fields once. The API takes it as its request schema (or validates its payload into it); a
page form does only presentation parsing (text to values) and hands its cleaned data to
``draft_from_form``, which validates it with the same model and shows any error on the
form's field in the reader's language. Services take the draft as a keyword-only argument;
rules that need the database or more than one field stay in the service.
"""

from __future__ import annotations

import types
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

import annotated_types
from django import forms
from django.core.exceptions import ValidationError as FormValidationError
from pydantic import BeforeValidator, ConfigDict, ValidationError, WithJsonSchema
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from nomadcloud.core.api import LOCALIZED_ERROR, field_name, message_for
from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.numbers import NumberRefused, parse_decimal
from nomadcloud.core.schemas import Input

D = TypeVar("D", bound="Draft")


class Draft(Input):
    """Base of every use case's typed input: frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def refuse(message: str) -> PydanticCustomError:
    """What a draft's validator raises to refuse a value with its own localized message (the
    API's envelope and the form both show ``message`` as it is)."""
    return PydanticCustomError(LOCALIZED_ERROR, "{message}", {"message": message})


def errors_by_field(exc: ValidationError) -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    for error in exc.errors():
        fields.setdefault(field_name(error.get("loc", ())), []).append(message_for(dict(error)))
    return fields


def parse_draft(model: type[D], data: Mapping[str, Any]) -> D:
    """Validate ``data`` into ``model``; refusal is ``InvalidInput`` naming each field."""
    from django.utils.translation import gettext as _

    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise InvalidInput(_("Some fields are not valid."), fields=errors_by_field(exc)) from exc


def with_changes(model: type[D], current: Mapping[str, Any], changes: Draft) -> D:
    """``current`` (the fields of a full ``model``) with the fields ``changes`` sets: a
    partial update, whose unset fields keep their value. A null puts back the field's
    default (an empty text or list) and is refused where the field has none."""
    given: dict[str, Any] = {}
    for name in changes.model_fields_set:
        value = getattr(changes, name)
        field = model.model_fields[name]
        if value is None and not field.is_required():
            value = field.get_default(call_default_factory=True)
        given[name] = value
    return parse_draft(model, {**current, **given})


def draft_from_form(
    form: forms.Form, model: type[D], *, omit: Iterable[str] = (), **extra: Any
) -> D | None:
    """The form's cleaned data (without the fields in ``omit``, e.g. a file the use case takes
    apart, plus ``extra``) as ``model``, or None with the errors shown on the form (on the
    field when the form has it, else on the form)."""
    left_out = set(omit)
    data = {name: value for name, value in form.cleaned_data.items() if name not in left_out}
    try:
        return model.model_validate({**data, **extra})
    except ValidationError as exc:
        for name, messages in errors_by_field(exc).items():
            target = name.split(".")[0]
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
        return None


def html_limits(model: type[Draft], name: str) -> dict[str, Any]:
    """The browser's hints for a form field (``maxlength``, ``min``, ``max``, ``step``) read
    from the draft's limits, so that a form states no limit of its own."""
    field = model.model_fields[name]
    attrs: dict[str, Any] = {}
    for item in _limits_of(field):
        if isinstance(item, annotated_types.MaxLen):
            attrs["maxlength"] = str(item.max_length)
        elif isinstance(item, annotated_types.Ge):
            attrs["min"] = str(item.ge)
        elif isinstance(item, annotated_types.Le):
            attrs["max"] = str(item.le)
        elif getattr(item, "decimal_places", None) is not None:
            attrs["step"] = str(Decimal(1).scaleb(-item.decimal_places))
    return attrs


def _limits_of(field: FieldInfo) -> Iterator[Any]:
    """The field's constraints, also those inside ``Annotated[...] | None`` (pydantic keeps
    these on the annotation) and inside a ``Field()`` given in ``Annotated``."""
    pending: list[Any] = list(field.metadata)
    hints = [field.annotation]
    while hints:
        hint = hints.pop()
        if get_origin(hint) is Annotated:
            inner, *metadata = get_args(hint)
            pending.extend(metadata)
            hints.append(inner)
        elif get_origin(hint) in (Union, types.UnionType):
            hints.extend(get_args(hint))
    while pending:
        item = pending.pop(0)
        if isinstance(item, FieldInfo):
            pending.extend(item.metadata)
        else:
            yield item


# --- exact decimals (core/numbers.py rules) ----------------------------------------------


@dataclass(frozen=True)
class StrictDecimal(annotated_types.GroupedMetadata):
    """pydantic metadata of an exact decimal input: ``Annotated[Decimal, StrictDecimal(…)]``
    refuses with a localized message per the rules above (the envelope names the field), and
    documents the accepted form in the OpenAPI schema (a plain decimal string, or an
    integer)."""

    max_digits: int
    decimal_places: int
    ge: Decimal | int | None = None
    gt: Decimal | int | None = None
    le: Decimal | int | None = None
    description: str | None = None

    def parse(self, value: object) -> Decimal:
        return parse_decimal(
            value,
            max_digits=self.max_digits,
            decimal_places=self.decimal_places,
            ge=self.ge,
            gt=self.gt,
            le=self.le,
        )

    def __iter__(self) -> Iterator[Any]:
        def strict(value: Any) -> Any:
            if value is None:
                return value
            try:
                return self.parse(value)
            except NumberRefused as exc:
                raise refuse(exc.message) from None

        places = f"(\\.[0-9]{{1,{self.decimal_places}}})?" if self.decimal_places else ""
        sign = "-?" if self.ge is None and self.gt is None else ""
        whole = max(self.max_digits - self.decimal_places, 1)
        schema: dict[str, Any] = {
            "anyOf": [
                {"type": "string", "pattern": f"^{sign}[0-9]{{1,{whole}}}{places}$"},
                {"type": "integer"},
            ]
        }
        if self.description:
            schema["description"] = self.description
        yield BeforeValidator(strict)
        yield WithJsonSchema(schema)


class StrictDecimalField(forms.DecimalField):
    """``forms.DecimalField`` under the same rules (Django's own reads ``1e2`` as 100 and
    ``١٢`` as 12). ``max_digits``/``decimal_places`` default to a CNY amount's."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_digits", 15)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        try:
            return parse_decimal(
                value,
                max_digits=self.max_digits or 28,
                decimal_places=self.decimal_places if self.decimal_places is not None else 6,
                ge=_static(self.min_value),
                le=_static(self.max_value),
            )
        except NumberRefused as exc:
            raise FormValidationError(exc.message, code="invalid") from None


def _static(bound: object) -> Decimal | int | None:
    return bound if isinstance(bound, Decimal | int) else None
