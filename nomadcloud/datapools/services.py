"""Use cases of data pools (docs/datapools.md): propose a pool with its charter, move it
through its states, write a new charter version, contribute under per-purpose consent,
import from the points-payments connector, release a dataset version, and honour a
withdrawn consent. Callers pass a principal; services check who acts through ``access``."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.consent import dpv
from nomadcloud.consent import queries as consent_queries
from nomadcloud.consent import services as consent
from nomadcloud.consent.events import ConsentWithdrawn
from nomadcloud.consent.models import ConsentRecord
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, InvalidInput, invalid_field
from nomadcloud.datapools import (
    access,
    provenance,
    quality,
    transitions,
    uploads_check,
    validation,
)
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.inputs import CharterDraft, PoolDraft
from nomadcloud.datapools.models import Charter, Contribution, DatasetVersion, Pool, PoolEvent
from nomadcloud.datapools.records import refresh as refresh_catalogue
from nomadcloud.datapools.transitions import Side
from nomadcloud.points.models import Payment

# The lead department of each kind of pool (plan 004 tasks 6–8): 科工信局 for traffic,
# 旅文局 for consumption and metaverse. A department of another code is refused.
LEAD_DEPARTMENTS = {
    Pool.Kind.TRAFFIC: "kegongxin",
    Pool.Kind.CONSUMPTION: "lvwen",
    Pool.Kind.METAVERSE: "lvwen",
    Pool.Kind.LABELLED: "kegongxin",  # labelled data from data-processing work (来数加工)
}


def _charter_row(pool: Pool, draft: CharterDraft, version: int, user: User) -> Charter:
    charter = Charter.objects.create(
        pool=pool,
        version=version,
        purposes=draft.purposes,
        data_categories=draft.data_categories,
        classification=draft.classification,
        grade=draft.grade,
        consent_notice_version=draft.consent_notice_version.strip(),
        access_modes=list(draft.access_modes),
        points_per_row=draft.points_per_row,
        fee_share_percent=draft.fee_share_percent,
        distribution_period=draft.distribution_period,
        retention_days=draft.retention_days,
        columns=draft.columns,
        dp_epsilon_budget=draft.dp_epsilon_budget,
        requires_provenance=draft.requires_provenance,
        created_by=user,
    )
    refresh_catalogue([pool.pk])  # the catalogue's record of the pool (decision 0050)
    return charter


def lead_department(kind: Pool.Kind) -> Organisation:
    """The department that leads pools of this kind (the page proposes to it; the API names it)."""
    department = Organisation.objects.filter(
        kind=Organisation.Kind.DEPARTMENT, code=LEAD_DEPARTMENTS[kind]
    ).first()
    if department is None:
        raise invalid_field("kind", _("The lead department of this kind is not set up."))
    return department


@transaction.atomic
def propose_pool(
    *, principal: Principal, steward: Organisation, department: Organisation, draft: PoolDraft
) -> Pool:
    """The steward proposes a pool to its lead department, with charter version 1."""
    user = require_person(principal)
    if department.kind != Organisation.Kind.DEPARTMENT:
        raise invalid_field("lead_department", _("No such department."))
    expected = LEAD_DEPARTMENTS[Pool.Kind(draft.kind)]
    if department.code and department.code != expected:
        raise invalid_field(
            "lead_department",
            _("This kind of pool is led by another department."),
            code="wrong_department",
        )
    pool = Pool.objects.create(
        kind=draft.kind,
        title=draft.title,
        description=draft.description,
        steward=steward,
        lead_department=department,
        proposed_by=user,
    )
    _charter_row(pool, draft.charter, 1, user)
    PoolEvent.objects.create(
        pool=pool, actor=user, action="propose", from_status="", to_status=pool.status
    )
    audit.record(actor=user, action="datapools.pool.propose", obj=pool, organisation=steward)
    return pool


@transaction.atomic
def move(*, principal: Principal, pool: Pool, action: str, reason: str = "") -> Pool:
    """One move of the pool's state machine (transitions.py), by the side it belongs to."""
    locked = Pool.objects.select_for_update().select_related("steward", "lead_department")
    pool = locked.get(pk=pool.pk)
    target, side = transitions.check(pool, action)
    access.require_side(principal, pool, side)
    reason = reason.strip()
    if action == "reject" and not reason:
        raise invalid_field("reason", _("Say why the pool is rejected."))
    if len(reason) > 500:
        raise invalid_field("reason", _("At most 500 characters."))
    before = pool.status
    pool.status = target
    pool.save(update_fields=["status"])
    PoolEvent.objects.create(
        pool=pool,
        actor=principal.user,
        action=action,
        from_status=before,
        to_status=target,
        reason=reason,
    )
    audit.record(
        actor=principal.user,
        action=f"datapools.pool.{action}",
        obj=pool,
        organisation=pool.steward if side is Side.STEWARD else pool.lead_department,
        before={"status": before},
        after={"status": target},
        token=principal.token,
    )
    return pool


