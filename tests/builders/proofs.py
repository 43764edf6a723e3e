"""Builders for proofs tests (moved from tests/permissions/proofs.py): the
objects the permission matrix and tests/test_proofs*.py start from."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from nomadcloud.proofs import services
from nomadcloud.proofs.core import ed25519
from nomadcloud.proofs.models import Credential
from tests.builders.world import World


def claims(source: str = "batch-1") -> services.Claims:
    now = timezone.now()
    return services.Claims(
        kind=Credential.Kind.DATA,
        source=source,
        title_zh="图像标注",
        title_en="Image labelling",
        enterprise_id="00000000-0000-0000-0000-000000000001",
        enterprise_zh="艾克米",
        enterprise_en="Acme",
        period_start=now - timedelta(days=3),
        period_end=now,
        work_units=Decimal("12.50"),
        items=125,
        accuracy=0.96,
        skills=[("nc.data-labelling", "数据标注", "data labelling")],
    )


def rita_credential(w: World) -> Credential:
    found = Credential.objects.filter(user=w.rita).first()
    if found is not None:
        return found
    credential = services.issue_credential(w.rita, claims())
    assert credential is not None
    services.publish_checkpoint()
    return credential


def logged(w: World) -> str:
    rita_credential(w)
    return ""


def revoked_credential(w: World) -> Credential:
    """Rita's credential, revoked by the operator (its revocation appended to the log)."""
    credential = rita_credential(w)
    if credential.revoked_at is None:
        from nomadcloud.accounts.principal import Principal

        credential = services.revoke(
            principal=Principal.for_user(w.oscar), credential=credential, reason="test"
        )
    return credential


WITNESS_SEED = bytes(range(32))


def witness_key() -> dict[str, str]:
    """A well-formed external key registration (the key passes screening)."""
    public = ed25519.public_key_from_seed(WITNESS_SEED)
    return {
        "name": "witness.example.org",
        "purpose": "witness",
        "public_key": ed25519.multikey_encode_public(public),
    }


def trust_the_zone(settings: Any, folder: Path) -> Path:
    """Ship the zone's current DID document in the deployment's trust store
    (``PROOFS_TRUST_STORE``), as an operator would for offline verification; call again after
    a key rotation."""
    store = folder / "trust-store"
    store.mkdir(exist_ok=True)
    path = store / "zone.json"
    path.write_text(json.dumps(services.did_document()), encoding="utf-8")
    settings.PROOFS_TRUST_STORE = str(store)
    return path
