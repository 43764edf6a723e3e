"""Ed25519 (RFC 8032) keys and signatures over the ``cryptography`` package, with explicit
public-key screening and multibase / Multikey encodings.

- ``sign`` / ``verify``: pure Ed25519 (no pre-hashing). ``verify`` refuses signatures that
  are not 64 bytes or whose scalar S is not below the group order L before asking OpenSSL.
- ``screen_public_key``: the checks applied to a public key registered from outside.
  ``cryptography`` (OpenSSL) accepts some encodings that a registry should refuse, so they
  are implemented here in pure Python: length 32; y below p (canonical field element); not
  the "negative zero" x (x = 0 with the sign bit set); a point on the curve; not of small
  order ([8]P ≠ identity); and, unless disabled, no torsion component ([L]P = identity),
  which every key made by honest key generation satisfies.
- Multikey: ``z`` + base58btc(0xed 0x01 ‖ public key) and, for secret seeds,
  ``z`` + base58btc(0x80 0x26 ‖ seed), as in the W3C Controlled Identifiers / did:key specs.

Speed: key objects are cached per seed / public key (deriving the public key from a seed
costs as much as a signature), and the results of ``verify`` on short messages (≤ 1 KiB:
Data Integrity hashes, checkpoint notes) are memoised, so the same checkpoint signature is
checked once however many credentials are verified against it. A result is a pure function
of (key, message, signature), so memoising cannot change it.
"""

from __future__ import annotations

from functools import lru_cache

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "ED25519_PRIV_MULTICODEC",
    "ED25519_PUB_MULTICODEC",
    "InvalidKey",
    "b58decode",
    "b58encode",
    "clear_caches",
    "generate_seed",
    "key_acceptable",
    "multibase_decode",
    "multibase_encode",
    "multikey_decode_private",
    "multikey_decode_public",
    "multikey_encode_private",
    "multikey_encode_public",
    "public_key_from_seed",
    "screen_public_key",
    "sign",
    "verify",
]

ED25519_PUB_MULTICODEC = b"\xed\x01"
ED25519_PRIV_MULTICODEC = b"\x80\x26"