@transaction.atomic
def revise_charter(*, principal: Principal, pool: Pool, draft: CharterDraft) -> Charter:
    """A new charter version; contributions keep the version they were given under, and
    contributors consent again when the notice version changes."""
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    access.require_side(principal, pool, Side.STEWARD)
    if pool.status in (Pool.Status.ARCHIVED, Pool.Status.REJECTED):
        raise Conflict(_("An archived or rejected pool keeps its charter."), code="pool_closed")
    user = require_person(principal)
    version = (pool.charters.aggregate(n=Max("version"))["n"] or 0) + 1
    charter = _charter_row(pool, draft, version, user)
    audit.record(
        actor=user, action="datapools.charter.revise", obj=pool, after={"version": version}
    )
    return charter


def _require_open(pool: Pool) -> None:
    if pool.status != Pool.Status.OPEN:
        raise Conflict(_("This pool does not take contributions now."), code="pool_not_open")


def _consents(
    user: User, pool: Pool, charter: Charter, notice_version: str, give: bool, method: str
) -> list[ConsentRecord]:
    """One valid consent record per purpose of the charter, under the charter's notice
    version; given now when ``give`` (the person ticked the consent), else the ones on file."""
    if notice_version.strip() != charter.consent_notice_version:
        raise invalid_field(
            "consent_notice_version",
            _("The consent notice is version %(version)s; read it and consent again.")
            % {"version": charter.consent_notice_version},
            code="consent_version_mismatch",
        )
    records: list[ConsentRecord] = []
    for purpose in charter.purposes:
        record = consent_queries.valid_consent(user, purpose=purpose, recipient=pool.recipient)
        if record is not None and record.notice_version != charter.consent_notice_version:
            record = None
        if record is None and give:
            record = consent.give_consent(
                user,
                purpose=purpose,
                purpose_description=str(pool)[:300],
                data_categories=charter.data_categories or ["pd:Location"],
                recipients=[pool.recipient],
                notice_version=charter.consent_notice_version,
                method=method,
            )
        if record is None:
            raise invalid_field(
                "consent",
                _("There is no consent for the purpose “%(purpose)s”.")
                % {"purpose": dpv.label(dpv.PURPOSES, purpose)},
                code="consent_missing",
            )
        records.append(record)
    return records


@transaction.atomic
def contribute(
    *,
    principal: Principal,
    pool: Pool,
    data: bytes,
    consent_notice_version: str,
    give_consent: bool,
    method: str = "web_form",
    asset: provenance.Asset | None = None,
) -> Contribution:
    """A person contributes a CSV file to an open pool under a consent for each of the
    charter's purposes. A file that does not match the schema is refused with its errors by
    line (nothing stored); one holding personal data the charter does not declare is
    quarantined: the findings are kept, the rows are not."""
    user = require_person(principal)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    _require_open(pool)
    charter = current_charter(pool)
    records = _consents(user, pool, charter, consent_notice_version, give_consent, method)
    checked = provenance.check(charter, asset)  # refused on its field before anything is kept
    try:
        typed = validation.validate_rows(charter.columns, validation.parse_csv(data))
    except validation.Rejected as exc:
        raise InvalidInput(
            _("The file does not match the pool's schema."),
            code="schema_mismatch",
            fields={
                "file": [
                    _("Line %(line)s, %(column)s: %(message)s") % e.as_dict() for e in exc.errors
                ]
            },
        ) from exc
    findings = validation.scan_personal(charter.columns, typed)
    status = Contribution.Status.QUARANTINED if findings else Contribution.Status.ACCEPTED
    contribution = Contribution.objects.create(
        pool=pool,
        charter=charter,
        contributor=user,
        source=Contribution.Source.UPLOAD,
        status=status,
        rows=[] if findings else typed,
        row_count=len(typed),
        findings=[f.as_dict() for f in findings],
        received_at=timezone.now(),
    )
    contribution.consents.set(records)
    if checked is not None and status == Contribution.Status.ACCEPTED:
        provenance.store(contribution, checked)
    audit.record(
        actor=user,
        action="datapools.contribution.receive",
        obj=contribution,
        after={"status": status, "rows": len(typed)},
    )
    return contribution


