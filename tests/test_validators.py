import pytest
from hypothesis import given
from hypothesis import strategies as st

from nomadcloud.accounts.validators import (
    USCC_ALPHABET,
    is_valid_uscc,
    normalise_phone,
    normalise_uscc,
    uscc_check_character,
)
from nomadcloud.core.errors import InvalidInput

# Published examples of unified social credit codes with valid check characters.
KNOWN_VALID = ["91350100M000100Y43", "91110000600037341L", "91310000717866186P"]


@pytest.mark.parametrize("code", KNOWN_VALID)
def test_published_credit_codes_are_valid(code: str) -> None:
    assert is_valid_uscc(code)
    assert normalise_uscc(code.lower()) == code


def test_a_wrong_check_character_is_refused_with_a_reason() -> None:
    code = KNOWN_VALID[0][:-1] + ("0" if KNOWN_VALID[0][-1] != "0" else "1")
    with pytest.raises(InvalidInput) as caught:
        normalise_uscc(code)
    assert caught.value.code == "invalid_credit_code"
    assert "credit_code" in caught.value.fields


@pytest.mark.parametrize(("raw", "why"), [("9135010", "18"), ("91350100M000100IO3", "I")])
def test_wrong_length_and_letters_are_named(raw: str, why: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_uscc(raw)
    assert why in caught.value.message


body = st.text(alphabet=USCC_ALPHABET, min_size=17, max_size=17)


@given(body, st.integers(min_value=0, max_value=16), st.sampled_from(USCC_ALPHABET))
def test_any_single_character_change_is_detected(first17: str, position: int, other: str) -> None:
    code = first17 + uscc_check_character(first17)
    assert is_valid_uscc(code)
    if other != code[position]:
        changed = code[:position] + other + code[position + 1 :]
        assert not is_valid_uscc(changed)


@pytest.mark.parametrize(
    ("raw", "e164"),
    [
        ("13812345678", "+8613812345678"),
        ("+86 138 1234 5678", "+8613812345678"),
        ("+44 20 7946 0958", "+442079460958"),
        ("+49 30 901820", "+4930901820"),
    ],
)
def test_phone_numbers_become_e164(raw: str, e164: str) -> None:
    assert normalise_phone(raw) == e164


@pytest.mark.parametrize("raw", ["12345", "not a phone", "+86 123", "1381234567890123"])
def test_invalid_phone_numbers_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalise_phone(raw)
    assert caught.value.code == "invalid_phone"
