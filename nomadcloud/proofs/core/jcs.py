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

Speed: ``canonicalize`` first checks (one pass, no per-character work in Python) that the
value only holds what the C ``json`` encoder already writes canonically: plain ``dict``
with string keys and no character above U+FFFF in a non-ASCII key (so code-point order is
UTF-16 order), ``list``/``tuple``, ``str``, ``bool``, ``None``, integers within ±2^53 and
floats whose ``repr`` is already the ECMAScript form (no exponent; integral floats below
2^53 are first turned into ints, ``1.0`` → ``1``, as ECMAScript writes them). Such values
are written by ``json`` with sorted keys, no whitespace and ``ensure_ascii=False``
(it escapes exactly ``"``, ``\\`` and U+0000–U+001F, with the same short forms and lower-case
hex); a lone surrogate then fails UTF-8 encoding. Anything else, and any failure, goes
through ``reference_canonicalize``, the direct implementation of the rules above, which the
tests compare with the fast path.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

__all__ = [
    "JCSError",
    "canonical_halves",
    "canonicalize",
    "join_members",
    "member",
    "reference_canonicalize",
    "serialize_number",
]

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


def reference_canonicalize(obj: Any) -> bytes:
    """The RFC 8785 canonical bytes, written value by value in Python (the slower reference
    implementation that ``canonicalize`` falls back to)."""
    out: list[str] = []
    _serialize(obj, out)
    return "".join(out).encode("utf-8")


_json_encode = json.JSONEncoder(
    ensure_ascii=False, allow_nan=False, sort_keys=True, separators=(",", ":"), check_circular=False
).encode
_BMP_MAX = "\uffff"


# What ``_scan`` finds: the C encoder's output is not canonical; it is; it is once each
# integral float is written as an int (``1.0`` → ``1``, as ECMAScript does below 2^53).
_NOT_JSON, _JSON, _JSON_AFTER_INT_FLOATS = 0, 1, 2


def _scan(value: Any) -> int:
    kind = type(value)
    if kind is dict:
        items: Any = value.values()
        for key in value:
            if type(key) is not str or (not key.isascii() and max(key) > _BMP_MAX):
                return _NOT_JSON
    elif kind is list or kind is tuple:
        items = value
    else:
        return _scan_scalar(value)
    found = _JSON
    for item in items:
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if not -_MAX_SAFE_INTEGER <= item <= _MAX_SAFE_INTEGER:
                return _NOT_JSON
            continue
        inner = _scan(item)
        if inner == _NOT_JSON:
            return _NOT_JSON
        if inner > found:
            found = inner
    return found


def _scan_scalar(value: Any) -> int:
    kind = type(value)
    if kind is str or kind is bool or value is None:
        return _JSON
    if kind is int:
        return _JSON if -_MAX_SAFE_INTEGER <= value <= _MAX_SAFE_INTEGER else _NOT_JSON
    if kind is float:
        if not math.isfinite(value):
            return _NOT_JSON
        if value.is_integer():
            return _JSON_AFTER_INT_FLOATS if abs(value) < _MAX_SAFE_INTEGER else _NOT_JSON
        text = repr(value)  # shortest round-trip digits, as ECMAScript; differs in exponents
        return _JSON if "e" not in text else _NOT_JSON
    return _NOT_JSON


def _int_floats(value: Any) -> Any:
    """A copy of a value ``_scan`` accepted, with every integral float as an int."""
    kind = type(value)
    if kind is dict:
        return {key: _int_floats(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_int_floats(item) for item in value]
    if kind is float and value.is_integer():
        return int(value)
    return value


def canonicalize(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value."""
    try:
        found = _scan(obj)
        if found == _JSON:
            return _json_encode(obj).encode("utf-8")
        if found == _JSON_AFTER_INT_FLOATS:
            return _json_encode(_int_floats(obj)).encode("utf-8")
    except (UnicodeEncodeError, RecursionError):
        pass  # a lone surrogate, or very deep nesting: the reference path decides
    return reference_canonicalize(obj)


# --- one object with and without a member ------------------------------------------------------
# A Data Integrity proof signs JCS(document without "proof"), and the log hashes
# JCS(document with "proof"). Both are built from one canonicalisation of the other members,
# split where "proof" sorts, instead of canonicalising the document twice.


def _utf16(key: str) -> bytes:
    return key.encode("utf-16-be", "surrogatepass")


def canonical_halves(obj: Mapping[str, Any], key: str) -> tuple[bytes, bytes]:
    """The canonical members of ``obj`` other than ``key`` that sort before ``key`` and
    after it, each as the inside of a canonical object (``b""`` when there are none).
    ``join_members(before, after)`` is ``canonicalize`` of ``obj`` without ``key``, and
    ``join_members(before, member(key, value), after)`` is that of ``obj`` with ``key``
    set to the value whose canonical bytes are ``value``."""
    if type(obj) is not dict:
        return _halves(obj, key, reference_canonicalize)
    try:
        found = _scan(obj)  # once for both halves
        if found == _JSON_AFTER_INT_FLOATS:
            obj = _int_floats(obj)
        if found != _NOT_JSON and (key.isascii() or max(key) <= _BMP_MAX):
            # Names are BMP here, where code-point order is UTF-16 order.
            before = {name: value for name, value in obj.items() if name < key}
            after = {name: value for name, value in obj.items() if name > key}
            return (
                _json_encode(before)[1:-1].encode("utf-8"),
                _json_encode(after)[1:-1].encode("utf-8"),
            )
    except (UnicodeEncodeError, RecursionError):
        pass  # as in ``canonicalize``: the reference path decides
    return _halves(obj, key, canonicalize)


def _halves(obj: Mapping[str, Any], key: str, write: Callable[[Any], bytes]) -> tuple[bytes, bytes]:
    if not isinstance(obj, Mapping):
        raise JCSError("not a JSON object")
    for name in obj:
        if not isinstance(name, str):
            raise JCSError(f"object member name is not a string: {name!r}")
    pivot = _utf16(key)
    before = {name: value for name, value in obj.items() if _utf16(name) < pivot}
    after = {name: value for name, value in obj.items() if _utf16(name) > pivot}
    return write(before)[1:-1], write(after)[1:-1]


def member(key: str, canonical_value: bytes) -> bytes:
    """One canonical object member: the name, a colon, the value's canonical bytes."""
    return canonicalize(key) + b":" + canonical_value


def join_members(*parts: bytes) -> bytes:
    """A canonical object from canonical member lists given in sort order (empty ones
    skipped)."""
    return b"{" + b",".join(part for part in parts if part) + b"}"