@transaction.atomic
def receive_for_checking(
    *,
    principal: Principal,
    pool: Pool,
    consent_notice_version: str,
    give_consent: bool,
    method: str = "web_form",
) -> Contribution:
    """A large uploaded file (decision 0064) is received under a consent for each of the
    charter's purposes, exactly as a small one, and stays ``validating`` until the
    background check (uploads_check.py) accepts, quarantines or rejects it."""
    user = require_person(principal)
    pool = Pool.objects.select_for_update().get(pk=pool.pk)
    _require_open(pool)
    charter = current_charter(pool)
    records = _consents(user, pool, charter, consent_notice_version, give_consent, method)
    provenance.check(charter, None)  # a pool asking for asset files takes them by the form
    contribution = Contribution.objects.create(
        pool=pool,
        charter=charter,
        contributor=user,
        source=Contribution.Source.UPLOAD,
        status=Contribution.Status.VALIDATING,
        received_at=timezone.now(),
    )
    contribution.consents.set(records)
    audit.record(
        actor=user,
        action="datapools.contribution.receive",
        obj=contribution,
        after={"status": contribution.status},
    )
    return contribution


def _amount_band(amount: int) -> str:
    if amount < 100:
        return "0-99"
    if amount < 500:
        return "100-499"
    return "500+"


@transaction.atomic
def import_points_payments(*, principal: Principal, pool: Pool) -> list[Contribution]:
    """The points-payments connector of a consumption pool: confirmed payments since the
    last import, of persons who consented to every purpose of the charter, become one
    contribution per person. A row holds the merchant category, scenario, amount band, day
    and area; never the person, merchant or exact amount."""
    pool = Pool.objects.select_for_update().select_related("steward").get(pk=pool.pk)
    access.require_side(principal, pool, Side.STEWARD)
    _require_open(pool)
    if pool.kind != Pool.Kind.CONSUMPTION:
        raise Conflict(
            _("Only a consumption pool reads points payments."), code="connector_not_allowed"
        )
    charter = current_charter(pool)
    now = timezone.now()
    payments = Payment.objects.filter(
        status=Payment.Status.CONFIRMED, resolved_at__lte=now
    ).select_related("merchant__scenario")
    if pool.connector_watermark is not None:
        payments = payments.filter(resolved_at__gt=pool.connector_watermark)
    by_person: dict[int, list[Payment]] = defaultdict(list)
    for payment in payments.order_by("resolved_at", "id"):
        by_person[payment.person_id].append(payment)
    made: list[Contribution] = []
    people = User.objects.in_bulk(list(by_person))
    for person_id, paid in by_person.items():
        person = people[person_id]
        try:
            records = _consents(
                person, pool, charter, charter.consent_notice_version, False, "web_form"
            )
        except InvalidInput:
            continue  # not opted in: the payments are never read into the pool
        since = max(r.given_at for r in records)
        rows = [p for p in paid if p.resolved_at is not None and p.resolved_at >= since]
        if not rows:
            continue  # only payments made after the person opted in
        typed = [
            {
                "merchant_category": p.merchant.scenario.category,
                "scenario": p.merchant.scenario.code,
                "amount_band": _amount_band(p.amount - p.refunded),
                "day": timezone.localdate(p.resolved_at).isoformat(),
                "area": "yangpu",
            }
            for p in rows
        ]
        contribution = Contribution.objects.create(
            pool=pool,
            charter=charter,
            contributor=person,
            source=Contribution.Source.POINTS_PAYMENTS,
            status=Contribution.Status.ACCEPTED,
            rows=typed,
            row_count=len(typed),
            received_at=now,
        )
        contribution.consents.set(records)
        made.append(contribution)
    pool.connector_watermark = now
    pool.save(update_fields=["connector_watermark"])
    audit.record(
        actor=principal.user,
        action="datapools.connector.import",
        obj=pool,
        organisation=pool.steward,
        after={"contributions": len(made), "rows": sum(c.row_count for c in made)},
        token=principal.token,
    )
    return made


