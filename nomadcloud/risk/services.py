"""The risk engine's use cases: record where people act from (hashed), screen an issuance of
work units before it is credited (``screen``, called by proofs inside the issuing
transaction), and a zone operator's decision on a held issuance (``release``/``cancel``,
audited; they send ``risk.events`` that points and proofs act on)."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from uuid import UUID, uuid4

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Max, Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, bulk, rules
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.risk import engine, events
from nomadcloud.risk.access import require_operator
from nomadcloud.risk.models import Assessment, HeldIssuance, Sighting

HISTORY_DAYS = 90  # sightings older than this are not compared
CHUNK = 5000  # credentials per query reading assessments back (SQLite parameter limit)
ASSESSMENT_COLUMNS = (
    "credential",
    "holder",
    "organisation",
    "kind",
    "source",
    "units",
    "score",
    "findings",
    "params_used",
    "rule_version",
    "held",
)


# --- sightings -----------------------------------------------------------------------------


def _keyed(kind: str, text: str) -> str:
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, f"risk:{kind}:{text}".encode(), hashlib.sha256).hexdigest()


def fingerprint(request: HttpRequest) -> tuple[str, str]:
    """The hashed client address and device (user agent and languages) of a request. The
    address is ``REMOTE_ADDR``: behind a proxy, the proxy must set it (docs/operations.md)."""
    address = request.META.get("REMOTE_ADDR", "") or "-"
    device = "|".join(
        (
            request.META.get("HTTP_USER_AGENT", "")[:512],
            request.META.get("HTTP_ACCEPT_LANGUAGE", "")[:64],
        )
    )
    return _keyed("address", address), _keyed("device", device)


def record_sighting(user: User, address: str, device: str, *, now: datetime | None = None) -> bool:
    """Remember that ``user`` acted from ``address`` with ``device`` today (once a day)."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            _row, created = Sighting.objects.get_or_create(
                user=user, address=address, device=device, day=now.date(), defaults={"seen_at": now}
            )
    except IntegrityError:  # the same sighting recorded concurrently
        return False
    return created


# --- screening -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Issuance:
    """Work units a newly issued credential carries, with what the engine needs to know."""

    credential_id: UUID
    holder_id: int
    organisation_id: UUID | None  # the accepting organisation's public id
    kind: str
    source: str
    units: Decimal


def _mailbox(email: str | None) -> str:
    if not email:
        return ""
    local, _at, domain = email.lower().partition("@")
    return f"{local.split('+', 1)[0]}@{domain}"


@dataclass
class _World:
    """Everything the facts of a batch of issuances need, read with a fixed number of
    queries."""

    orgs: dict[UUID, Organisation]
    members: dict[int, set[int]]  # organisation pk -> user ids
    orgs_of: dict[int, set[int]]  # user id -> organisation pks
    users: dict[int, User]
    addresses: dict[int, set[str]]
    devices: dict[int, set[str]]
    crowd: dict[str, int]  # address -> accounts seen on it within the window
    largest: dict[int, Decimal]
    month: dict[int, Decimal]
    earned_from: set[tuple[int, int]]  # (holder, organisation) pairs credited before


