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
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from django import forms
from pydantic import ConfigDict, ValidationError
from pydantic.fields import FieldInfo
from pydantic_core import PydanticCustomError

from nomadcloud.core.api import LOCALIZED_ERROR, field_name, message_for
from nomadcloud.core.errors import InvalidInput
from nomadcloud.core.schemas import Input

D = TypeVar("D", bound="Draft")


class Draft(Input):
    """Base of every use case's typed input: frozen, unknown fields refused."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def refuse(message: str) -> PydanticCustomError:
    """What a draft's validator raises to refuse a value with its own localized message (the
    API's envelope and the form both show ``message`` as it is)."""
    return PydanticCustomError(LOCALIZED_ERROR, "{message}", {"message": message})


def strip(value: Any) -> Any:
    """Before-validator for text: surrounding blanks are not part of the value."""
    return value.strip() if isinstance(value, str) else value


def widget_attrs(model: type[Draft], name: str) -> dict[str, str]:
    """The HTML attributes (maxlength, min, max, step) that show a draft field's limits on a
    form's widget, so that the form states no limit of its own."""
    limits = _limits(model.model_fields[name])
    attrs: dict[str, str] = {}
    for limit, attr in (("max_length", "maxlength"), ("ge", "min"), ("le", "max")):
        if limit in limits:
            attrs[attr] = str(limits[limit])
    if "decimal_places" in limits:
        attrs["step"] = str(Decimal(1).scaleb(-int(limits["decimal_places"]))).lower()
    return attrs


def _limits(field: FieldInfo) -> dict[str, Any]:
    found: dict[str, Any] = {}

    def visit(items: Iterable[Any]) -> None:
        for item in items:
            if isinstance(item, FieldInfo):
                visit(item.metadata)
                continue
            for limit in ("max_length", "ge", "le", "decimal_places"):
                value = getattr(item, limit, None)
                if value is not None:
                    found.setdefault(limit, value)

    visit(field.metadata)
    pending = [field.annotation]
    while pending:  # limits inside ``Annotated[...] | None`` stay on the annotation
        hint = pending.pop()
        if get_origin(hint) is Annotated:
            inner, *metadata = get_args(hint)
            visit(metadata)
            pending.append(inner)
        elif get_origin(hint) in (Union, types.UnionType):
            pending.extend(get_args(hint))
    return found


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


def patched(model: type[D], current: Mapping[str, Any], patch: Draft) -> D:
    """``model`` with the fields ``patch`` sets (``model_fields_set``) over ``current``; a field
    set to None takes its default in ``model`` (a required one is refused). The whole draft is
    validated again, so the rules stated on it hold for the result."""
    # Plain values: ``Input`` takes nested models only as JSON objects.
    changes = patch.model_dump(include=patch.model_fields_set)
    for name, value in changes.items():
        field = model.model_fields[name]
        if value is None and not field.is_required():
            changes[name] = field.get_default(call_default_factory=True)
    return parse_draft(model, {**current, **changes})


def draft_from_form(
    form: forms.Form, model: type[D], *, omit: Iterable[str] = (), **extra: Any
) -> D | None:
    """The form's cleaned data (without the fields in ``omit``, e.g. a file the use case takes
    apart, plus ``extra``) as ``model``, or None with the errors shown on the form (on the
    field when the form has it, else on the form)."""
    data = {name: value for name, value in form.cleaned_data.items() if name not in set(omit)}
    try:
        return model.model_validate({**data, **extra})
    except ValidationError as exc:
        for name, messages in errors_by_field(exc).items():
            target = name.split(".")[0]
            for message in messages:
                form.add_error(target if target in form.fields else None, message)
        return None