def _still_consented(contribution: Contribution, now: datetime) -> bool:
    records = list(contribution.consents.all())
    return bool(records) and all(r.is_valid_at(now) for r in records)


@transaction.atomic
def release_version(*, principal: Principal, pool: Pool) -> DatasetVersion:
    """The next dataset version: every accepted contribution whose consents are all still
    valid now (a withdrawn or expired consent leaves it out), scored for quality."""
    pool = Pool.objects.select_for_update().select_related("steward").get(pk=pool.pk)
    access.require_side(principal, pool, Side.STEWARD)
    user = require_person(principal)
    if pool.status not in (Pool.Status.OPEN, Pool.Status.CLOSED):
        raise Conflict(_("Only an open or closed pool is released."), code="pool_not_open")
    charter = current_charter(pool)
    now = timezone.now()
    received = list(
        pool.contributions.exclude(
            status__in=[Contribution.Status.REJECTED, Contribution.Status.VALIDATING]
        ).prefetch_related("consents")
    )
    included: list[Contribution] = []
    excluded = 0
    for contribution in received:
        if contribution.status == Contribution.Status.QUARANTINED:
            continue
        if contribution.status == Contribution.Status.WITHDRAWN or not _still_consented(
            contribution, now
        ):
            excluded += 1
            continue
        included.append(contribution)
    if not included:
        raise Conflict(_("No contribution can be released."), code="nothing_to_release")
    rows: list[dict[str, Any]] = [row for c in included for row in c.rows]
    files = [c.rows_file for c in included if c.rows_file]
    # Large contributions keep their rows in Parquet files (decision 0064): DuckDB counts.
    measured = uploads_check.measure(charter.columns, rows, files) if files else None
    row_total = measured[0] if measured else len(rows)
    scores, score = quality.assess(
        schema=charter.columns,
        rows=rows,
        measured=measured,
        received_rows=sum(
            c.row_count for c in received if c.status != Contribution.Status.WITHDRAWN
        ),
        current_charter_rows=sum(c.row_count for c in included if c.charter_id == charter.pk),
        received_at=[(c.received_at, c.row_count) for c in included],
        retention_days=charter.retention_days,
        access_modes=charter.access_modes,
        now=now,
    )
    number = (pool.versions.aggregate(n=Max("number"))["n"] or 0) + 1
    version = DatasetVersion.objects.create(
        pool=pool,
        number=number,
        charter=charter,
        row_count=row_total,
        contributor_count=len({c.contributor_id for c in included}),
        excluded_withdrawn=excluded,
        quality=scores,
        quality_score=score,
        released_by=user,
        released_at=now,
    )
    version.contributions.set(included)
    refresh_catalogue([pool.pk])  # the catalogue's record of the pool (decision 0050)
    audit.record(
        actor=user,
        action="datapools.version.release",
        obj=version,
        organisation=pool.steward,
        after={"number": number, "rows": row_total, "excluded": excluded},
    )
    return version


def on_consent_withdrawn(payload: ConsentWithdrawn) -> None:
    """A withdrawn consent: the contributions given under it are marked withdrawn (and left
    out of every later version); released versions keep what they held, as agreements
    made on them follow their own terms."""
    record = ConsentRecord.objects.filter(public_id=payload.record_id).first()
    if record is None:
        return
    contributions = Contribution.objects.filter(
        consents=record,
        status__in=[Contribution.Status.ACCEPTED, Contribution.Status.VALIDATING],
    )
    for contribution in contributions:
        contribution.status = Contribution.Status.WITHDRAWN
        contribution.save(update_fields=["status"])
