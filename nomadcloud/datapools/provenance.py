"""Hash provenance of metaverse assets (docs/datapools.md, decision 0057; specification
06-data-pools "Bad inputs": an asset without C2PA or hash provenance where the pool requires
it). A charter may require provenance (``Charter.requires_provenance``): then each
contribution carries the asset file, its SHA-256 (64 hexadecimal characters) and, optionally,
a reference to its C2PA manifest (``urn:c2pa:…`` or an ``https://`` address). The platform
hashes the file it received, stores it through Django's storage, hashes the stored file
again and compares both with the declared hash; anything missing or different is refused on
its field (``asset``, ``sha256``, ``c2pa_manifest``) and nothing is stored. The manifest
itself is not read (c2pa-python is not a dependency): the reference is kept and published
with the contribution."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from nomadcloud.core.errors import invalid_field
from nomadcloud.datapools.models import Charter, Contribution

MAX_ASSET_BYTES = 2 * 1024 * 1024
_SHA256 = re.compile(r"[0-9a-f]{64}")
_MANIFEST = re.compile(r"(urn:c2pa:[0-9A-Za-z:._-]{1,480}|https://[^\s]{1,490})")


@dataclass(frozen=True, slots=True)
class Asset:
    """The asset file of a contribution with its declared provenance (typed input shared by
    the contribution form and the API)."""

    data: bytes | None
    name: str = ""
    sha256: str = ""
    c2pa_manifest: str = ""


def check(charter: Charter, asset: Asset | None) -> Asset | None:
    """The asset with its provenance normalised, or None when the pool requires none and
    none was given; refuses a missing file or hash, a malformed hash or manifest reference,
    and a hash that is not the file's."""
    given = asset is not None and (asset.data or asset.sha256.strip())
    if not charter.requires_provenance and not given:
        return None
    if asset is None or not asset.data:
        raise invalid_field(
            "asset",
            _("This pool requires the asset file with its provenance (SHA-256)."),
            code="provenance_missing",
        )
    if len(asset.data) > MAX_ASSET_BYTES:
        raise invalid_field("asset", _("The asset file is larger than 2 MB."))
    declared = asset.sha256.strip().lower()
    if not declared:
        raise invalid_field(
            "sha256", _("Give the asset's SHA-256 hash."), code="provenance_missing"
        )
    if not _SHA256.fullmatch(declared):
        raise invalid_field("sha256", _("A SHA-256 hash is 64 hexadecimal characters."))
    manifest = asset.c2pa_manifest.strip()
    if manifest and not _MANIFEST.fullmatch(manifest):
        raise invalid_field(
            "c2pa_manifest",
            _("A C2PA manifest reference is a urn:c2pa: identifier or an https:// address."),
        )
    if hashlib.sha256(asset.data).hexdigest() != declared:
        raise _mismatch()
    name = (asset.name or "asset").strip().replace("/", "_")[:200]
    return Asset(data=asset.data, name=name, sha256=declared, c2pa_manifest=manifest)


def _mismatch() -> Exception:
    return invalid_field(
        "sha256",
        _("The SHA-256 hash does not match the asset file."),
        code="hash_mismatch",
    )


def store(contribution: Contribution, asset: Asset) -> None:
    """Write the asset through the storage, hash the stored file, and record it on the
    contribution; a stored file that does not match is deleted and refused (the caller's
    transaction then keeps nothing)."""
    assert asset.data is not None
    path = f"datapools/assets/{contribution.public_id}/{asset.sha256}"
    stored = default_storage.save(path, ContentFile(asset.data))
    digest = hashlib.sha256()
    with default_storage.open(stored, "rb") as handle:
        for chunk in iter(lambda: handle.read(64 * 1024), b""):
            digest.update(chunk)
    if digest.hexdigest() != asset.sha256:
        default_storage.delete(stored)
        raise _mismatch()
    contribution.asset_name = asset.name
    contribution.asset_sha256 = asset.sha256
    contribution.c2pa_manifest = asset.c2pa_manifest
    contribution.asset_file = stored
    contribution.asset_size = len(asset.data)
    contribution.save(
        update_fields=["asset_name", "asset_sha256", "c2pa_manifest", "asset_file", "asset_size"]
    )
