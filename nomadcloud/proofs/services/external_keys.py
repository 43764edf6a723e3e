"""External public keys (partner zones, witnesses, verifiers): screened and registered by the
zone operator, and used to name the cosigners of a note."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.proofs.access import require_operator, require_operator_view
from nomadcloud.proofs.core import ed25519, note
from nomadcloud.proofs.models import ExternalKey


def screening_messages() -> dict[str, str]:
    """Why a public key is refused, by ``ed25519.InvalidKey.reason``."""
    return {
        "length": _("The key must be 32 bytes long (an Ed25519 public key)."),
        "encoding": _(
            "The key is not readable: give a Multikey (z6Mk…), a signed-note verifier key "
            "(name+id+key) or 64 hexadecimal digits."
        ),
        "invalid_key": _(
            "The signed-note verifier key is malformed, or its key id does not match its key."
        ),
        "non_canonical": _(
            "The key is not canonically encoded (its y coordinate is not reduced modulo p, or it "
            "encodes x = 0 with the sign bit set)."
        ),
        "not_on_curve": _("The key is not a point on the Ed25519 curve."),
        "small_order": _(
            "The key is a small-order point (one of the 8 torsion points): signatures that "
            "verify with it can be forged without any secret."
        ),
        "mixed_order": _(
            "The key has a small-order component, which an honestly generated key never has."
        ),
        "rejected": _("The Ed25519 library refuses this key."),
    }


def parse_public_key(raw: str) -> tuple[bytes, str | None]:
    """(key bytes, signed-note name if given) of a Multikey, a C2SP verifier key or hex.
    Raises ``InvalidKey`` (reason ``encoding``/``length``) or ``note.NoteError``."""
    text = raw.strip()
    if "+" in text:
        verifier = note.Verifier.parse(text)
        return verifier.public_key, verifier.name
    if text.startswith("z"):
        return ed25519.multikey_decode_public(text), None
    try:
        key = bytes.fromhex(text)
    except ValueError:
        raise ed25519.InvalidKey("encoding", "not a key") from None
    if len(key) != 32:
        raise ed25519.InvalidKey("length", "not 32 bytes")
    return key, None


def _valid_note_name(name: str) -> bool:
    return bool(name) and all(c.isprintable() and not c.isspace() and c != "+" for c in name)


@dataclass(frozen=True)
class ScreenedKey:
    """A key that passed screening, before it is registered: what the confirmation shows."""

    name: str
    purpose: str
    key: bytes
    multikey: str


def screen_external_key(*, name: str, purpose: str, public_key: str) -> ScreenedKey:
    """Check a key to register (name, purpose, encoding, Ed25519 screening); refuse like
    ``register_external_key`` does. Writes nothing."""
    name = name.strip()
    if not _valid_note_name(name) or len(name) > 100:
        raise invalid_field(
            "name", _("Give a name of up to 100 characters, without spaces or “+”.")
        )
    if purpose not in ExternalKey.Purpose.values:
        raise invalid_field("purpose", _("Choose one of the listed purposes."))
    try:
        key, note_name = parse_public_key(public_key)
        ed25519.screen_public_key(key)
    except ed25519.InvalidKey as exc:
        raise invalid_field(
            "public_key", screening_messages()[exc.reason], code=f"key_{exc.reason}"
        ) from None
    except note.NoteError:
        raise invalid_field(
            "public_key", screening_messages()["invalid_key"], code="key_invalid_key"
        ) from None
    multikey = ed25519.multikey_encode_public(key)
    if note_name is not None and note_name != name:
        raise invalid_field(
            "name",
            _("The name must be the one in the signed-note verifier key: %(name)s")
            % {"name": note_name},
        )
    return ScreenedKey(name=name, purpose=purpose, key=key, multikey=multikey)


def _already_registered(screened: ScreenedKey) -> None:
    if ExternalKey.objects.filter(
        Q(name=screened.name) | Q(public_multikey=screened.multikey)
    ).exists():
        raise Conflict(
            _("A key with this name or this public key is already registered."),
            code="duplicate_key",
        )


def preview_external_key(
    *, principal: Principal, name: str, purpose: str, public_key: str
) -> ScreenedKey:
    """What registering the key would register (the confirmation page): screened, not a
    duplicate; nothing written."""
    require_operator(principal, _("Only the zone operator may register external keys."))
    screened = screen_external_key(name=name, purpose=purpose, public_key=public_key)
    _already_registered(screened)
    return screened


def register_external_key(
    *, principal: Principal | None, name: str, purpose: str, public_key: str
) -> ExternalKey:
    """Register a partner's or witness's public key after screening it. ``principal`` None is
    the server operator at the command line. Audited as ``proofs.external_key.register``."""
    if principal is not None:
        require_operator(principal, _("Only the zone operator may register external keys."))
    screened = screen_external_key(name=name, purpose=purpose, public_key=public_key)
    name, key, multikey = screened.name, screened.key, screened.multikey
    with transaction.atomic():
        _already_registered(screened)
        verifier = note.Verifier(name, note.key_id(name, key), key)
        registered = ExternalKey.objects.create(
            name=name,
            purpose=purpose,
            public_multikey=multikey,
            note_verifier=verifier.encode(),
            registered_by=principal.user if principal is not None else None,
        )
        audit.record(
            actor=principal.user if principal is not None else None,
            action="proofs.external_key.register",
            obj=registered,
            after={"name": name, "purpose": purpose, "key": multikey},
            token=principal.token if principal is not None else None,
        )
    return registered


def external_keys(*, principal: Principal) -> list[ExternalKey]:
    require_operator_view(principal)
    return list(ExternalKey.objects.order_by("name"))


def cosigners(text: str) -> list[str]:
    """Names of registered external keys that signed a note (e.g. witnesses cosigning one of
    our checkpoints)."""
    verifiers = []
    for key in ExternalKey.objects.all():
        try:
            verifiers.append(note.Verifier.parse(key.note_verifier))
        except note.NoteError:
            continue
    try:
        opened = note.open_note(text, verifiers)
    except note.NoteError:
        return []
    return sorted(s.name for s in opened.verified)
