"""Issuing, logging, verifying and revoking proof-of-work credentials.

- ``issue_credentials`` builds W3C VC 2.0 documents secured with an ``eddsa-jcs-2022`` Data
  Integrity proof and appends SHA-256(0x00 ‖ JCS(credential)) of each to the transparency
  log in the same transaction. Appends are serialised by locking the single ``LogHead`` row;
  a batch costs a fixed number of queries (bulk inserts, one existence query).
- ``issue_for_batch`` / ``issue_for_order`` / ``issue_for_enrolment`` turn accepted work
  (data batches, orders, passed training scenarios) into credentials; ``signals.py`` calls
  them inside the accepting transaction. Work units: ``units.py``.
- ``openbadge`` restates a credential as an Open Badges 3.0 ``OpenBadgeCredential``.
- ``publish_checkpoint`` signs the current tree head as a C2SP tlog-checkpoint note.
- ``inclusion_proof`` / ``consistency_proof`` read O(log n) stored nodes in one query.
- ``status_list_credential(n)`` is the n-th Bitstring Status List (they roll over when full).
- ``verify`` reports each check (signature, issuer key, status, log inclusion) with a code;
  ``verify_offline`` does the same with no database.
- ``revoke``, ``publish_checkpoint_as`` and ``register_external_key`` are for the zone
  operator only and are audited.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import hmac
import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Min, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import is_zone_operator, require_authenticated, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, bulk, crypto
from nomadcloud.core.errors import Conflict, Forbidden, NotFound, invalid_field
from nomadcloud.proofs import badges, signals, statuslist, units
from nomadcloud.proofs.core import dataintegrity, ed25519, merkle, note
from nomadcloud.proofs.core.jcs import JCSError, canonicalize
from nomadcloud.proofs.models import (
    Checkpoint,
    Credential,
    ExternalKey,
    IssuerKey,
    LogEntry,
    LogHead,
    LogNode,
    RevocationEntry,
)

VC_CONTEXT = badges.VC_CONTEXT
OB_CONTEXT = badges.OB_CONTEXT
STATUS_LIST_BITS = 131072  # 16 KiB, the minimum the Bitstring Status List spec recommends
SOURCE_CHUNK = 5000  # sources per existence query (SQLite allows 32,766 parameters)
FETCH_CHUNK = 8000  # log nodes per query (two parameters each)


# --- identity ---------------------------------------------------------------------------------
def domain() -> str:
    """The host (and port) of the configured site, as used in did:web."""
    return urlsplit(settings.SITE_URL).netloc or "localhost"


def issuer_did() -> str:
    return "did:web:" + domain().replace(":", "%3A")


def log_origin() -> str:
    """The checkpoint origin line (and note key name) of this zone's log."""
    return f"{domain()}/proofs/log"


def subject_id(user: User) -> str:
    """A stable pseudonymous subject id: an HMAC of the person's public id under a key derived
    from SECRET_KEY. It reveals nothing about the person and is the same for all of theirs."""
    key = hashlib.sha256(b"nomadcloud-proofs-subject:" + settings.SECRET_KEY.encode()).digest()
    digest = hmac.new(key, str(user.public_id).encode(), hashlib.sha256).hexdigest()
    return f"urn:nomadcloud:subject:{digest[:32]}"


def verification_method(key: IssuerKey) -> str:
    return f"{issuer_did()}#{key.public_multikey}"


_SEEDS: dict[tuple[int, str], bytes] = {}


def _seed(key: IssuerKey) -> bytes:
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


# --- status lists -----------------------------------------------------------------------------
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


def _status_position(entry: object) -> tuple[int, int] | None:
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
        "validFrom": _iso(timezone.now()),
        "credentialSubject": {
            "id": f"{url}#list",
            "type": "BitstringStatusList",
            "statusPurpose": "revocation",
            "encodedList": statuslist.encode(revoked, bits),
            "revocationReasons": {str(i): reason for i, reason in sorted(revoked.items())},
        },
    }
    return dataintegrity.add_proof(
        doc, _seed(key), verification_method=verification_method(key), created=doc["validFrom"]
    )


# --- issuing ----------------------------------------------------------------------------------
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


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


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
        "period": {"start": _iso(claims.period_start), "end": _iso(claims.period_end)},
        "quantity": quantity,
        "quality": quality,
        "skills": [{"id": c, "label": {"zh": zh, "en": en}} for c, zh, en in claims.skills],
        "workUnits": str(claims.work_units),
    }
    if claims.acceptance:
        work["acceptance"] = claims.acceptance
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


def leaf_hash(document: dict[str, Any]) -> bytes:
    return merkle.hash_leaf(canonicalize(document))


def _lock_head() -> LogHead:
    head, _created = LogHead.objects.get_or_create(pk=1)
    return LogHead.objects.select_for_update().get(pk=head.pk)


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
    return _issue([(user, claims) for claims in claims_list])


