"""C2SP signed notes (Ed25519) and tlog checkpoints.

Signed note (c2sp.org/signed-note, as in golang.org/x/mod/sumdb/note):

- text: UTF-8, ends in a newline, no control characters other than newline;
- then one blank line, then one line per signature:
  ``"— " name " " base64(key id ‖ signature) "\\n"`` (U+2014 EM DASH);
- key id: the first 4 bytes of SHA-256(name ‖ 0x0A ‖ 0x01 ‖ public key), big-endian;
- the Ed25519 signature covers the text bytes only;
- keys: verifier ``name+hexid+base64(0x01 ‖ pubkey)``, signer
  ``PRIVATE+KEY+name+hexid+base64(0x01 ‖ seed)``; a name is non-empty, without spaces
  and without ``+``.

Checkpoint (c2sp.org/tlog-checkpoint): the note text ``origin\\n size\\n base64(root)\\n``
followed by optional non-empty extension lines; the size is decimal without leading zeros.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from . import ed25519

__all__ = [
    "ALG_ED25519",
    "Checkpoint",
    "Note",
    "NoteError",
    "Signature",
    "Signer",
    "Verifier",
    "format_checkpoint",
    "generate_signer_key",
    "key_id",
    "open_note",
    "parse_checkpoint",
    "sign_note",
]

ALG_ED25519 = 0x01
_DASH = "— "
_MAX_NOTE = 1_000_000
_MAX_SIGNATURES = 100


class NoteError(ValueError):
    """``reason``: ``malformed``, ``invalid_key``, ``unverified`` or ``invalid_signature``."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


_SPACE = re.compile(r"\s")  # the same characters as str.isspace() (Py_UNICODE_ISSPACE)
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")  # control characters other than newline


def _valid_name(name: str) -> bool:
    return bool(name) and "+" not in name and not _SPACE.search(name)


def key_id(name: str, public_key: bytes, alg: int = ALG_ED25519) -> int:
    digest = hashlib.sha256(name.encode() + b"\n" + bytes([alg]) + public_key).digest()
    return int.from_bytes(digest[:4], "big")


