"""Who issues, and with which keys: the zone's did:web identifier and DID document, the
log's origin, pseudonymous subject ids, and the Ed25519 issuer keys (stored encrypted; a
rotation retires the previous ones, which keep verifying)."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from nomadcloud.core import crypto
from nomadcloud.proofs.core import ed25519
from nomadcloud.proofs.models import IssuerKey


def domain() -> str:
    """The host (and port) of the configured site, as used in did:web."""
    return urlsplit(settings.SITE_URL).netloc or "localhost"


def issuer_did() -> str:
    return "did:web:" + domain().replace(":", "%3A")


def log_origin() -> str:
    """The checkpoint origin line (and note key name) of this zone's log."""
    return f"{domain()}/proofs/log"


def subject_id(public_id: uuid.UUID) -> str:
    """A stable pseudonymous subject id: an HMAC of the person's public id under a key derived
    from SECRET_KEY. It reveals nothing about the person and is the same for all of theirs."""
    key = hashlib.sha256(b"nomadcloud-proofs-subject:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, str(public_id).encode(), hashlib.sha256).hexdigest()
    return f"urn:nomadcloud:subject:{digest[:32]}"


def verification_method(key: IssuerKey) -> str:
    return f"{issuer_did()}#{key.public_multikey}"


_SEEDS: dict[tuple[int, str], bytes] = {}


def signing_seed(key: IssuerKey) -> bytes:
    """The key's decrypted seed, kept in memory per process (keyed by the encrypted text, so a
    rotated or replaced key is never confused with another)."""
    cache_key = (key.pk, key.private_key_encrypted)
    seed = _SEEDS.get(cache_key)
    if seed is None:
        seed = ed25519.multikey_decode_private(crypto.decrypt_text(key.private_key_encrypted))
        if len(_SEEDS) >= 16:
            _SEEDS.clear()
        _SEEDS[cache_key] = seed
    return seed


def current_key() -> IssuerKey:
    key = IssuerKey.objects.filter(retired_at__isnull=True).order_by("-id").first()
    return key if key is not None else rotate_key()


@transaction.atomic
def rotate_key() -> IssuerKey:
    """Create a new signing key and retire the previous ones (kept for verification)."""
    now = timezone.now()
    IssuerKey.objects.filter(retired_at__isnull=True).update(retired_at=now)
    seed = ed25519.generate_seed()
    public = ed25519.multikey_encode_public(ed25519.public_key_from_seed(seed))
    return IssuerKey.objects.create(
        key_id=f"key-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:6]}",
        private_key_encrypted=crypto.encrypt_text(ed25519.multikey_encode_private(seed)),
        public_multikey=public,
    )


def did_document() -> dict[str, Any]:
    did = issuer_did()
    keys = list(IssuerKey.objects.order_by("id"))
    methods = [
        {
            "id": f"{did}#{k.public_multikey}",
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": k.public_multikey,
        }
        for k in keys
    ]
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": methods,
        "assertionMethod": [m["id"] for m in methods if not _retired(keys, m["id"])],
    }


def _retired(keys: list[IssuerKey], method: str) -> bool:
    return any(k.retired_at is not None and method.endswith("#" + k.public_multikey) for k in keys)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