@transaction.atomic
def _issue(pairs: list[tuple[User, Claims]]) -> list[Credential]:
    """Issue for (person, claims) pairs in one transaction, with a fixed number of queries:
    key, head lock, one existence query, the last status position, the bulk insert of the
    credentials (and reading back their ids), the compact range and the new nodes
    (``_append``), the log entries. ``credential_issued`` is sent once per new credential,
    inside the transaction."""
    if not pairs:
        return []
    key = current_key()
    seed = _seed(key)
    method = verification_method(key)
    head = _lock_head()
    seen = _existing_sources({(c.kind, c.source) for _u, c in pairs})
    todo: list[tuple[User, Claims]] = []
    for user, claims in pairs:
        if (claims.kind, claims.source) not in seen:
            seen.add((claims.kind, claims.source))
            todo.append((user, claims))
    if not todo:
        return []
    number, index = _next_position()
    bits = status_list_bits()
    issuer = issuer_did()
    moment = timezone.now()
    now = _iso(moment)
    subjects: dict[int, str] = {}
    created: list[Credential] = []
    hashes: list[bytes] = []
    texts: list[str] = []
    for user, claims in todo:
        index += 1
        if index >= bits:
            number, index = number + 1, 0
        subject = subjects.get(user.pk) or subjects.setdefault(user.pk, subject_id(user))
        public_id = uuid.uuid4()
        unsigned = _document(claims, subject, public_id, (number, index), now, issuer)
        secured, canonical = dataintegrity.add_proof_canonical(
            unsigned, seed, verification_method=method, created=now
        )
        created.append(
            Credential(
                public_id=public_id,
                user=user,
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
    _store_credentials(created, texts)
    first = _append(head, hashes)
    entries = [
        (first + n, lh, credential.pk)
        for n, (credential, lh) in enumerate(zip(created, hashes, strict=True))
    ]
    # Plain integers and 32-byte hashes: nothing for the fields to prepare.
    bulk.insert_rows(LogEntry, ("index", "leaf_hash", "credential"), entries, prepared=True)
    for credential in created:
        signals.credential_issued.send(sender=Credential, credential=credential)
    signals.credentials_issued.send(sender=Credential, credentials=created)
    return created


def _append(head: LogHead, leaf_hashes: list[bytes]) -> int:
    """Append leaves to the log, whose head the caller has locked: store the nodes they
    complete (read: the compact range, one query) and move the head. Returns the first
    new leaf's index; the caller stores what each leaf is (credential or revocation)."""
    compact = merkle.CompactRange.from_nodes(
        head.size, _fetch(merkle.nodes_for_range(0, head.size))
    )
    first = compact.size
    nodes = [(n.level, n.index, h) for lh in leaf_hashes for n, h in compact.append(lh)]
    bulk.insert_rows(LogNode, ("level", "index", "hash"), nodes, prepared=True)
    head.size = compact.size
    head.save(update_fields=["size"])
    return first


def _store_credentials(created: list[Credential], documents: list[str]) -> None:
    """Insert new credentials with one ``executemany`` (``core.bulk``), each document as the
    canonical JSON text already written for its signature, and give the instances the ids
    they got (read back by public id)."""
    from django.db import connection

    fields = [f for f in Credential._meta.concrete_fields if f.name not in {"id", "document"}]
    bulk.insert_rows(
        Credential,
        [*(f.name for f in fields), "document"],
        (
            [getattr(c, f.attname) for f in fields] + [text]  # user_id, not the user
            for c, text in zip(created, documents, strict=True)
        ),
        json_text={"document"},
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


def _skill_labels(codes: Iterable[str]) -> dict[str, tuple[str, str]]:
    from nomadcloud.taxonomy.models import Concept

    wanted = set(codes)
    if not wanted:
        return {}
    return {
        c.code: (c.label_zh or c.label_en or c.code, c.label_en or c.label_zh or c.code)
        for c in Concept.objects.filter(code__in=wanted)
    }


def _skills(pairs: Iterable[tuple[str, int]], labels: dict[str, tuple[str, str]]) -> list[Any]:
    return [(code, *labels.get(code, (code, code))) for code, _level in pairs]


def _data_claims(works: list[Any]) -> list[tuple[User, Claims]]:
    labels = _skill_labels(code for w in works for code, _lvl in w.skills)
    pairs = []
    for work in works:
        batch = work.batch
        org = batch.organisation
        title_zh = batch.title_zh or batch.title_en
        title_en = batch.title_en or batch.title_zh
        claims = Claims(
            kind=Credential.Kind.DATA,
            source=f"{batch.public_id}:{work.user.public_id}",
            title_zh=title_zh,
            title_en=title_en,
            enterprise_id=str(org.public_id),
            enterprise_zh=org.name_zh or org.name_en,
            enterprise_en=org.name_en or org.name_zh,
            period_start=batch.opened_at or batch.created_at,
            period_end=work.accepted_at,
            work_units=units.for_data(work.amount),
            items=work.items_accepted,
            accuracy=work.accuracy,
            skills=_skills(work.skills, labels),
        )
        pairs.append((work.user, claims))
    return pairs


def issue_for_batch(batch: Any) -> list[Credential]:
    """Credentials for every worker's accepted work on an accepted data batch, issued
    together (one lock, bulk inserts)."""
    from nomadcloud.datatasks.services import accepted_work

    works = accepted_work(batch)
    for work in works:
        work.batch.organisation = batch.organisation  # already loaded by the caller
    return _issue(_data_claims(works))


def _order_claims(user: User, accepted: list[Any]) -> list[tuple[User, Claims]]:
    """Claims of accepted orders (``orders.services.AcceptedOrder``); the period starts when
    the nomad was assigned."""
    from nomadcloud.orders.models import OrderEvent

    if not accepted:
        return []
    starts = dict(
        OrderEvent.objects.filter(
            order__public_id__in=[a.order_id for a in accepted], to_status="assigned"
        )
        .values("order__public_id")
        .annotate(first=Min("at"))
        .values_list("order__public_id", "first")
    )
    labels = _skill_labels(code for a in accepted for code, _lvl in a.skills)
    return [
        (
            user,
            Claims(
                kind=Credential.Kind.ORDER,
                source=a.reference,
                title_zh=a.title_zh or a.title_en,
                title_en=a.title_en or a.title_zh,
                enterprise_id=str(a.organisation_id),
                enterprise_zh=a.organisation_name_zh or a.organisation_name_en,
                enterprise_en=a.organisation_name_en or a.organisation_name_zh,
                period_start=starts.get(a.order_id) or a.accepted_at,
                period_end=a.accepted_at,
                work_units=units.for_order(a.total),
                rating=a.rating_by_enterprise,
                revisions=a.revisions,
                acceptance="automatic" if a.accepted_automatically else "enterprise",
                skills=_skills(a.skills, labels),
            ),
        )
        for a in accepted
    ]


def _training_claims(user: User, completions: list[Any]) -> list[tuple[User, Claims]]:
    """Claims of passed training (``training.services.Completion``); the period starts at
    enrolment."""
    from nomadcloud.training.models import Enrolment

    if not completions:
        return []
    starts = dict(
        Enrolment.objects.filter(public_id__in=[c.enrolment_id for c in completions]).values_list(
            "public_id", "enrolled_at"
        )
    )
    labels = _skill_labels(code for c in completions for code, _lvl in c.skills)
    return [
        (
            user,
            Claims(
                kind=Credential.Kind.TRAINING,
                source=c.reference,
                title_zh=c.title_zh or c.title_en,
                title_en=c.title_en or c.title_zh,
                enterprise_id=str(c.organisation_id),
                enterprise_zh=c.organisation_name_zh or c.organisation_name_en,
                enterprise_en=c.organisation_name_en or c.organisation_name_zh,
                period_start=starts.get(c.enrolment_id) or c.completed_at,
                period_end=c.completed_at,
                work_units=units.for_training(),
                score=c.score,
                skills=_skills(c.skills, labels),
            ),
        )
        for c in completions
    ]


def issue_for_order(order: Any) -> list[Credential]:
    """The credential of an accepted order (by the enterprise or automatically)."""
    from nomadcloud.orders.services import accepted_orders_for

    if order.nomad is None:
        return []
    accepted = [a for a in accepted_orders_for(order.nomad) if a.reference == order.reference]
    return _issue(_order_claims(order.nomad, accepted))


def issue_for_enrolment(enrolment: Any) -> list[Credential]:
    """The credential of a passed training scenario."""
    from nomadcloud.training.services import completed_trainings_for

    nomad = enrolment.nomad
    done = [c for c in completed_trainings_for(nomad) if c.reference == enrolment.reference]
    return _issue(_training_claims(nomad, done))


def issue_missing(user: User) -> list[Credential]:
    """Credentials for all of a person's verified work that has none yet (data batches,
    orders, training), e.g. work accepted before credentials were issued automatically."""
    from nomadcloud.datatasks.services import accepted_work_for
    from nomadcloud.orders.services import accepted_orders_for
    from nomadcloud.training.services import completed_trainings_for

    pairs = _data_claims(accepted_work_for(user))
    pairs += _order_claims(user, accepted_orders_for(user))
    pairs += _training_claims(user, completed_trainings_for(user))
    return _issue(pairs)


def people_with_verified_work() -> list[User]:
    from nomadcloud.datatasks.models import AcceptedWork as AcceptedWorkRow
    from nomadcloud.orders.models import Order
    from nomadcloud.training.models import Enrolment

    ids = set(AcceptedWorkRow.objects.values_list("worker_id", flat=True))
    ids |= set(
        Order.objects.filter(accepted_at__isnull=False, nomad__isnull=False).values_list(
            "nomad_id", flat=True
        )
    )
    ids |= set(
        Enrolment.objects.filter(status=Enrolment.Status.PASSED).values_list("nomad_id", flat=True)
    )
    return list(User.objects.filter(pk__in=ids).order_by("pk"))


# --- Open Badges 3.0 --------------------------------------------------------------------------
def openbadge(credential: Credential) -> dict[str, Any]:
    """The credential as a signed Open Badges 3.0 ``OpenBadgeCredential``. Signed when asked
    for (not stored, not a log entry of its own) with the current key; ``created`` is the
    credential's issue time, so the same key gives the same bytes. It verifies like the
    credential: its status entry is the credential's, and its log check rebuilds it from the
    logged credential (``badges.openbadge``) and checks that credential's inclusion."""
    key = current_key()
    unsigned = badges.openbadge(credential.document)
    return dataintegrity.add_proof(
        unsigned,
        _seed(key),
        verification_method=verification_method(key),
        created=unsigned["validFrom"],
    )


def _same_badge(presented: dict[str, Any], logged: dict[str, Any]) -> bool:
    """Whether a presented badge (minus its proof) is exactly the restatement of a logged
    credential."""
    try:
        expected = badges.openbadge(logged)
        bare = {k: v for k, v in presented.items() if k != "proof"}
        return canonicalize(bare) == canonicalize(expected)
    except (badges.BadgeError, JCSError):
        return False


# --- checkpoints and proofs -------------------------------------------------------------------
def _signer(key: IssuerKey) -> note.Signer:
    return note.Signer.from_seed(log_origin(), _seed(key))


def checkpoint_verifier() -> note.Verifier:
    return _signer(current_key()).verifier()


def log_size() -> int:
    head = LogHead.objects.filter(pk=1).first()
    return head.size if head is not None else 0


def _root(size: int) -> bytes:
    if size == 0:
        return merkle.EMPTY_ROOT
    return merkle.root_from_nodes(size, _fetch(merkle.nodes_for_range(0, size)))


def _fetch(ids: Any) -> merkle.NodeReader:
    """Read the given nodes in one query; the reader answers from what was read.

    Each wanted (level, index) pair costs one lookup in the (level, index) unique index,
    whatever the size of the log. On PostgreSQL the pairs travel as two arrays (two
    parameters however many nodes) and each is looked up in a LATERAL subquery: as a plain
    join, the planner hashed the whole node table for a batch's few thousand nodes (43 ms
    instead of 11 ms at 60,000 entries, and growing with the log). On SQLite they are a
    VALUES list joined to the table, in chunks within its parameter limit. The SQL is
    written directly: the same query built with the ORM (an OR of ~2·log2 n lookups) cost
    about ten times the database's own time (benchmarks/proofs)."""
    from django.db import connection

    rows: dict[tuple[int, int], bytes] = {}
    everything = sorted(set(ids))
    quote, meta = connection.ops.quote_name, LogNode._meta
    table = quote(meta.db_table)
    column = {f.name: quote(str(f.column)) for f in meta.concrete_fields}
    level, index, digest = column["level"], column["index"], column["hash"]
    batches: list[tuple[str, list[Any]]] = []
    # Quoted names from the model's meta; every value is a parameter.
    if connection.vendor == "postgresql" and everything:
        sql = (
            "SELECT wanted.lvl, wanted.idx, node.hash "  # noqa: S608
            "FROM unnest(%s::bigint[], %s::bigint[]) AS wanted (lvl, idx) "
            f"CROSS JOIN LATERAL (SELECT n.{digest} AS hash FROM {table} n "
            f"WHERE n.{level} = wanted.lvl AND n.{index} = wanted.idx "
            "LIMIT 1) AS node"  # (level, index) is unique; LIMIT keeps the lookup per row
        )
        batches.append((sql, [[n[0] for n in everything], [n[1] for n in everything]]))
    else:
        for start in range(0, len(everything), FETCH_CHUNK):
            chunk = everything[start : start + FETCH_CHUNK]
            pairs = ", ".join(["(CAST(%s AS BIGINT), CAST(%s AS BIGINT))"] * len(chunk))
            sql = (
                f"WITH wanted (lvl, idx) AS (VALUES {pairs}) "  # noqa: S608
                f"SELECT n.{level}, n.{index}, n.{digest} FROM wanted "
                f"JOIN {table} n ON n.{level} = wanted.lvl AND n.{index} = wanted.idx"
            )
            batches.append((sql, [value for pair in chunk for value in pair]))
    with connection.cursor() as cursor:
        for sql, params in batches:
            cursor.execute(sql, params)
            for lvl, idx, value in cursor.fetchall():
                rows[(lvl, idx)] = bytes(value)

    def read(level: int, index: int) -> bytes:
        return rows[(level, index)]

    return read


@transaction.atomic
def publish_checkpoint() -> Checkpoint:
    """Sign the current tree head. A new checkpoint only when the log has grown since the
    last one, so a scheduled run every few minutes adds nothing while nothing is issued."""
    cp, _new = _publish()
    return cp


def _publish() -> tuple[Checkpoint, bool]:
    head = _lock_head()
    latest = Checkpoint.objects.order_by("-size", "-id").first()
    if latest is not None and latest.size == head.size:
        return latest, False
    key = current_key()
    root = _root(head.size)
    text = note.format_checkpoint(note.Checkpoint(log_origin(), head.size, root, ()))
    signed = note.sign_note(text, [_signer(key)])
    return Checkpoint.objects.create(size=head.size, root=root, note=signed, key=key), True


@transaction.atomic
def publish_checkpoint_as(*, principal: Principal) -> tuple[Checkpoint, bool]:
    """The operator publishes a checkpoint now (audited, also when the log has not grown and
    the latest checkpoint is returned)."""
    _require_operator(principal, _("Only the zone operator may publish checkpoints."))
    cp, new = _publish()
    audit.record(
        actor=principal.user,
        action="proofs.checkpoint.publish",
        obj=cp,
        after={"size": cp.size, "new": new},
        token=principal.token,
    )
    return cp, new


def latest_checkpoint() -> Checkpoint | None:
    return Checkpoint.objects.order_by("-size", "-id").first()


def inclusion_proof(index: int, size: int) -> list[bytes]:
    if not 0 <= index < size <= log_size():
        raise invalid_field(
            "index", _("The index must be below the tree size."), code="out_of_range"
        )
    plan = merkle.inclusion_plan(index, size)
    return merkle.proof_from_plan(plan, _fetch(merkle.plan_node_ids(plan)))


def consistency_proof(first: int, second: int) -> list[bytes]:
    if not 0 < first <= second <= log_size():
        raise invalid_field(
            "first", _("The sizes must satisfy 0 < first ≤ second ≤ log size."), code="out_of_range"
        )
    plan = merkle.consistency_plan(first, second)
    return merkle.proof_from_plan(plan, _fetch(merkle.plan_node_ids(plan)))


def _checkpoint_key(cp: Checkpoint) -> IssuerKey | None:
    if cp.key_id is not None:
        return cp.key
    for key in IssuerKey.objects.order_by("-id"):  # checkpoints from before keys were stored
        try:
            note.open_note(cp.note, [_signer(key).verifier()])
        except note.NoteError:
            continue
        return key
    return None


def bundle(credential: Credential) -> dict[str, Any]:
    """The credential with what an offline verifier needs: its log index, an inclusion proof
    to the latest checkpoint covering it, that signed checkpoint and the key that signed it
    (which differs from the credential's after a key rotation)."""
    index = credential.log_entry.index
    cp = latest_checkpoint()
    log: dict[str, Any] = {"origin": log_origin(), "index": index, **_proved_by(cp, index)}
    if "checkpoint" in log and cp is not None:
        key = _checkpoint_key(cp)
        if key is not None:
            log["checkpointKey"] = verification_method(key)
    return {"credential": credential.document, "log": log}


def _b64(digest: bytes) -> str:
    return base64.b64encode(digest).decode()


def _proved_by(cp: Checkpoint | None, index: int) -> dict[str, Any]:
    """``treeSize``, ``inclusionProof`` (base64) and the signed ``checkpoint`` note for the
    log leaf ``index`` once ``cp`` covers it; nothing before."""
    if cp is None or cp.size <= index:
        return {}
    return {
        "treeSize": cp.size,
        "inclusionProof": [_b64(h) for h in inclusion_proof(index, cp.size)],
        "checkpoint": cp.note,
    }


def verification_url(credential: Credential) -> str:
    """The public address that loads this credential and shows its verification (QR code)."""
    return f"{settings.SITE_URL}/proofs/verify/?credential={credential.public_id}"


# --- verification -----------------------------------------------------------------------------
@dataclass
class Check:
    name: str
    ok: bool
    code: str
    message: str


@dataclass
class Verification:
    valid: bool
    checks: list[Check]
    document: dict[str, Any] | None = None
    revoked_reason: str = ""
    work: dict[str, Any] | None = None  # the claims (of the logged credential, for a badge)
    shape: str = "vc"  # "vc" or "openbadge"
    revocation_log_index: int | None = None  # where the log recorded the revocation


def check_names() -> dict[str, str]:
    return {
        "format": _("Format"),
        "issuer_key": _("Issuer key"),
        "signature": _("Signature"),
        "status": _("Status"),
        "log": _("Log inclusion"),
    }


def messages() -> dict[str, str]:
    """The check messages in the active language (built once per language: verification
    asks for them several times per credential)."""
    return _messages(get_language() or settings.LANGUAGE_CODE)


@functools.lru_cache(maxsize=16)
def _messages(language: str) -> dict[str, str]:
    return {
        "ok": _("Passed."),
        "malformed": _("This is not a credential: the JSON is malformed or incomplete."),
        "no_proof": _("The credential carries no proof."),
        "wrong_issuer": _("The credential was issued by someone else."),
        "unknown_key": _("The signing key is not one of this zone's keys."),
        "signature": _(
            "The signature does not match: the credential was changed or signed with another key."
        ),
        "proof_value": _("The proof value is malformed."),
        "cryptosuite": _("The proof uses an unsupported cryptosuite."),
        "created": _("The proof's creation date is malformed."),
        "context_mismatch": _("The proof's context does not match the credential."),
        "not_canonicalizable": _("The credential cannot be canonicalised."),
        "unknown_credential": _("This zone has no record of this credential."),
        "revoked": _("The credential was revoked."),
        "status_entry": _(
            "The credential's status entry does not point to its place in this zone's status lists."
        ),
        "unchecked": _(
            "Revocation was not checked: offline, give the status list file with --status-list."
        ),
        "status_list_other": _(
            "The status list file is not the list this credential points to, or not this issuer's."
        ),
        "status_list_signature": _("The status list file's signature does not verify."),
        "status_list_malformed": _("The status list file is malformed."),
        "not_logged": _("The credential is not in the log, or the logged copy differs."),
        "badge_mismatch": _(
            "This Open Badges credential does not restate the logged credential it names."
        ),
        "no_source": _(
            "An Open Badges credential is checked against the log through the credential it "
            "restates: give that credential's downloaded file with --source."
        ),
        "pending": _("Logged; not yet covered by a published checkpoint."),
        "inclusion": _("The inclusion proof does not lead to the checkpoint's root."),
        "other_log": _("The proof comes from another log."),
        "bigger_tree": _("The proof is for a bigger tree than the checkpoint."),
        "checkpoint": _("The checkpoint's signature does not verify."),
        "no_checkpoint": _("No checkpoint was given, so log inclusion was not checked."),
        "skipped": _("Not checked because an earlier check failed."),
    }


PASSING = {"ok", "pending", "unchecked"}


def _check(name: str, code: str, reason: str = "", *, texts: dict[str, str] | None = None) -> Check:
    message = (texts if texts is not None else messages()).get(code, code)
    if code == "revoked" and reason:
        message = _("The credential was revoked. Reason: %(reason)s") % {"reason": reason}
    return Check(name, code in PASSING, code, message)


def _checker() -> Callable[..., Check]:
    """``_check`` with the active language's messages looked up once (a verification makes
    five or more checks, and looking up the language each time was measurable)."""
    return functools.partial(_check, texts=messages())


def key_from_method(method: object) -> bytes | None:
    if not isinstance(method, str) or "#" not in method:
        return None
    try:
        return ed25519.multikey_decode_public(method.split("#", 1)[1])
    except ValueError:
        return None


def parse(raw: str | bytes) -> Any:
    try:
        return json.loads(raw)
    except (ValueError, RecursionError):
        return None


def _issuer_of(document: dict[str, Any]) -> object:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _unbundle(value: Any) -> tuple[Any, dict[str, Any]]:
    """(credential, log info) of a downloaded bundle {credential, log}, or (value, {})."""
    if isinstance(value, dict) and "credential" in value and "proof" not in value:
        log = value.get("log")
        return value["credential"], log if isinstance(log, dict) else {}
    return value, {}


def _public_id(cid: object) -> uuid.UUID | None:
    if not isinstance(cid, str) or not cid.startswith("urn:uuid:"):
        return None
    try:
        return uuid.UUID(cid[9:])
    except ValueError:
        return None


def _work_of(document: object) -> dict[str, Any] | None:
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    work = subject.get("work") if isinstance(subject, dict) else None
    return work if isinstance(work, dict) else None


@dataclass
class _Logged:
    """What verification needs of a stored credential, read as plain values (building model
    instances for a batch cost more than the database's work). The stored document is read
    only when needed: for a badge, or a presented copy that differs from the logged one."""

    pk: int
    status_list: int
    status_index: int
    revoked_at: datetime | None
    revoked_reason: str
    log_index: int | None
    leaf_hash: bytes | None
    revocation_index: int | None

    @functools.cached_property
    def document(self) -> dict[str, Any]:
        document: dict[str, Any] = Credential.objects.values_list("document", flat=True).get(
            pk=self.pk
        )
        return document


@dataclass
class _Zone:
    """What verifying against this zone reads from the database, once per batch."""

    issuer: str
    keys: set[str]
    credentials: dict[uuid.UUID, _Logged]
    checkpoint: Checkpoint | None
    nodes: merkle.NodeReader
    plans: dict[int, merkle.Plan]
    """Inclusion plans by log index, against ``checkpoint``."""
    check: Callable[..., Check]


def verify(document: Any) -> Verification:
    """Verify a credential (or its Open Badges 3.0 shape, or a downloaded bundle) against
    this zone: issuer key, signature, status (read from the status list the credential
    names) and log inclusion."""
    return verify_many([document])[0]


def _named_credentials(documents: list[Any]) -> dict[uuid.UUID, _Logged]:
    """The stored credentials the documents name (one query per SOURCE_CHUNK)."""
    wanted: set[uuid.UUID] = set()
    for document in documents:
        if isinstance(document, dict):
            named = (
                badges.restated_credential_id(document)
                if badges.is_openbadge(document)
                else document.get("id")
            )
            public_id = _public_id(named)
            if public_id is not None:
                wanted.add(public_id)
    found: dict[uuid.UUID, _Logged] = {}
    ids = sorted(wanted)
    # The log entry is read by correlated subqueries, one index lookup per credential: as a
    # join, PostgreSQL hashed the whole entry table for a batch (benchmarks/proofs).
    entry = LogEntry.objects.filter(credential=OuterRef("pk"))
    revocation = RevocationEntry.objects.filter(credential=OuterRef("pk"))
    for start in range(0, len(ids), SOURCE_CHUNK):
        rows = Credential.objects.filter(public_id__in=ids[start : start + SOURCE_CHUNK])
        rows = rows.annotate(
            log_index=Subquery(entry.values("index")[:1]),
            leaf=Subquery(entry.values("leaf_hash")[:1]),
            revocation_index=Subquery(revocation.values("index")[:1]),
        )
        for public_id, pk, number, index, revoked_at, reason, *log in rows.values_list(
            "public_id",
            "pk",
            "status_list",
            "status_index",
            "revoked_at",
            "revoked_reason",
            "log_index",
            "leaf",
            "revocation_index",
        ):
            log_index, leaf, revocation_index = log
            found[public_id] = _Logged(
                pk,
                number,
                index,
                revoked_at,
                reason,
                log_index,
                bytes(leaf) if leaf is not None else None,
                revocation_index,
            )
    return found


def verify_many(documents: list[Any]) -> list[Verification]:
    """Verify many credentials with a fixed number of queries: the zone's keys, the
    credentials named, the latest checkpoint, and the log nodes of every inclusion proof."""
    unbundled = [_unbundle(d)[0] for d in documents]
    credentials = _named_credentials(unbundled)
    cp = latest_checkpoint()
    nodes: set[merkle.NodeId] = set()
    plans: dict[int, merkle.Plan] = {}
    if cp is not None:
        for credential in credentials.values():
            index = credential.log_index
            if index is not None and index < cp.size:
                plans[index] = merkle.inclusion_plan(index, cp.size)
                nodes.update(node for element in plans[index] for node in element)
    zone = _Zone(
        issuer=issuer_did(),
        keys=set(IssuerKey.objects.values_list("public_multikey", flat=True)),
        credentials=credentials,
        checkpoint=cp,
        nodes=_fetch(nodes),
        plans=plans,
        check=_checker(),
    )
    return [_verify_one(document, zone) for document in unbundled]


def _verify_one(document: Any, zone: _Zone) -> Verification:
    check = zone.check
    if not isinstance(document, dict) or not isinstance(document.get("proof"), dict):
        code = "no_proof" if isinstance(document, dict) else "malformed"
        return Verification(False, [check("format", code)])
    shape = "openbadge" if badges.is_openbadge(document) else "vc"
    checks = [check("format", "ok")]
    method = document["proof"].get("verificationMethod")
    key_bytes = key_from_method(method)
    if _issuer_of(document) != zone.issuer or not str(method).startswith(zone.issuer + "#"):
        checks.append(check("issuer_key", "wrong_issuer"))
    elif key_bytes is None or str(method).split("#", 1)[1] not in zone.keys:
        checks.append(check("issuer_key", "unknown_key"))
    else:
        checks.append(check("issuer_key", "ok"))
    canonical = None
    if key_bytes is None:
        checks.append(check("signature", "skipped"))
    else:
        result = dataintegrity.verify_proof(document, key_bytes)
        checks.append(check("signature", result.reason if not result.verified else "ok"))
        canonical = result.canonical
    named = badges.restated_credential_id(document) if shape == "openbadge" else document.get("id")
    public_id = _public_id(named)
    credential = zone.credentials.get(public_id) if public_id is not None else None
    reason, revocation_index = "", None
    if credential is None:
        checks.append(check("status", "unknown_credential"))
        checks.append(check("log", "skipped"))
        work = _work_of(document)
    else:
        position = _status_position(document.get("credentialStatus"))
        if position != (credential.status_list, credential.status_index):
            checks.append(check("status", "status_entry"))
        elif credential.revoked_at is not None:  # the bit at (list, index) is this row's
            reason = credential.revoked_reason
            revocation_index = credential.revocation_index
            checks.append(check("status", "revoked", reason))
        else:
            checks.append(check("status", "ok"))
        if shape == "openbadge" and not _same_badge(document, credential.document):
            checks.append(check("log", "badge_mismatch"))
        elif shape == "openbadge":
            checks.append(check("log", _log_code(credential, credential.document, zone)))
        else:
            checks.append(check("log", _log_code(credential, document, zone, canonical)))
        same = shape == "vc" and checks[-1].code in {"ok", "pending"}  # hash = logged copy's
        work = _work_of(document if same else credential.document)
    valid = all(c.ok for c in checks)
    return Verification(valid, checks, document, reason, work, shape, revocation_index)


def _log_code(
    credential: _Logged, document: dict[str, Any], zone: _Zone, canonical: bytes | None = None
) -> str:
    """The log check of a stored credential; ``canonical`` is the document's JCS when the
    signature check already computed it."""
    try:
        lh = merkle.hash_leaf(canonical) if canonical is not None else leaf_hash(document)
    except JCSError:
        return "not_logged"
    if credential.log_index is None or credential.leaf_hash != lh:
        return "not_logged"
    cp = zone.checkpoint
    if cp is None or cp.size <= credential.log_index:
        return "pending"
    # A published checkpoint is never bigger than the log; the nodes were read for the batch.
    index = credential.log_index
    plan = zone.plans.get(index) or merkle.inclusion_plan(index, cp.size)
    proof = merkle.proof_from_plan(plan, zone.nodes)
    ok = merkle.verify_inclusion(lh, index, cp.size, proof, bytes(cp.root))
    return "ok" if ok else "inclusion"


# --- offline verification (no database) -------------------------------------------------------
def did_keys(did_doc: Any) -> set[bytes] | None:
    """The public keys of a saved DID document (``/.well-known/did.json``), or None when it
    is not one."""
    if not isinstance(did_doc, dict) or not isinstance(did_doc.get("verificationMethod"), list):
        return None
    keys: set[bytes] = set()
    for method in did_doc["verificationMethod"]:
        value = method.get("publicKeyMultibase") if isinstance(method, dict) else None
        try:
            keys.add(ed25519.multikey_decode_public(str(value)))
        except ValueError:
            continue
    return keys


def verify_offline(
    bundle_or_doc: Any,
    checkpoint_text: str | None = None,
    *,
    status_list: Any = None,
    source: Any = None,
    did: Any = None,
) -> Verification:
    """Verify signature, status and log inclusion with no database and no network.

    The key comes from the proof's verificationMethod (did:web…#<multikey>); with ``did`` (a
    saved DID document) every key used must be one of its keys. The checkpoint comes from the
    bundle or ``checkpoint_text``. Revocation is checked only against ``status_list`` (a
    downloaded status list credential). An Open Badges credential is checked against the log
    through ``source``, the bundle of the credential it restates."""
    check = _checker()
    doc, log = _unbundle(bundle_or_doc)
    if not isinstance(doc, dict) or not isinstance(doc.get("proof"), dict):
        return Verification(
            False, [check("format", "no_proof" if isinstance(doc, dict) else "malformed")]
        )
    checks = [check("format", "ok")]
    trusted = did_keys(did) if did is not None else None
    key_bytes = key_from_method(doc["proof"].get("verificationMethod"))
    if did is not None:
        checks.append(
            check("issuer_key", "ok" if trusted and key_bytes in trusted else "unknown_key")
        )
    if key_bytes is None:
        checks.append(check("signature", "unknown_key"))
        return Verification(False, checks, doc)
    result = dataintegrity.verify_proof(doc, key_bytes)
    checks.append(check("signature", "ok" if result.verified else result.reason))
    reason = ""
    if status_list is None:
        checks.append(check("status", "unchecked"))
    else:
        code, reason = _offline_status(doc, status_list, trusted)
        checks.append(check("status", code, reason))
    shape = "openbadge" if badges.is_openbadge(doc) else "vc"
    logged, work, log_code = doc, _work_of(doc), ""
    if shape == "openbadge":
        logged, log = _unbundle(source)
        work = _work_of(logged)
        if source is None:
            log_code = "no_source"
        elif not _restates(doc, logged, trusted):
            log_code = "badge_mismatch"
    if not log_code:
        keys = {key_bytes} if trusted is None else set(trusted)
        named = log.get("checkpointKey")
        extra = key_from_method(named)
        if trusted is None and extra is not None and str(named).startswith(f"{_issuer_of(doc)}#"):
            keys.add(extra)  # the key that signed the checkpoint, after a rotation
        log_code = _offline_log(logged, log, checkpoint_text, keys)
    checks.append(check("log", log_code))
    return Verification(all(c.ok for c in checks), checks, doc, reason, work, shape)


def _restates(badge: dict[str, Any], main: Any, trusted: set[bytes] | None) -> bool:
    """Whether ``main`` is a validly signed credential that ``badge`` restates exactly."""
    if not _proved(main):
        return False
    key = key_from_method(main["proof"].get("verificationMethod"))
    return (
        key is not None
        and (trusted is None or key in trusted)
        and dataintegrity.verify_proof(main, key).verified
        and _same_badge(badge, main)
    )


def _proved(doc: Any) -> bool:
    return isinstance(doc, dict) and isinstance(doc.get("proof"), dict)


def _offline_status(
    doc: dict[str, Any], status_list: Any, trusted: set[bytes] | None
) -> tuple[str, str]:
    """(code, reason) of the credential's entry in a downloaded status list credential."""
    entry = doc.get("credentialStatus")
    if not isinstance(entry, dict) or not _proved(status_list):
        return ("status_list_malformed", "")
    url, raw_index = entry.get("statusListCredential"), entry.get("statusListIndex")
    types = status_list.get("type")
    subject = status_list.get("credentialSubject")
    if (
        not isinstance(types, list)
        or "BitstringStatusListCredential" not in types
        or not isinstance(subject, dict)
        or not isinstance(raw_index, str)
        or not raw_index.isdecimal()
    ):
        return ("status_list_malformed", "")
    issuer = _issuer_of(doc)
    method = status_list["proof"].get("verificationMethod")
    if (
        status_list.get("id") != url
        or status_list.get("issuer") != issuer
        or not str(method).startswith(f"{issuer}#")
        or subject.get("statusPurpose") != "revocation"
    ):
        return ("status_list_other", "")
    key = key_from_method(method)
    if (
        key is None
        or (trusted is not None and key not in trusted)
        or not dataintegrity.verify_proof(status_list, key).verified
    ):
        return ("status_list_signature", "")
    try:
        revoked = statuslist.is_set(statuslist.decode(subject.get("encodedList")), int(raw_index))
    except statuslist.StatusListError:
        return ("status_list_malformed", "")
    if not revoked:
        return ("ok", "")
    reasons = subject.get("revocationReasons")
    reason = reasons.get(raw_index) if isinstance(reasons, dict) else None
    return ("revoked", reason if isinstance(reason, str) else "")


def _offline_log(
    doc: dict[str, Any], log: dict[str, Any], checkpoint_text: str | None, keys: set[bytes]
) -> str:
    text = checkpoint_text if checkpoint_text is not None else log.get("checkpoint")
    if not isinstance(text, str):
        return "no_checkpoint"
    origin = text.split("\n", 1)[0]
    try:
        verifiers = [note.Verifier(origin, note.key_id(origin, k), k) for k in keys]
        opened = note.open_note(text, verifiers)
        cp = note.parse_checkpoint(opened.text)
    except (note.NoteError, ValueError):
        return "checkpoint"
    if log.get("origin") not in (None, cp.origin):
        return "other_log"
    try:
        index = int(log["index"])
        size = int(log["treeSize"])
        proof = [base64.b64decode(h, validate=True) for h in log["inclusionProof"]]
        lh = leaf_hash(doc)
    except (KeyError, TypeError, ValueError, JCSError, binascii.Error):
        return "not_logged"
    if size > cp.size:
        return "bigger_tree"
    if size != cp.size:
        return "inclusion"
    return "ok" if merkle.verify_inclusion(lh, index, size, proof, cp.root_hash) else "inclusion"


# --- operator actions -------------------------------------------------------------------------
def _require_operator(principal: Principal, message: str) -> None:
    require_authenticated(principal)
    if principal.key_organisation is not None or not is_zone_operator(principal.user):
        raise Forbidden(message)
    require_write(principal)


@transaction.atomic
@transaction.atomic
def revoke(*, principal: Principal, credential: Credential, reason: str) -> Credential:
    """Revoke a credential (zone operator, with a reason, audited): its status bit is set
    from now on, and a revocation record is appended to the transparency log."""
    _require_operator(principal, _("Only the zone operator may revoke credentials."))
    reason = reason.strip()
    if not reason:
        raise invalid_field("reason", _("Give a reason for the revocation."))
    head = _lock_head()  # before the credential, in the order issuing takes its locks
    locked = Credential.objects.select_for_update().get(pk=credential.pk)
    if locked.revoked_at is not None:
        raise Conflict(_("The credential is already revoked."), code="already_revoked")
    locked.revoked_at = timezone.now()
    locked.revoked_by = principal.user
    locked.revoked_reason = reason[:2000]
    locked.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
    record = revocation_record(locked)
    leaf = merkle.hash_leaf(canonicalize(record))
    index = _append(head, [leaf])
    RevocationEntry.objects.create(index=index, leaf_hash=leaf, credential=locked, record=record)
    audit.record(
        actor=principal.user,
        action="proofs.revoke",
        obj=locked,
        after={"reason": locked.revoked_reason, "log_index": index},
        token=principal.token,
    )
    signals.credential_revoked.send(sender=Credential, credential=locked, actor=principal.user)
    return locked


def revocation_record(credential: Credential) -> dict[str, Any]:
    """What the log records of a revocation: the credential (its id, log index and leaf
    hash), its status-list bit, when and why. The leaf is this record's JCS."""
    revoked = credential.revoked_at
    if revoked is None:
        raise ValueError("the credential is not revoked")
    entry = credential.log_entry
    return {
        "type": "CredentialRevocation",
        "issuer": issuer_did(),
        "credential": f"urn:uuid:{credential.public_id}",
        "credentialLogIndex": entry.index,
        "credentialLeafHash": _b64(bytes(entry.leaf_hash)),
        "statusListCredential": status_list_url(credential.status_list),
        "statusListIndex": str(credential.status_index),
        "revoked": _iso(revoked),
        "reason": credential.revoked_reason,
    }


def revocation_proof(public_id: object) -> dict[str, Any]:
    """A revocation as the log holds it: the record, its leaf index and hash and, once a
    checkpoint covers it, an inclusion proof to that signed checkpoint."""
    credential = credential_for(public_id)
    entry = RevocationEntry.objects.filter(credential=credential).first()
    if entry is None:
        raise NotFound(_("This credential has not been revoked."), code="not_revoked")
    return {
        "record": entry.record,
        "index": entry.index,
        "leafHash": _b64(bytes(entry.leaf_hash)),
        **_proved_by(latest_checkpoint(), entry.index),
    }


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


def register_external_key(
    *, principal: Principal | None, name: str, purpose: str, public_key: str
) -> ExternalKey:
    """Register a partner's or witness's public key after screening it. ``principal`` None is
    the server operator at the command line. Audited as ``proofs.external_key.register``."""
    if principal is not None:
        _require_operator(principal, _("Only the zone operator may register external keys."))
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
    with transaction.atomic():
        if ExternalKey.objects.filter(Q(name=name) | Q(public_multikey=multikey)).exists():
            raise Conflict(
                _("A key with this name or this public key is already registered."),
                code="duplicate_key",
            )
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
    require_authenticated(principal)
    if not is_zone_operator(principal.user):
        raise Forbidden(_("Only the zone operator can see this."), code="operator_only")
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


# --- lookups ----------------------------------------------------------------------------------
def credential_for(public_id: object) -> Credential:
    try:
        found = (
            Credential.objects.filter(public_id=uuid.UUID(str(public_id)))
            .select_related("log_entry")
            .first()
        )
    except ValueError:
        found = None
    if found is None:
        raise NotFound(_("No such credential."))
    return found


def credential_for_user(user: User, public_id: object) -> Credential:
    """A person's own credential; anyone else's answers NotFound."""
    found = credential_for(public_id)
    if found.user_id != user.pk:
        raise NotFound(_("No such credential."))
    return found


def credentials_of(user: User) -> list[Credential]:
    return list(
        Credential.objects.filter(user=user)
        .select_related("log_entry")
        .order_by("-issued_at", "-id")[:1000]
    )