def _b64decode(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise ValueError("bad base64") from None


@dataclass(frozen=True)
class Verifier:
    name: str
    key_id: int
    public_key: bytes

    @classmethod
    def parse(cls, vkey: str) -> Verifier:
        parts = vkey.split("+", 2)
        if len(parts) != 3:
            raise NoteError("invalid_key", "malformed verifier key")
        name, hex_id, b64 = parts
        try:
            raw = _b64decode(b64)
            kid = int(hex_id, 16)
        except ValueError:
            raise NoteError("invalid_key", "malformed verifier key") from None
        if not _valid_name(name) or len(hex_id) != 8 or len(raw) != 33:
            raise NoteError("invalid_key", "malformed verifier key")
        if raw[0] != ALG_ED25519:
            raise NoteError("invalid_key", "unknown verifier algorithm")
        if key_id(name, raw[1:]) != kid:
            raise NoteError("invalid_key", "verifier key id does not match the key")
        return cls(name, kid, raw[1:])

    def encode(self) -> str:
        b64 = base64.b64encode(bytes([ALG_ED25519]) + self.public_key).decode()
        return f"{self.name}+{self.key_id:08x}+{b64}"

    def verify(self, text: bytes, signature: bytes) -> bool:
        return ed25519.verify(self.public_key, text, signature)


@dataclass(frozen=True)
class Signer:
    name: str
    key_id: int
    seed: bytes = field(repr=False)

    @classmethod
    def parse(cls, skey: str) -> Signer:
        parts = skey.split("+", 4)
        if len(parts) != 5 or parts[0] != "PRIVATE" or parts[1] != "KEY":
            raise NoteError("invalid_key", "malformed signer key")
        _, _, name, hex_id, b64 = parts
        try:
            raw = _b64decode(b64)
            kid = int(hex_id, 16)
        except ValueError:
            raise NoteError("invalid_key", "malformed signer key") from None
        if not _valid_name(name) or len(hex_id) != 8 or len(raw) != 33:
            raise NoteError("invalid_key", "malformed signer key")
        if raw[0] != ALG_ED25519:
            raise NoteError("invalid_key", "unknown signer algorithm")
        signer = cls(name, kid, raw[1:])
        if key_id(name, signer.public_key) != kid:
            raise NoteError("invalid_key", "signer key id does not match the key")
        return signer

    @classmethod
    def from_seed(cls, name: str, seed: bytes) -> Signer:
        if not _valid_name(name):
            raise NoteError("invalid_key", "invalid key name")
        return cls(name, key_id(name, ed25519.public_key_from_seed(seed)), seed)

    @property
    def public_key(self) -> bytes:
        return ed25519.public_key_from_seed(self.seed)

    def encode(self) -> str:
        b64 = base64.b64encode(bytes([ALG_ED25519]) + self.seed).decode()
        return f"PRIVATE+KEY+{self.name}+{self.key_id:08x}+{b64}"

    def verifier(self) -> Verifier:
        return Verifier(self.name, self.key_id, self.public_key)

    def sign(self, text: bytes) -> bytes:
        return ed25519.sign(self.seed, text)


def generate_signer_key(name: str) -> tuple[str, str]:
    """A new (signer key, verifier key) pair in the note key formats."""
    signer = Signer.from_seed(name, ed25519.generate_seed())
    return signer.encode(), signer.verifier().encode()


@dataclass(frozen=True)
class Signature:
    name: str
    key_id: int
    b64: str  # base64(key id ‖ signature), as written in the note

    @property
    def signature(self) -> bytes:
        return _b64decode(self.b64)[4:]


@dataclass(frozen=True)
class Note:
    text: str
    verified: tuple[Signature, ...]
    unverified: tuple[Signature, ...]


def _check_text(text: str) -> None:
    if not text.endswith("\n"):
        raise NoteError("malformed", "malformed note: text must end in a newline")
    if _CONTROL.search(text):
        raise NoteError("malformed", "malformed note: control character in text")


def sign_note(text: str, signers: list[Signer], existing: tuple[Signature, ...] = ()) -> str:
    """The signed note: ``text``, a blank line, then existing signatures not replaced by a
    signer with the same name and key id, then one new signature per signer."""
    _check_text(text)
    body = text.encode("utf-8")
    have = set()
    new_lines = []
    for signer in signers:
        have.add((signer.name, signer.key_id))
        raw = signer.key_id.to_bytes(4, "big") + signer.sign(body)
        new_lines.append(f"{_DASH}{signer.name} {base64.b64encode(raw).decode()}\n")
    old_lines = []
    for sig in existing:
        if not _valid_name(sig.name):
            raise NoteError("malformed", "malformed note: invalid signature name")
        if (sig.name, sig.key_id) in have:
            continue
        try:
            raw = _b64decode(sig.b64)
        except ValueError:
            raise NoteError("malformed", "malformed note: bad signature encoding") from None
        if len(raw) < 4 or int.from_bytes(raw[:4], "big") != sig.key_id:
            raise NoteError("malformed", "malformed note: key id does not match signature")
        old_lines.append(f"{_DASH}{sig.name} {sig.b64}\n")
    return text + "\n" + "".join(old_lines) + "".join(new_lines)


def open_note(message: str | bytes, verifiers: list[Verifier]) -> Note:
    """Parse a signed note and check the signatures of the known verifiers.

    Raises ``NoteError``: ``malformed``; ``invalid_signature`` when a signature by a known
    key does not verify; ``unverified`` when no known key signed it.
    """
    if isinstance(message, bytes):
        if len(message) > _MAX_NOTE:
            raise NoteError("malformed", "malformed note: too large")
        try:
            message = message.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("malformed", "malformed note: not UTF-8") from None
    if len(message) > _MAX_NOTE:
        raise NoteError("malformed", "malformed note: too large")
    split = message.rfind("\n\n")
    if split < 0:
        raise NoteError("malformed", "malformed note: no signature block")
    text, sig_block = message[: split + 1], message[split + 2 :]
    _check_text(text)
    if not sig_block.endswith("\n"):
        raise NoteError("malformed", "malformed note: signature block must end in a newline")
    by_key = {(v.name, v.key_id): v for v in verifiers}
    verified: list[Signature] = []
    unverified: list[Signature] = []
    seen = set()
    lines = sig_block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteError("malformed", "malformed note: too many signatures")
    body = text.encode("utf-8")
    for line in lines:
        if not line.startswith(_DASH):
            raise NoteError("malformed", "malformed note: bad signature line")
        name, sep, b64 = line[len(_DASH) :].partition(" ")
        if not sep or not _valid_name(name) or " " in b64:
            raise NoteError("malformed", "malformed note: bad signature line")
        try:
            raw = _b64decode(b64)
        except ValueError:
            raise NoteError("malformed", "malformed note: bad signature encoding") from None
        if len(raw) < 5:
            raise NoteError("malformed", "malformed note: signature too short")
        sig = Signature(name, int.from_bytes(raw[:4], "big"), b64)
        verifier = by_key.get((name, sig.key_id))
        if verifier is None:
            unverified.append(sig)
            continue
        if (name, sig.key_id) in seen:
            continue
        seen.add((name, sig.key_id))
        if not verifier.verify(body, raw[4:]):
            raise NoteError("invalid_signature", f"invalid signature by {name}")
        verified.append(sig)
    if not verified:
        raise NoteError("unverified", "no signature by a known key")
    return Note(text, tuple(verified), tuple(unverified))


# --- tlog checkpoints --------------------------------------------------------------------------

_SIZE = re.compile(r"(0|[1-9][0-9]*)\Z")


@dataclass(frozen=True)
class Checkpoint:
    origin: str
    size: int
    root_hash: bytes
    extensions: tuple[str, ...] = ()


def format_checkpoint(checkpoint: Checkpoint) -> str:
    """The checkpoint's note text (to be passed to ``sign_note``)."""
    origin = checkpoint.origin
    if not origin or "\n" in origin or any(ord(c) < 0x20 for c in origin):
        raise NoteError("malformed", "checkpoint origin must be one non-empty line")
    if checkpoint.size < 0 or len(checkpoint.root_hash) != 32:
        raise NoteError("malformed", "checkpoint size or root hash is invalid")
    for ext in checkpoint.extensions:
        if not ext or "\n" in ext:
            raise NoteError("malformed", "checkpoint extension lines must be non-empty")
    lines = [origin, str(checkpoint.size), base64.b64encode(checkpoint.root_hash).decode()]
    return "\n".join([*lines, *checkpoint.extensions]) + "\n"


def parse_checkpoint(text: str, *, origin: str | None = None) -> Checkpoint:
    """Parse checkpoint text (e.g. ``open_note(...).text``); check ``origin`` if given."""
    if not text.endswith("\n"):
        raise NoteError("malformed", "checkpoint text must end in a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3 or not lines[0] or any(not line for line in lines[3:]):
        raise NoteError("malformed", "checkpoint needs origin, size and root hash lines")
    if not _SIZE.match(lines[1]):
        raise NoteError("malformed", "checkpoint size is not a decimal number")
    try:
        root_hash = _b64decode(lines[2])
    except ValueError:
        raise NoteError("malformed", "checkpoint root hash is not base64") from None
    if len(root_hash) != 32:
        raise NoteError("malformed", "checkpoint root hash is not 32 bytes")
    if origin is not None and lines[0] != origin:
        raise NoteError("malformed", "checkpoint is from another log")
    return Checkpoint(lines[0], int(lines[1]), root_hash, tuple(lines[3:]))
