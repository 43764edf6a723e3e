"""Numbers from outside are parsed strictly (issue 15 item 2): exact decimal strings within
the field's range, no exponents, NaN, Infinity, booleans or floats, ASCII digits only — in
the shared rule (core/numbers.py), in the API schemas and forms that use it, and in the two
places the attacker found 500s (``"1e26"`` as a profile rate and in an application)."""

from __future__ import annotations

import base64
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation
from pydantic import BaseModel

from nomadcloud.core.inputs import StrictDecimal, StrictDecimalField
from nomadcloud.core.money import to_cny
from nomadcloud.core.numbers import NumberRefused, is_ascii_digits, parse_ascii_int, parse_decimal
from nomadcloud.talent.models import Application, Profile
from tests.builders.talent import talent_zone
from tests.conftest import World, client_for
from tests.helpers import api_patch, api_post, assert_error

CNY = {"max_digits": 15, "decimal_places": 2}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", Decimal("12")),
        (" 12.50 ", Decimal("12.50")),
        ("12.500", Decimal("12.50")),  # a trailing zero beyond the places is the same value
        ("-3", Decimal("-3")),
        (7, Decimal("7")),
        (Decimal("1.5"), Decimal("1.5")),
        ("9999999999999.99", Decimal("9999999999999.99")),
    ],
)
def test_plain_decimals_are_taken_exactly(value: Any, expected: Decimal) -> None:
    assert parse_decimal(value, **CNY) == expected


@pytest.mark.parametrize(
    "value",
    [
        "1e26",
        "1E2",
        "NaN",
        "nan",
        "Infinity",
        "-Infinity",
        "0x10",
        "1_000",
        "",
        ".5",
        "5.",
        "1.234",
        "10000000000000",
        "１２",  # fullwidth
        "١٢",  # Arabic-Indic
        "²",
        "12\x00",
        "\ud800",
        True,
        False,
        1.5,
        float("nan"),
        Decimal("NaN"),
        Decimal("Infinity"),
        None,
        [],
        {},
        "9" * 5000,
    ],
)
def test_everything_else_is_refused_with_a_message(value: Any) -> None:
    with pytest.raises(NumberRefused) as refused:
        parse_decimal(value, **CNY)
    assert refused.value.message


@translation.override("en")
def test_bounds_are_the_fields() -> None:
    with pytest.raises(NumberRefused, match="at least 0"):
        parse_decimal("-1", **CNY, ge=0)
    with pytest.raises(NumberRefused, match="more than 0"):
        parse_decimal("0", **CNY, gt=0)
    with pytest.raises(NumberRefused, match="at most 100"):
        parse_decimal("100.01", max_digits=5, decimal_places=2, le=100)
    with pytest.raises(NumberRefused, match="exponent"):
        parse_decimal("1e26", **CNY)
    with pytest.raises(NumberRefused, match="0–9"):
        parse_decimal("١٢", **CNY)
    assert to_cny("12") == Decimal("12.00")
    with pytest.raises(ValueError):
        to_cny("1e26")  # raised InvalidOperation (a 500) from quantize before


def test_ascii_integers() -> None:
    assert parse_ascii_int(" 1700000000 ") == 1_700_000_000
    for text in ("²", "١٢", "１２", "-1", "1e3", "", "1" * 19):
        with pytest.raises(NumberRefused):
            parse_ascii_int(text)
        assert not is_ascii_digits(text) or len(text) > 18
    assert "²".isdigit()  # why the helper exists


def test_the_schema_type_names_the_field_and_documents_the_form() -> None:

    from typing import Annotated

    class Priced(BaseModel):
        amount: Annotated[Decimal, StrictDecimal(max_digits=15, decimal_places=2, ge=0)]

    assert Priced(amount="12.50").amount == Decimal("12.50")
    for bad in ("1e26", True, 1.5, "NaN", "٣"):
        with pytest.raises(ValueError) as refused:
            Priced(amount=bad)
        assert refused.value.errors()[0]["loc"] == ("amount",)  # type: ignore[attr-defined]
    schema = Priced.model_json_schema()["properties"]["amount"]
    assert schema["anyOf"][0]["pattern"] == "^[0-9]{1,13}(\\.[0-9]{1,2})?$"


def test_the_form_field_follows_the_same_rules() -> None:
    from django import forms

    class Form(forms.Form):
        amount = StrictDecimalField(min_value=0)

    assert Form({"amount": "12.5"}).is_valid()
    for bad in ("1e2", "١٢", "NaN", "-1", "1.234"):
        form = Form({"amount": bad})
        assert not form.is_valid()
        assert form.errors["amount"]


# --- the findings, through the real API -----------------------------------------------------


def test_1e26_as_a_profile_rate_is_a_422_naming_the_field(world: World) -> None:
    talent_zone(world)
    for rate in ("1e26", "NaN", "Infinity", True, "١٢"):
        answer = api_patch(
            world.rita, "/api/v1/talent/me/profile", {"rate_amount": rate, "rate_unit": "hour"}
        )
        if isinstance(rate, bool):
            assert answer.status_code == 422, answer.content
            continue
        envelope = assert_error(answer, "invalid_input", "rate_amount")
        assert envelope["fields"]["rate_amount"]
    assert not Profile.objects.filter(rate_amount__isnull=False, user=world.rita).exists()


def test_1e26_in_an_application_is_a_422_naming_the_field(world: World) -> None:
    talent_zone(world)
    before = Application.objects.count()
    pdf = base64.b64encode(b"%PDF-1.4\n%%EOF\n").decode()
    for amount in ("1e26", "NaN", True, "²"):
        answer = api_post(
            client_for(world.charlie),
            "/api/v1/talent/applications",
            {
                "track": "domestic",
                "remote_income_cny_12m": amount,
                "clients_outside_city": 1,
                "planned_stay_days": 100,
                "evidence": [{"kind": "income", "file_name": "tax.pdf", "content_base64": pdf}],
            },
        )
        assert answer.status_code == 422, answer.content
        assert "remote_income_cny_12m" in answer.json()["fields"]
    assert Application.objects.count() == before
