"""W3C Bitstring Status List encoding (pure, no Django): the list is a bitstring whose bit
``i`` (counted from the most significant bit of the first byte) is 1 when the credential at
status index ``i`` is revoked; ``encodedList`` is multibase base64url (prefix ``u``, no
padding) of its GZIP compression."""

from __future__ import annotations

import base64
import binascii
import gzip
import zlib
from collections.abc import Iterable

MAX_DECODED = 16 * 1024 * 1024  # refuse lists that inflate beyond 16 MiB (128 M entries)


class StatusListError(ValueError):
    pass


def encode(revoked: Iterable[int], bits: int) -> str:
    """The ``encodedList`` of a list of ``bits`` entries with the given indexes set."""
    raw = bytearray((bits + 7) // 8)
    for index in revoked:
        if not 0 <= index < bits:
            raise StatusListError(f"index {index} outside a list of {bits} entries")
        raw[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(raw), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).decode().rstrip("=")


def decode(encoded: object) -> bytes:
    """The bitstring of an ``encodedList``; ``StatusListError`` when it is not one."""
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise StatusListError("encodedList must be multibase base64url (prefix 'u')")
    body = encoded[1:]
    try:
        compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        inflater = zlib.decompressobj(wbits=31)  # gzip framing
        raw = inflater.decompress(compressed, MAX_DECODED)
    except (binascii.Error, ValueError, zlib.error) as exc:
        raise StatusListError(f"encodedList is not GZIP in base64url: {exc}") from None
    if inflater.unconsumed_tail or not inflater.eof:
        raise StatusListError("encodedList is truncated or too large")
    return raw


def is_set(bitstring: bytes, index: int) -> bool:
    if not 0 <= index < len(bitstring) * 8:
        raise StatusListError(f"index {index} outside a list of {len(bitstring) * 8} entries")
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))
