"""Bitstring Status Lists: where each credential's revocation bit lives, and the signed
``BitstringStatusListCredential`` of each list (they roll over when full)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.core.errors import NotFound
from nomadcloud.proofs import badges, statuslist
from nomadcloud.proofs.core import dataintegrity
from nomadcloud.proofs.models import Credential
from nomadcloud.proofs.services.identity import (
    current_key,
    iso,
    issuer_did,
    signing_seed,
    verification_method,
)

VC_CONTEXT = badges.VC_CONTEXT
STATUS_LIST_BITS = 131072  # 16 KiB, the minimum the Bitstring Status List spec recommends


def status_list_bits() -> int:
    """Entries per status list (a multiple of 8). ``PROOFS_STATUS_LIST_BITS`` overrides the
    default of 131,072; it must not shrink once lists exist (a full list stays full)."""
    bits = int(getattr(settings, "PROOFS_STATUS_LIST_BITS", STATUS_LIST_BITS))
    return max(8, bits - bits % 8)


def status_list_url(number: int = 1) -> str:
    return f"{settings.SITE_URL}/proofs/status/{number}"


def status_list_number(url: object) -> int | None:
    """The list number of one of this zone's status list URLs, else None."""
    prefix = f"{settings.SITE_URL}/proofs/status/"
    if not isinstance(url, str) or not url.startswith(prefix):
        return None
    tail = url[len(prefix) :]
    if not tail.isdecimal() or not tail.isascii() or tail.startswith("0") or len(tail) > 9:
        return None
    return int(tail)


def status_list_count() -> int:
    last = Credential.objects.aggregate(n=Max("status_list"))["n"]
    return max(1, last or 1)


def status_position(entry: object) -> tuple[int, int] | None:
    """(list number, index) of a credential's ``credentialStatus`` entry, if it is ours."""
    if not isinstance(entry, dict) or entry.get("statusPurpose") != "revocation":
        return None
    number = status_list_number(entry.get("statusListCredential"))
    raw = entry.get("statusListIndex")
    if number is None or not isinstance(raw, str) or not raw.isdecimal() or not raw.isascii():
        return None
    return number, int(raw)


def status_list_credential(number: int = 1) -> dict[str, Any]:
    """The signed ``BitstringStatusListCredential`` of list ``number`` (from 1). Revoked
    entries also carry their reason in ``revocationReasons`` (index → reason), so that an
    offline verifier holding the list can say why."""
    if not 1 <= number <= status_list_count():
        raise NotFound(_("There is no status list %(n)d.") % {"n": number})
    rows = Credential.objects.filter(status_list=number)
    revoked = dict(
        rows.filter(revoked_at__isnull=False).values_list("status_index", "revoked_reason")
    )
    highest = rows.aggregate(n=Max("status_index"))["n"]
    bits = max(status_list_bits(), ((highest or 0) // 8 + 1) * 8)
    url = status_list_url(number)
    key = current_key()
    doc: dict[str, Any] = {
        "@context": [VC_CONTEXT],
        "id": url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer_did(),
        "validFrom": iso(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(revoked, bits),
            "revocationReasons": {str(i): reason for i, reason in sorted(revoked.items())},
        },
    }
    return dataintegrity.add_proof(
        doc,
        signing_seed(key),
        verification_method=verification_method(key),
        created=doc["validFrom"],
    )
