"""RFC 8785 JSON Canonicalization Scheme (JCS).

``canonicalize(obj)`` serialises the JSON data model held in Python values (``dict`` with
``str`` keys, ``list``/``tuple``, ``str``, ``int``, ``float``, ``bool``, ``None``) to the
canonical UTF-8 bytes:

- no whitespace; object members sorted by the UTF-16 code units of their names;
- strings escaped minimally (only ``"``, ``\\`` and U+0000–U+001F; ``\\b \\f \\n \\r \\t``
  use their short forms, the rest ``\\u00xx`` in lower-case hex); everything else is
  written as UTF-8, without Unicode normalisation; lone surrogates are refused;
- numbers as IEEE 754 doubles written by ECMAScript's ``Number.prototype.toString``
  (shortest round-trip digits, exponent form below 1e-6 and from 1e21). NaN and the
  infinities are refused, and so are integers beyond ±2^53 that a double cannot hold
  exactly (refusing is safer than signing a silently rounded value).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["JCSError", "canonicalize", "serialize_number"]

_MAX_SAFE_INTEGER = 2**53


class JCSError(ValueError):
    """The value cannot be represented in canonical JSON."""


_SHORT_ESCAPES = {
    0x08: "\\b",
    0x09: "\\t",
    0x0A: "\\n",
    0x0C: "\\f",
    0x0D: "\\r",
    0x22: '\\"',
    0x5C: "\\\\",
}
_ESCAPES: dict[int, str] = {c: f"\\u{c:04x}" for c in range(0x20)}
_ESCAPES.update(_SHORT_ESCAPES)


def _string(value: str) -> str:
    for ch in value:
        if 0xD800 <= ord(ch) <= 0xDFFF:
            raise JCSError("string holds a lone surrogate")
    return '"' + value.translate(_ESCAPES) + '"'


def serialize_number(value: float | int) -> str:
    """ECMAScript ``Number.prototype.toString`` of an IEEE 754 double (RFC 8785 §3.2.2.3)."""
    if isinstance(value, bool):
        raise JCSError("a boolean is not a number")
    if isinstance(value, int):
        if abs(value) > _MAX_SAFE_INTEGER:
            raise JCSError("integer outside ±2^53 cannot be held exactly by a double")
        return str(value)
    if not math.isfinite(value):
        raise JCSError("NaN and Infinity have no JSON form")
    if value == 0:
        return "0"  # also for -0.0
    sign = "-" if value < 0 else ""
    # repr() gives the shortest digit string that round-trips, as ECMAScript requires.
    text = repr(abs(value))
    mantissa, _, exp_text = text.partition("e")
    exponent = int(exp_text) if exp_text else 0
    whole, _, fraction = mantissa.partition(".")
    if fraction == "0":
        fraction = ""
    digits = (whole + fraction).lstrip("0")
    # Position of the decimal point relative to the first significant digit.
    point = len(whole) + exponent - (len(whole + fraction) - len((whole + fraction).lstrip("0")))
    digits = digits.rstrip("0")
    k, n = len(digits), point
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        exp_part = ("e+" if e >= 0 else "e-") + str(abs(e))
        out = digits + exp_part if k == 1 else digits[0] + "." + digits[1:] + exp_part
    return sign + out


def _serialize(value: Any, out: list[str]) -> None:
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, int | float):
        out.append(serialize_number(value))
    elif isinstance(value, Mapping):
        for key in value:
            if not isinstance(key, str):
                raise JCSError(f"object member name is not a string: {key!r}")
        out.append("{")
        first = True
        for key in sorted(value, key=lambda k: k.encode("utf-16-be", "surrogatepass")):
            if not first:
                out.append(",")
            first = False
            out.append(_string(key))
            out.append(":")
            _serialize(value[key], out)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for i, item in enumerate(value):
            if i:
                out.append(",")
            _serialize(item, out)
        out.append("]")
    else:
        raise JCSError(f"not a JSON value: {type(value).__name__}")


def canonicalize(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value."""
    out: list[str] = []
    _serialize(obj, out)
    return "".join(out).encode("utf-8")