P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
_D = (-121665 * pow(121666, P - 2, P)) % P
_SQRT_M1 = pow(2, (P - 1) // 4, P)


class InvalidKey(ValueError):
    """A key is malformed or refused by screening. ``reason`` is a stable code."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


# --- base58btc (Bitcoin alphabet) ----------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


# Ten base58 digits at a time fit in a machine word, so the big number is divided (or
# multiplied) once per ten digits; encoding then writes the digits two at a time.
_CHUNK = 10
_CHUNK_BASE = 58**_CHUNK
_PAIRS = [a + b for a in _B58 for b in _B58]  # _PAIRS[58 * high + low]


def b58encode(data: bytes) -> str:
    zeros = len(data) - len(data.lstrip(b"\0"))
    n = int.from_bytes(data, "big")
    out: list[str] = []
    while n:
        n, chunk = divmod(n, _CHUNK_BASE)
        for _ in range(_CHUNK // 2):
            chunk, pair = divmod(chunk, 58 * 58)
            out.append(_PAIRS[pair])
    text = "".join(reversed(out)).lstrip("1")  # the top chunk's leading zero digits
    return "1" * zeros + text


def b58decode(text: str) -> bytes:
    body = text.lstrip("1")
    zeros = len(text) - len(body)
    n = 0
    for start in range(0, len(body), _CHUNK):
        digits = body[start : start + _CHUNK]
        chunk = 0
        for c in digits:
            try:
                chunk = chunk * 58 + _B58_INDEX[c]
            except KeyError:
                raise ValueError(f"not a base58btc character: {c!r}") from None
        n = n * 58 ** len(digits) + chunk
    decoded = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * zeros + decoded


def multibase_encode(data: bytes) -> str:
    """Multibase base58btc (prefix ``z``)."""
    return "z" + b58encode(data)


def multibase_decode(text: str) -> bytes:
    if not text.startswith("z"):
        raise ValueError("only multibase base58btc ('z') is supported")
    return b58decode(text[1:])


def multikey_encode_public(public_key: bytes) -> str:
    if len(public_key) != 32:
        raise InvalidKey("length", "an Ed25519 public key is 32 bytes")
    return multibase_encode(ED25519_PUB_MULTICODEC + public_key)


def multikey_decode_public(text: str) -> bytes:
    return _multikey_decode_public(text)


@lru_cache(maxsize=256)  # the few issuer keys are decoded for every credential checked
def _multikey_decode_public(text: str) -> bytes:
    try:
        raw = multibase_decode(text)
    except ValueError as exc:
        raise InvalidKey("encoding", str(exc)) from None
    if raw[:2] != ED25519_PUB_MULTICODEC or len(raw) != 34:
        raise InvalidKey("encoding", "not an Ed25519 Multikey public key (0xed01 + 32 bytes)")
    return raw[2:]


def multikey_encode_private(seed: bytes) -> str:
    if len(seed) != 32:
        raise InvalidKey("length", "an Ed25519 secret seed is 32 bytes")
    return multibase_encode(ED25519_PRIV_MULTICODEC + seed)


def multikey_decode_private(text: str) -> bytes:
    try:
        raw = multibase_decode(text)
    except ValueError as exc:
        raise InvalidKey("encoding", str(exc)) from None
    if raw[:2] != ED25519_PRIV_MULTICODEC or len(raw) != 34:
        raise InvalidKey("encoding", "not an Ed25519 Multikey secret key (0x8026 + 32 bytes)")
    return raw[2:]


# --- keys, signing, verification -----------------------------------------------------------


def generate_seed() -> bytes:
    return Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.Raw,
        serialization.PrivateFormat.Raw,
        serialization.NoEncryption(),
    )


def _private(seed: bytes) -> Ed25519PrivateKey:
    if len(seed) != 32:
        raise InvalidKey("length", "an Ed25519 secret seed is 32 bytes")
    return _private_key(bytes(seed))


@lru_cache(maxsize=16)
def _private_key(seed: bytes) -> Ed25519PrivateKey:
    return Ed25519PrivateKey.from_private_bytes(seed)


@lru_cache(maxsize=256)
def _public_key(public_key: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(public_key)


def public_key_from_seed(seed: bytes) -> bytes:
    _private(seed)  # length check
    return _public_from_seed(bytes(seed))


@lru_cache(maxsize=16)
def _public_from_seed(seed: bytes) -> bytes:
    return (
        _private_key(seed)
        .public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    )


def sign(seed: bytes, message: bytes) -> bytes:
    """The 64-byte Ed25519 signature of ``message`` by the key with this 32-byte seed."""
    return _private(seed).sign(message)


def verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is a valid Ed25519 signature; never raises on bad input.

    The key must pass ``key_acceptable`` first: RFC 8032 §5.1.3 requires refusing a
    non-canonical encoding (y ≥ p, "negative zero"), which OpenSSL accepts; and by the
    product's policy (decision 0019) a key of small order — the identity point among them,
    for which one fixed signature verifies every message — or with a small-order component
    never verifies anything."""
    if not isinstance(public_key, bytes | bytearray) or not isinstance(
        signature, bytes | bytearray
    ):
        return False
    if len(public_key) != 32 or len(signature) != 64:
        return False
    if not key_acceptable(bytes(public_key)):
        return False
    if int.from_bytes(signature[32:], "little") >= L:  # malleable / non-canonical S
        return False
    if len(message) <= _MEMO_MAX_MESSAGE:
        return _verify_memo(bytes(public_key), bytes(message), bytes(signature))
    return _verify(public_key, message, signature)


_MEMO_MAX_MESSAGE = 1024


def _verify(public_key: bytes, message: bytes, signature: bytes) -> bool:
    try:
        _public_key(bytes(public_key)).verify(signature, message)
    except (InvalidSignature, ValueError):
        return False
    return True


_verify_memo = lru_cache(maxsize=4096)(_verify)


def clear_caches() -> None:
    """Forget cached key objects and memoised verification results (for benchmarks)."""
    _private_key.cache_clear()
    _public_key.cache_clear()
    _public_from_seed.cache_clear()
    _multikey_decode_public.cache_clear()
    _verify_memo.cache_clear()
    key_acceptable.cache_clear()


# --- screening -----------------------------------------------------------------------------

_Point = tuple[int, int, int, int]  # extended coordinates (X, Y, Z, T), x = X/Z, y = Y/Z
_IDENTITY: _Point = (0, 1, 1, 0)


def _add(p1: _Point, p2: _Point) -> _Point:
    x1, y1, z1, t1 = p1
    x2, y2, z2, t2 = p2
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * 2 * _D * t2 % P
    d = z1 * 2 * z2 % P
    e, f, g, h = b - a, d - c, d + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(k: int, point: _Point) -> _Point:
    result = _IDENTITY
    addend = point
    while k:
        if k & 1:
            result = _add(result, addend)
        addend = _add(addend, addend)
        k >>= 1
    return result


def _is_identity(point: _Point) -> bool:
    x, y, z, _ = point
    return x % P == 0 and (y - z) % P == 0


def _decode_point(public_key: bytes) -> _Point:
    if len(public_key) != 32:
        raise InvalidKey("length", "an Ed25519 public key is 32 bytes")
    value = int.from_bytes(public_key, "little")
    sign_bit = value >> 255
    y = value & ((1 << 255) - 1)
    if y >= P:
        raise InvalidKey("non_canonical", "non-canonical encoding: y is not below p")
    u = (y * y - 1) % P
    v = (_D * y * y + 1) % P
    x = u * pow(v, 3, P) * pow(u * pow(v, 7, P), (P - 5) // 8, P) % P
    if (v * x * x - u) % P != 0:
        if (v * x * x + u) % P != 0:
            raise InvalidKey("not_on_curve", "the encoding is not a point on Ed25519")
        x = x * _SQRT_M1 % P
    if x == 0 and sign_bit:
        raise InvalidKey("non_canonical", "non-canonical encoding: negative zero x")
    if x & 1 != sign_bit:
        x = P - x
    return (x, y, 1, x * y % P)


@lru_cache(maxsize=1024)
def key_acceptable(public_key: bytes) -> bool:
    """Whether ``verify`` may use this key: ``screen_public_key`` with every check (a few
    milliseconds, once per key: cached)."""
    try:
        screen_public_key(public_key)
    except InvalidKey:
        return False
    return True


def screen_public_key(public_key: bytes, *, require_prime_order: bool = True) -> bytes:
    """Return ``public_key`` if acceptable for registration, else raise ``InvalidKey``.

    Reasons: ``length``, ``non_canonical``, ``not_on_curve``, ``small_order``,
    ``mixed_order`` (has a torsion component), ``rejected`` (refused by OpenSSL).
    """
    point = _decode_point(public_key)
    if _is_identity(_mul(8, point)):
        raise InvalidKey("small_order", "small-order public key")
    if require_prime_order and not _is_identity(_mul(L, point)):
        raise InvalidKey("mixed_order", "public key has a small-order component")
    try:
        Ed25519PublicKey.from_public_bytes(public_key)
    except ValueError:
        raise InvalidKey("rejected", "public key refused by the Ed25519 library") from None
    return public_key
