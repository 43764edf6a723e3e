"""Issuing credentials: W3C VC 2.0 documents secured with an ``eddsa-jcs-2022`` Data
Integrity proof, each appended as SHA-256(0x00 ‖ JCS(credential)) to the transparency log in
the same transaction. A batch costs a fixed number of queries (bulk inserts, one existence
query); ``events.credentials_issued`` then tells listeners (points) the work units earned."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core import bulk
from nomadcloud.proofs import badges, events
from nomadcloud.proofs.core import dataintegrity, merkle
from nomadcloud.proofs.events import CredentialsIssued, Holder, WorkUnitsEarned
from nomadcloud.proofs.models import Credential, LogEntry
from nomadcloud.proofs.services.identity import (
    current_key,
    iso,
    issuer_did,
    signing_seed,
    subject_id,
    verification_method,
)
from nomadcloud.proofs.services.log import append_leaves, lock_head
from nomadcloud.proofs.services.status import status_list_bits, status_list_url
from nomadcloud.risk import services as risk
from nomadcloud.risk.services import Issuance

VC_CONTEXT = badges.VC_CONTEXT
SOURCE_CHUNK = 5000  # sources per existence query (SQLite allows 32,766 parameters)


@dataclass
class Claims:
    """What one verified contribution claims. ``skills`` are (code, label_zh, label_en).
    ``score`` is a percentage (training); ``acceptance`` is ``enterprise`` or ``automatic``
    (orders)."""

    kind: str
    source: str
    title_zh: str
    title_en: str
    enterprise_id: str
    enterprise_zh: str
    enterprise_en: str
    period_start: datetime
    period_end: datetime
    work_units: Decimal
    items: int | None = None
    hours: Decimal | None = None
    accuracy: float | None = None
    rating: float | None = None
    skills: list[tuple[str, str, str]] = field(default_factory=list)
    score: Decimal | None = None
    revisions: int | None = None
    acceptance: str = ""
    enterprise_verified: bool | None = None  # filled in when issuing


def _document(
    claims: Claims,
    subject: str,
    public_id: uuid.UUID,
    position: tuple[int, int],
    now: str,
    issuer: str,
) -> dict[str, Any]:
    quantity: dict[str, Any] = {}
    quality: dict[str, Any] = {}
    work: dict[str, Any] = {
        "type": "WorkContribution",
        "kind": claims.kind,
        "name": {"zh": claims.title_zh, "en": claims.title_en},
        "enterprise": {
            "id": f"urn:uuid:{claims.enterprise_id}",
            "name": {"zh": claims.enterprise_zh, "en": claims.enterprise_en},
        },
        "period": {"start": iso(claims.period_start), "end": iso(claims.period_end)},
        "quantity": quantity,
        "quality": quality,
        "skills": [{"id": c, "label": {"zh": zh, "en": en}} for c, zh, en in claims.skills],
        "workUnits": str(claims.work_units),
    }
    if claims.acceptance:
        work["acceptance"] = claims.acceptance
    if claims.enterprise_verified is not None:
        # Work accepted by an unverified organisation is proven as such (docs/risk.md).
        work["enterprise"]["verified"] = claims.enterprise_verified
    if claims.items is not None:
        quantity["items"] = claims.items
    if claims.hours is not None:
        quantity["hours"] = str(claims.hours)
    if claims.accuracy is not None:
        quality["accuracy"] = round(claims.accuracy, 4)
    if claims.rating is not None:
        quality["rating"] = round(claims.rating, 2)
    if claims.score is not None:
        quality["score"] = str(claims.score)
    if claims.revisions is not None:
        quality["revisions"] = claims.revisions
    number, index = position
    url = status_list_url(number)
    return {
        "@context": [VC_CONTEXT],
        "id": f"urn:uuid:{public_id}",
        "type": ["VerifiableCredential", "ProofOfWorkCredential"],
        "issuer": issuer,
        "validFrom": now,
        "credentialSubject": {"id": subject, "work": work},
        "credentialStatus": {
            "id": f"{url}#{index}",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": str(index),
            "statusListCredential": url,
        },
    }


def _existing_sources(wanted: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (kind, source) pairs already have a credential: one query per SOURCE_CHUNK."""
    found: set[tuple[str, str]] = set()
    pairs = sorted(wanted)
    for start in range(0, len(pairs), SOURCE_CHUNK):
        chunk = pairs[start : start + SOURCE_CHUNK]
        rows = Credential.objects.filter(
            kind__in={k for k, _s in chunk}, source__in=[s for _k, s in chunk]
        ).values_list("kind", "source")
        found.update((k, s) for k, s in rows)
    return found & wanted


def _next_position() -> tuple[int, int]:
    """The last used (list, index), or (1, -1) for none. Call with the log head locked."""
    last = (
        Credential.objects.order_by("-status_list", "-status_index")
        .values_list("status_list", "status_index")
        .first()
    )
    return (1, -1) if last is None else (last[0], last[1])


def issue_credentials(user: User, claims_list: list[Claims]) -> list[Credential]:
    """Issue one credential per claims (skipping sources already issued) and append them all
    to the log under one lock of the log head."""
    holder = Holder(user.pk, user.public_id)
    return issue_pairs([(holder, claims) for claims in claims_list])