def _world(items: list[Issuance], now: datetime) -> _World:
    params = engine.parameters()
    today = timezone.localdate(now)
    hours = params.at("address_window_hours", today)[1]
    window = timedelta(hours=float(hours) if isinstance(hours, Decimal) else 24)
    orgs = {
        o.public_id: o
        for o in Organisation.objects.filter(
            public_id__in={i.organisation_id for i in items if i.organisation_id}
        )
    }
    org_pks = [o.pk for o in orgs.values()]
    holders = {i.holder_id for i in items}
    members: dict[int, set[int]] = defaultdict(set)
    for org_id, user_id in Membership.objects.filter(organisation__in=org_pks).values_list(
        "organisation_id", "user_id"
    ):
        members[org_id].add(user_id)
    everyone = holders | {u for us in members.values() for u in us}
    orgs_of: dict[int, set[int]] = defaultdict(set)
    for user_id, org_id in Membership.objects.filter(user__in=holders).values_list(
        "user_id", "organisation_id"
    ):
        orgs_of[user_id].add(org_id)
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=everyone).only(
            "id", "email", "phone", "date_joined", "contact_verified_at"
        )
    }
    addresses: dict[int, set[str]] = defaultdict(set)
    devices: dict[int, set[str]] = defaultdict(set)
    for user_id, address, device in Sighting.objects.filter(
        user__in=everyone, seen_at__gte=now - timedelta(days=HISTORY_DAYS)
    ).values_list("user_id", "address", "device"):
        addresses[user_id].add(address)
        devices[user_id].add(device)
    holder_addresses = {a for h in holders for a in addresses.get(h, ())}
    crowd = dict(
        Sighting.objects.filter(address__in=holder_addresses, seen_at__gte=now - window)
        .values("address")
        .annotate(n=Count("user", distinct=True))
        .values_list("address", "n")
    )
    credited = Assessment.objects.filter(organisation__in=org_pks).filter(
        Q(held=False) | Q(held_issuance__status=HeldIssuance.Status.RELEASED)
    )
    largest = dict(
        credited.values("organisation").annotate(m=Max("units")).values_list("organisation", "m")
    )
    # The calendar month of the zone's time zone, as the cap's parameter reads it.
    month_start = timezone.localtime(now).replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    month = dict(
        credited.filter(assessed_at__gte=month_start)
        .values("organisation")
        .annotate(s=Sum("units"))
        .values_list("organisation", "s")
    )
    member_ids = {u for us in members.values() for u in us}
    holder_orgs = {o for h in holders for o in orgs_of.get(h, ())}
    earned_from = set(
        Assessment.objects.filter(holder__in=member_ids, organisation__in=holder_orgs)
        .filter(Q(held=False) | Q(held_issuance__status=HeldIssuance.Status.RELEASED))
        .values_list("holder_id", "organisation_id")
    )
    return _World(
        orgs, members, orgs_of, users, addresses, devices, crowd, largest, month, earned_from
    )


def _facts(item: Issuance, w: _World, now: datetime, running: dict[int, Decimal]) -> engine.Facts:
    org = w.orgs.get(item.organisation_id) if item.organisation_id else None
    holder = w.users.get(item.holder_id)
    members = w.members.get(org.pk, set()) - {item.holder_id} if org else set()
    others = [w.users[m] for m in members if m in w.users]
    mailbox = _mailbox(holder.email if holder else None)
    mine_a, mine_d = w.addresses.get(item.holder_id, set()), w.devices.get(item.holder_id, set())
    theirs_a = {a for m in members for a in w.addresses.get(m, ())}
    theirs_d = {d for m in members for d in w.devices.get(m, ())}
    holder_orgs = w.orgs_of.get(item.holder_id, set())
    return engine.Facts(
        on=timezone.localdate(now),
        units=item.units,
        organisation_found=org is not None,
        organisation_verified=org is not None
        and org.verification_status == Organisation.Verification.VERIFIED,
        contact_verified=holder is not None and holder.contact_verified_at is not None,
        holder_is_member=org is not None and item.holder_id in w.members.get(org.pk, set()),
        shared_contact=any(
            (mailbox and _mailbox(o.email) == mailbox)
            or (holder is not None and holder.phone and o.phone == holder.phone)
            for o in others
        ),
        shared_device=bool(mine_d & theirs_d),
        shared_address=bool(mine_a & theirs_a),
        account_age_days=(now - holder.date_joined).days if holder else 0,
        largest_earlier=w.largest.get(org.pk) if org else None,
        accounts_on_address=max((w.crowd.get(a, 0) for a in mine_a), default=0),
        circular=any((m, o) in w.earned_from for m in members for o in holder_orgs),
        issued_this_month=(w.month.get(org.pk, Decimal(0)) + running[org.pk])
        if org
        else Decimal(0),
    )


@transaction.atomic
def screen(items: list[Issuance], *, now: datetime | None = None) -> list[Issuance]:
    """Assess each issuance, record the assessment, hold the suspicious ones (a
    ``HeldIssuance`` each) and return those that may be credited now. A fixed number of
    queries for any number of issuances."""
    if not items:
        return []
    now = now or timezone.now()
    params = engine.parameters()
    w = _world(items, now)
    running: dict[int, Decimal] = defaultdict(Decimal)
    allowed: list[Issuance] = []
    rows: list[tuple[object, ...]] = []
    held: list[UUID] = []
    for item in items:
        facts = _facts(item, w, now, running)
        decision, findings = engine.assess(facts, params)
        org = w.orgs.get(item.organisation_id) if item.organisation_id else None
        rows.append(
            (
                item.credential_id,
                item.holder_id,
                org.pk if org is not None else None,
                item.kind,
                item.source[:200],
                item.units,
                sum(f.weight for f in findings),
                json.dumps([f.plain() for f in findings]),
                json.dumps(rules.plain(decision.params_used)),
                decision.rule_version,
                not decision.eligible,
            )
        )
        if decision.eligible:
            allowed.append(item)
            if org is not None:
                running[org.pk] += item.units
        else:
            held.append(item.credential_id)
    _store_assessments(rows, held, now)
    return allowed


