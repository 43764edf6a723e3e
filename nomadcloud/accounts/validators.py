"""Validation of identifiers: mobile numbers (E.164) and China's unified social credit code."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import gettext as _

from nomadcloud.core.errors import InvalidInput, invalid_field

# GB 32100-2015: 18 characters from this 31-character alphabet (no I, O, S, V, Z); the last is
# a check character computed with these weights over the first 17.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_character(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def is_valid_uscc(code: str) -> bool:
    if len(code) != 18 or any(c not in USCC_ALPHABET for c in code):
        return False
    return uscc_check_character(code[:17]) == code[17]


def normalise_uscc(raw: str, *, field: str = "credit_code") -> str:
    code = raw.strip().upper()
    if len(code) != 18:
        raise invalid_field(
            field,
            _("A unified social credit code has 18 characters; this one has %(n)d.")
            % {"n": len(code)},
            code="invalid_credit_code",
        )
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise invalid_field(
            field,
            _("The unified social credit code contains a character that is not allowed: %(c)s.")
            % {"c": bad[0]},
            code="invalid_credit_code",
        )
    if not is_valid_uscc(code):
        raise invalid_field(
            field,
            _("The unified social credit code's check character is wrong; please check the code."),
            code="invalid_credit_code",
        )
    return code


def normalise_phone(raw: str, *, field: str = "phone", default_region: str = "CN") -> str:
    """Any common way of writing a number → E.164 (``+8613812345678``)."""
    text = raw.strip()
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException as exc:
        raise invalid_field(
            field, _("This is not a telephone number we can read."), code="invalid_phone"
        ) from exc
    if not phonenumbers.is_valid_number(number):
        raise invalid_field(
            field,
            _(
                "This telephone number is not valid; foreign numbers start with + and the "
                "country code."
            ),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def looks_like_phone(identifier: str) -> bool:
    stripped = identifier.strip().replace(" ", "").replace("-", "")
    return bool(stripped) and (stripped[0] == "+" or stripped.isdigit())


def ensure_one_identifier(email: str, phone: str) -> None:
    if not email and not phone:
        raise InvalidInput(
            _("Give an e-mail address or a mobile number."),
            code="identifier_required",
            fields={"email": [_("Give an e-mail address or a mobile number.")]},
        )