@transaction.atomic
def issue_pairs(pairs: list[tuple[Holder, Claims]]) -> list[Credential]:
    """Issue for (person, claims) pairs in one transaction, with a fixed number of queries:
    key, head lock, one existence query, the last status position, the bulk insert of the
    credentials (and reading back their ids), the compact range and the new nodes
    (``append_leaves``), the log entries. Then ``credentials_issued`` is sent once, inside
    the transaction, with the work units each new credential carries."""
    if not pairs:
        return []
    key = current_key()
    seed = signing_seed(key)
    method = verification_method(key)
    head = lock_head()
    seen = _existing_sources({(c.kind, c.source) for _u, c in pairs})
    todo: list[tuple[Holder, Claims]] = []
    for holder, claims in pairs:
        if (claims.kind, claims.source) not in seen:
            seen.add((claims.kind, claims.source))
            todo.append((holder, claims))
    if not todo:
        return []
    _mark_verified_enterprises([c for _h, c in todo])
    number, index = _next_position()
    bits = status_list_bits()
    issuer = issuer_did()
    moment = timezone.now()
    now = iso(moment)
    # The proof options are the batch's: their canonical form and hash are computed once.
    prover = dataintegrity.Prover([VC_CONTEXT], seed, verification_method=method, created=now)
    subjects: dict[int, str] = {}
    created: list[Credential] = []
    hashes: list[bytes] = []
    texts: list[str] = []
    earned: list[WorkUnitsEarned] = []
    screened: list[Issuance] = []
    for holder, claims in todo:
        index += 1
        if index >= bits:
            number, index = number + 1, 0
        subject = subjects.get(holder.pk) or subjects.setdefault(
            holder.pk, subject_id(holder.public_id)
        )
        public_id = uuid.uuid4()
        unsigned = _document(claims, subject, public_id, (number, index), now, issuer)
        secured, canonical = prover.secure(unsigned)
        created.append(
            Credential(
                public_id=public_id,
                user_id=holder.pk,
                subject=subject,
                kind=claims.kind,
                source=claims.source,
                document=secured,
                status_list=number,
                status_index=index,
                issued_at=moment,
            )
        )
        hashes.append(merkle.hash_leaf(canonical))  # = leaf_hash(secured)
        texts.append(canonical.decode())
        if claims.work_units > 0:
            earned.append(WorkUnitsEarned(holder, public_id, claims.work_units))
            screened.append(_issuance(holder, public_id, claims))
    _store_credentials(created, texts, moment)
    first = append_leaves(head, hashes)
    entries = [
        (first + n, lh, credential.pk)
        for n, (credential, lh) in enumerate(zip(created, hashes, strict=True))
    ]
    # Plain integers and 32-byte hashes: nothing for the fields to prepare.
    bulk.insert_rows(LogEntry, ("index", "leaf_hash", "credential"), entries, prepared=True)
    # Work units only from real, verified work: the risk engine holds suspicious ones for a
    # zone operator (docs/risk.md); the credential is issued either way and proves the work.
    allowed = {i.credential_id for i in risk.screen(screened)}
    earned = [e for e in earned if e.credential_id in allowed]
    events.credentials_issued.send(CredentialsIssued(tuple(created), tuple(earned)))
    return created


def _mark_verified_enterprises(claims_list: list[Claims]) -> None:
    """Say in each claims whether the accepting organisation was verified (one query)."""
    ids: set[uuid.UUID] = set()
    for claims in claims_list:
        try:
            ids.add(uuid.UUID(claims.enterprise_id))
        except ValueError:
            continue
    verified = {
        str(public_id)
        for public_id in Organisation.objects.filter(
            public_id__in=ids, verification_status=Organisation.Verification.VERIFIED
        ).values_list("public_id", flat=True)
    }
    for claims in claims_list:
        claims.enterprise_verified = claims.enterprise_id in verified


def _issuance(holder: Holder, public_id: uuid.UUID, claims: Claims) -> Issuance:
    try:
        organisation: uuid.UUID | None = uuid.UUID(claims.enterprise_id)
    except ValueError:
        organisation = None
    return Issuance(
        credential_id=public_id,
        holder_id=holder.pk,
        organisation_id=organisation,
        kind=claims.kind,
        source=claims.source,
        units=claims.work_units,
    )


def _store_credentials(created: list[Credential], documents: list[str], moment: datetime) -> None:
    """Insert new credentials with one ``executemany`` (``core.bulk``), each document as the
    canonical JSON text already written for its signature, and give the instances the ids
    they got (read back by public id)."""
    from django.db import connection

    fields = ("public_id", "user", "subject", "kind", "source", "status_list", "status_index")
    bulk.insert_rows(
        Credential,
        [*fields, "document"],
        (
            (
                c.public_id,
                c.user_id,
                c.subject,
                c.kind,
                c.source,
                c.status_list,
                c.status_index,
                text,
            )
            for c, text in zip(created, documents, strict=True)
        ),
        json_text={"document"},
        # The same in every new credential: prepared once.
        constants={
            "issued_at": moment,
            "revoked_at": None,
            "revoked_by": None,
            "revoked_reason": "",
        },
    )
    ids: dict[uuid.UUID, int] = {}
    public_ids = [c.public_id for c in created]
    for start in range(0, len(public_ids), SOURCE_CHUNK):
        chunk = public_ids[start : start + SOURCE_CHUNK]
        ids.update(Credential.objects.filter(public_id__in=chunk).values_list("public_id", "pk"))
    for credential in created:
        credential.pk = ids[credential.public_id]
        credential._state.adding = False
        credential._state.db = connection.alias


def issue_credential(user: User, claims: Claims) -> Credential | None:
    issued = issue_credentials(user, [claims])
    return issued[0] if issued else None