def _store_assessments(rows: list[tuple[object, ...]], held: list[UUID], now: datetime) -> None:
    """Insert the assessments and a ``HeldIssuance`` for each held one with ``core.bulk``
    (one COPY each on PostgreSQL; ``bulk_create`` quoted every value into arrays on the
    client, which cost more than signing the credentials: decision 0059), the JSON fields as
    the JSON text ``json.dumps`` writes, as ``bulk_create`` would."""
    bulk.insert_rows(
        Assessment,
        ASSESSMENT_COLUMNS,
        rows,
        json_text={"findings", "params_used"},
        constants={"assessed_at": now},
    )
    if not held:
        return
    saved: dict[UUID, int] = {}
    for start in range(0, len(held), CHUNK):
        saved.update(
            Assessment.objects.filter(credential__in=held[start : start + CHUNK]).values_list(
                "credential", "pk"
            )
        )
    bulk.insert_rows(
        HeldIssuance,
        ("public_id", "assessment"),
        [(uuid4(), saved[credential]) for credential in held],
        constants={
            "status": HeldIssuance.Status.HELD,
            "created_at": now,
            "decision_reason": "",
            "decision_rule_version": "",
        },
    )


# --- decisions -------------------------------------------------------------------------------


def _decide(principal: Principal, held: HeldIssuance, status: str, reason: str) -> HeldIssuance:
    user = require_operator(principal, write=True)
    reason = (reason or "").strip()
    if not reason:
        raise invalid_field("reason", _("Say why."), code="reason_required")
    locked = (
        HeldIssuance.objects.select_for_update(of=("self",))
        .select_related("assessment", "assessment__organisation", "assessment__holder")
        .get(pk=held.pk)
    )
    if locked.status != HeldIssuance.Status.HELD:
        raise Conflict(_("This issuance has already been decided."))
    a = locked.assessment
    if (
        status == HeldIssuance.Status.RELEASED
        and any(f.get("rule") == "unverified_organisation" for f in a.findings)
        and (
            a.organisation is None
            or a.organisation.verification_status != Organisation.Verification.VERIFIED
        )
    ):
        raise Conflict(
            _("The organisation is still not verified: its work units stay held until it is.")
        )
    now = timezone.now()
    locked.status = status
    locked.decided_at = now
    locked.decided_by = user
    locked.decision_reason = reason[:2000]
    locked.decision_rule_version = f"{engine.RULES_VERSION}+{engine.parameters().snapshot}"
    locked.save(
        update_fields=[
            "status",
            "decided_at",
            "decided_by",
            "decision_reason",
            "decision_rule_version",
        ]
    )
    audit.record(
        actor=user,
        action="risk.held_issuance."
        + ("release" if status == HeldIssuance.Status.RELEASED else "cancel"),
        obj=locked,
        organisation=a.organisation,
        after={
            "status": status,
            "reason": locked.decision_reason,
            "rule_version": locked.decision_rule_version,
            "credential": str(a.credential),
            "units": str(a.units),
        },
    )
    payload = events.HeldIssuanceDecided(
        held_id=locked.public_id,
        credential_id=a.credential,
        holder_id=a.holder_id,
        holder_public_id=a.holder.public_id,
        units=a.units,
        actor_id=user.pk,
        reason=locked.decision_reason,
        decided_at=now,
    )
    if status == HeldIssuance.Status.RELEASED:
        events.issuance_released.send(payload)
    else:
        events.issuance_cancelled.send(payload)
    return locked


@transaction.atomic
def release(*, principal: Principal, held: HeldIssuance, reason: str) -> HeldIssuance:
    """Credit the held work units to the holder (a zone operator's audited decision)."""
    return _decide(principal, held, HeldIssuance.Status.RELEASED, reason)


@transaction.atomic
def cancel(*, principal: Principal, held: HeldIssuance, reason: str) -> HeldIssuance:
    """Never credit the held work units; proofs revokes the credential that carried them."""
    return _decide(principal, held, HeldIssuance.Status.CANCELLED, reason)
