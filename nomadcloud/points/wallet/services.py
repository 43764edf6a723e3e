"""Work units from proofs of work, and their exchange (互换) for the points of a scenario.

**Work units.** When proof-of-work credentials are issued (``proofs.events.credentials_issued``,
inside the issuing transaction) the work units each carries arrive as typed values
(``WorkUnitsEarned``: holder, credential id, ``Decimal`` units; docs/decisions/0005) and are
credited, in hundredths, to the nomad's ``WU`` account from a shard of the ``WU`` issuance
account: transfer ``pow:<credential uuid>`` (idempotent), reason ``proof_of_work``,
reference the credential id. No credential is parsed. When one is revoked
(``credential_revoked``), what is still in the account is taken back by a reversal
``pow-revoked:<uuid>`` — at most the amount credited — and what has already been exchanged is
recorded as the credit's ``shortfall``, listed on the operator's page. Exchanged points are not
taken back: they may already be spent.

**Exchange.** ``exchange`` debits work units and credits points at the rate in force, in one
linked chain: ``x:<person>:<key>:wu`` (WU → the exchange account), ``…:pts`` (issuance → the
person) and, with a campaign, ``…:bonus``. All apply or none. Points are ``floor(work units ×
rate)`` in the asset's smallest unit; a percentage bonus is ``floor(points × percent / 100)``.
With a lock period the points are credited as a pending transfer (a hold with no timeout):
they count in no balance until the release job posts it, and they form their lot then, with
the expiry computed at the exchange.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_FLOOR, Decimal, InvalidOperation
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import F, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import bulk
from nomadcloud.core.errors import Conflict, DomainError, invalid_field
from nomadcloud.core.i18n import localized
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book import history
from nomadcloud.points.book.reasons import reason_message
from nomadcloud.points.book.store import DatabaseLedger
from nomadcloud.points.ledger import (
    Kind,
    Reason,
    Status,
    SystemRole,
    TransferRequest,
    TransferResult,
)
from nomadcloud.points.programme import queries as programme_queries
from nomadcloud.points.programme import services as programme
from nomadcloud.proofs.events import CredentialRevoked, CredentialsIssued, Holder, WorkUnitsEarned
from nomadcloud.risk.events import HeldIssuanceDecided

log = logging.getLogger(__name__)

WU = book.WORK_UNITS
WU_SCALE = 2
KEY_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


def ledger(now: datetime | None = None) -> DatabaseLedger:
    """The ledger; with ``now`` (tests, demo) its clock is fixed there."""
    return DatabaseLedger(clock=(lambda: now) if now is not None else None)


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(settings.TIME_ZONE))


# ---- work units from proofs of work ------------------------------------------------------


def hundredths(units: Decimal) -> int | None:
    """Work units in hundredths (rounded down; they are issued to the cent), or ``None``
    when they are not a positive finite amount."""
    if not units.is_finite() or units <= 0:
        return None
    return int((units * 100).to_integral_value(rounding=ROUND_FLOOR)) or None


def credit_work_units(earned: Sequence[WorkUnitsEarned], *, now: datetime | None = None) -> int:
    """Credit the work units of newly issued credentials in one ledger batch, with a fixed
    number of queries (issuing credits a whole data batch at once), and say how many were
    credited. Credentials already credited, or carrying no work units, are skipped."""
    wanted = [(e, amount) for e in earned if (amount := hundredths(e.units)) is not None]
    if not wanted:
        return 0
    done = set(
        m.WorkUnitCredit.objects.filter(
            credential__in=[e.credential_id for e, _a in wanted]
        ).values_list("credential", flat=True)
    )
    wanted = [(e, a) for e, a in wanted if e.credential_id not in done]
    if not wanted:
        return 0
    programme.ensure_assets()
    lg = ledger(now)
    accounts: dict[int, tuple[str, str]] = {}  # person -> (account, issuance shard)
    requests = []
    for e, amount in wanted:
        if e.holder.pk not in accounts:
            mine = book.person_account(e.holder, WU)
            accounts[e.holder.pk] = (mine, lg.system_account(SystemRole.ISSUANCE, WU, mine))
        account, issuance = accounts[e.holder.pk]
        requests.append(
            TransferRequest(
                f"pow:{e.credential_id}",
                Kind.TRANSFER,
                debit_account=issuance,
                credit_account=account,
                amount=amount,
                code=history.PROOF_OF_WORK,
                reference=f"urn:uuid:{e.credential_id}",
            )
        )
    credits = []
    for (e, amount), result in zip(wanted, lg.submit(requests), strict=True):
        if not result.ok or result.transfer is None:
            log.warning("work units of credential %s not credited: %s", e.credential_id, result)
            continue
        credits.append(
            (
                e.credential_id,
                e.holder.pk,
                accounts[e.holder.pk][0],
                amount,
                result.transfer.id,
                result.transfer.timestamp,
            )
        )
    # One executemany (a whole data batch is credited at once; core.bulk says why).
    fields = ("credential", "user", "account", "amount", "transfer", "credited_at")
    rows = [(*credit, 0, 0, "") for credit in credits]
    bulk.insert_rows(m.WorkUnitCredit, (*fields, "reclaimed", "shortfall", "reversal"), rows)
    return len(rows)


def reclaim_work_units(
    credential_id: uuid.UUID, *, now: datetime | None = None
) -> m.WorkUnitCredit | None:
    """A credential was revoked: take back what is left of its work units (a reversal), and
    record the rest as the shortfall."""
    credit = m.WorkUnitCredit.objects.select_for_update().filter(credential=credential_id).first()
    if credit is None or credit.revoked_at is not None:
        return credit
    lg = ledger(now)
    tid = f"pow-revoked:{credential_id}"
    reclaimed = 0
    for _attempt in range(5):  # the balance may change between reading and reversing
        account = lg.account(credit.account_id)
        take = min(credit.amount, max(account.available if account else 0, 0))
        if take <= 0:
            break
        result = lg.submit(
            [
                TransferRequest(
                    tid,
                    Kind.REVERSAL,
                    reverses=credit.transfer,
                    amount=take,
                    code=history.PROOF_OF_WORK_REVOKED,
                    reference=f"urn:uuid:{credential_id}",
                )
            ]
        )[0]
        if result.ok:
            reclaimed = take
            break
        if result.reason not in (Reason.INSUFFICIENT_FUNDS, Reason.INSUFFICIENT_FUNDS_EXPIRED):
            log.error("work units of credential %s not reclaimed: %s", credential_id, result)
            break
    credit.revoked_at = now or timezone.now()
    credit.reclaimed = reclaimed
    credit.shortfall = credit.amount - reclaimed
    credit.reversal = tid if reclaimed else ""
    credit.save(update_fields=["revoked_at", "reclaimed", "shortfall", "reversal"])
    if credit.shortfall:
        log.warning(
            "credential %s revoked: %s of %s hundredths of work units already exchanged",
            credential_id,
            credit.shortfall,
            credit.amount,
        )
    return credit


def on_credentials_issued(issued: CredentialsIssued) -> None:
    """``proofs.events.credentials_issued``: credit the work units the new credentials carry."""
    credit_work_units(issued.work_units)


def on_credential_revoked(revoked: CredentialRevoked) -> None:
    """``proofs.events.credential_revoked``: take back what is left of its work units."""
    reclaim_work_units(revoked.credential_id)


def on_issuance_released(released: HeldIssuanceDecided) -> None:
    """``risk.events.issuance_released``: a zone operator released held work units."""
    credit_work_units(
        [
            WorkUnitsEarned(
                Holder(released.holder_id, released.holder_public_id),
                released.credential_id,
                released.units,
            )
        ]
    )


# ---- quotes ------------------------------------------------------------------------------


PERIODS = ("day", "week", "month")


def period_start(period: str, now: datetime) -> datetime:
    """The start of the calendar day, week (Monday) or month containing ``now``, in the
    zone's time zone."""
    local = _local(now).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        local -= timedelta(days=local.weekday())
    elif period == "month":
        local = local.replace(day=1)
    return local


def period_label(period: str) -> str:
    return {"day": _("today"), "week": _("this week"), "month": _("this month")}[period]


@dataclass
class CapLine:
    period: str
    cap: int
    earned: int

    @property
    def left(self) -> int:
        return max(self.cap - self.earned, 0)


@dataclass
class Quote:
    """What an exchange would do now: nothing is applied."""

    scenario: m.Scenario
    asset: m.Asset
    rate: m.Rate
    rule: m.EarningRule | None
    campaign: m.Campaign | None
    work_units: int
    points: int
    bonus: int
    lot_expires_at: datetime | None
    locked_until: datetime | None
    available_work_units: int
    caps: list[CapLine] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.points + self.bonus

    def formatted(self, amount: int) -> str:
        return programme.format_amount(amount, self.asset.scale)


def parse_work_units(value: Any, field_name: str = "work_units") -> int:
    """Work units as a decimal with at most two places (``"12.50"``) → hundredths."""
    if isinstance(value, float | bool):
        raise invalid_field(field_name, _("Enter the work units as a decimal, e.g. 12.50."))
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise invalid_field(
            field_name, _("Enter the work units as a decimal, e.g. 12.50.")
        ) from None
    if not amount.is_finite():
        raise invalid_field(field_name, _("Enter the work units as a decimal, e.g. 12.50."))
    if amount != amount.quantize(Decimal("0.01"), rounding=ROUND_FLOOR):
        raise invalid_field(
            field_name, _("Work units have at most two decimal places."), code="amount_precision"
        )
    return _check_work_units(int(amount * 100), field_name)


def _check_work_units(hundredths: int, field_name: str = "work_units") -> int:
    if hundredths <= 0:
        raise invalid_field(
            field_name, _("Enter more than 0 work units."), code="amount_not_positive"
        )
    if hundredths > _wu_max():
        raise invalid_field(
            field_name,
            _("That is more work units than one exchange may move."),
            code="amount_too_large",
        )
    return hundredths


def _wu_max() -> int:
    found = m.Asset.objects.filter(code=WU).values_list("max_amount", flat=True).first()
    return int(found) if found is not None else book.BUILT_IN_ASSETS[0].max_amount


def points_for(work_units: int, rate: Decimal, scale: int) -> int:
    """Points (smallest unit of an asset with ``scale`` places) for ``work_units`` hundredths
    at ``rate`` points per work unit: exact, rounded down."""
    exact = Fraction(work_units) * Fraction(rate) * 10**scale / 10**WU_SCALE
    return int(exact.numerator // exact.denominator)


def available_work_units(user: User) -> int:
    account = m.Account.objects.filter(pk=f"u:{user.public_id.hex}:{WU}").first()
    if account is None:
        return 0
    return account.credits_posted - account.debits_posted - account.debits_pending


def earned(user: User, asset_code: str, since: datetime, until: datetime) -> int:
    """Points (and bonus) this person earned by exchange into ``asset_code`` in a period."""
    total = (
        m.Exchange.objects.filter(
            user=user, asset_id=asset_code, created_at__gte=since, created_at__lte=until
        )
        .aggregate(total=Sum(F("points") + F("bonus")))
        .get("total")
    )
    return int(total or 0)


def quote(
    *, user: User, scenario: m.Scenario, work_units: int, now: datetime | None = None
) -> Quote:
    """What exchanging ``work_units`` (hundredths) into ``scenario``'s points gives now, or the
    refusal: unknown or inactive scenario, bad amount, no rate in force, too few work units
    for one point, cap reached, not enough work units."""
    now = now or timezone.now()
    if not scenario.active:
        raise invalid_field("scenario", _("No such consumption scenario."), code="unknown_scenario")
    work_units = _check_work_units(work_units)
    asset = scenario.asset
    rate = programme_queries.rate_in_force(scenario, now)
    if rate is None:
        raise Conflict(
            _("No exchange rate is in force for %(scenario)s yet.")
            % {"scenario": localized(scenario, "name")},
            code="no_rate_in_force",
        )
    points = points_for(work_units, rate.points_per_work_unit, asset.scale)
    if points <= 0:
        raise invalid_field(
            "work_units",
            _("That is too few work units for one point at the rate in force."),
            code="amount_too_small",
        )
    if points > asset.max_amount:
        raise invalid_field(
            "work_units",
            _("That is more points than one exchange may credit."),
            code="amount_too_large",
        )
    rule = programme_queries.rule_in_force(asset.code, now)
    campaign, bonus = None, 0
    for candidate in programme_queries.campaigns_in_force(asset.code, scenario, now):
        amount = min(programme.campaign_bonus(candidate, points), asset.max_amount)
        if amount > bonus:
            campaign, bonus = candidate, amount
    caps = []
    for period in PERIODS:
        cap = getattr(rule, f"{period}_cap", None) if rule is not None else None
        if cap is not None:
            caps.append(
                CapLine(period, cap, earned(user, asset.code, period_start(period, now), now))
            )
    for line in caps:
        if points + bonus > line.left:
            raise invalid_field(
                "work_units",
                _(
                    "This exchange would pass your earning limit of %(cap)s %(asset)s "
                    "%(period)s: %(left)s left."
                )
                % {
                    "cap": programme.format_amount(line.cap, asset.scale),
                    "asset": programme.asset_label(asset.code),
                    "period": period_label(line.period),
                    "left": programme.format_amount(line.left, asset.scale),
                },
                code="cap_reached",
            )
    available = available_work_units(user)
    if work_units > available:
        raise _insufficient(available)
    expires = programme.rule_expiry(rule, asset).expires_at(now)
    locked_until = now + timedelta(days=rule.lock_days) if rule and rule.lock_days else None
    return Quote(
        scenario=scenario,
        asset=asset,
        rate=rate,
        rule=rule,
        campaign=campaign,
        work_units=work_units,
        points=points,
        bonus=bonus,
        lot_expires_at=expires,
        locked_until=locked_until,
        available_work_units=available,
        caps=caps,
    )


def _insufficient(available: int) -> DomainError:
    return invalid_field(
        "work_units",
        _("Not enough work units: you have %(available)s.")
        % {"available": programme.format_amount(available, WU_SCALE)},
        code="insufficient_work_units",
    )


# ---- exchanges ---------------------------------------------------------------------------


def transfer_ids(user: User, key: str) -> tuple[str, str, str]:
    """The ledger ids of an exchange, derived from the person and their idempotency key."""
    base = f"x:{user.public_id.hex}:{key}"
    return f"{base}:wu", f"{base}:pts", f"{base}:bonus"


def check_key(key: str) -> str:
    if not isinstance(key, str) or not KEY_PATTERN.fullmatch(key):
        raise invalid_field(
            "key",
            _("The idempotency key must be 1 to 64 letters, digits, '.', '_' or '-'."),
            code="key_invalid",
        )
    return key


@transaction.atomic
def exchange(
    *,
    principal: Principal,
    scenario: m.Scenario,
    work_units: int,
    key: str,
    expected_rate: int | None = None,
    now: datetime | None = None,
) -> tuple[m.Exchange, bool]:
    """Exchange ``work_units`` (hundredths) for ``scenario``'s points at the rate in force.
    ``key`` is the client's idempotency key: a retry with the same key and the same scenario
    and amount returns the original exchange (``False``: nothing new applied), with anything
    else it is refused naming the field. With ``expected_rate`` (the rate a preview showed) the
    exchange is refused if another rate has come into force meanwhile. One linked chain on
    the ledger: all or nothing."""
    user = require_person(principal)
    require_write(principal)
    if user.contact_verified_at is None:
        raise Conflict(
            _("Verify your e-mail address or mobile number before exchanging work units."),
            code="contact_unverified",
        )
    check_key(key)
    m.EarningLock.objects.get_or_create(user=user)
    m.EarningLock.objects.select_for_update().filter(user=user).first()  # caps: one at a time
    # The clock is read once the lock is held: an exchange that committed while this one
    # waited must fall inside this one's cap period (created_at ≤ now).
    now = now or timezone.now()
    existing = m.Exchange.objects.filter(user=user, key=key).first()
    if existing is not None:
        if existing.scenario_id != scenario.pk:
            raise _key_reused("scenario")
        if existing.work_units != work_units:
            raise _key_reused("work_units")
        return existing, False
    q = quote(user=user, scenario=scenario, work_units=work_units, now=now)
    if expected_rate is not None and q.rate.pk != expected_rate:
        raise Conflict(
            _("The exchange rate has changed since your preview; check the new result."),
            code="rate_changed",
        )
    lg = ledger(now)
    wu_id, points_id, bonus_id = transfer_ids(user, key)
    wu_account = book.person_account(user, WU)
    points_account = book.person_account(user, q.asset.code)
    issuance = lg.system_account(SystemRole.ISSUANCE, q.asset.code, points_account)
    kind = Kind.HOLD if q.locked_until is not None else Kind.TRANSFER
    public_id = uuid.uuid4()
    reference = f"{scenario.code}:{public_id}"  # the exchange record, from the ledger
    requests = [
        TransferRequest(
            wu_id,
            Kind.TRANSFER,
            debit_account=wu_account,
            credit_account=lg.system_account(SystemRole.EXCHANGE, WU, wu_account),
            amount=q.work_units,
            linked=True,
            code=history.EXCHANGE_WORK_UNITS,
            reference=reference,
        ),
        TransferRequest(
            points_id,
            kind,
            debit_account=issuance,
            credit_account=points_account,
            amount=q.points,
            lot_expires_at=q.lot_expires_at,
            linked=bool(q.bonus),
            code=history.EXCHANGE_POINTS,
            reference=reference,
        ),
    ]
    if q.bonus:
        requests.append(
            TransferRequest(
                bonus_id,
                kind,
                debit_account=issuance,
                credit_account=points_account,
                amount=q.bonus,
                lot_expires_at=q.lot_expires_at,
                code=history.EXCHANGE_BONUS,
                reference=reference,
            )
        )
    results = lg.submit(requests)
    failed = next((r for r in results if r.reason not in (None, Reason.LINKED_EVENT_FAILED)), None)
    if failed is not None:
        raise _refusal(failed, user)
    if any(r.status != Status.CREATED for r in results):
        # Ledger ids exist without an exchange row: cannot happen (same transaction); refuse.
        raise _key_reused("key")
    record = m.Exchange.objects.create(
        public_id=public_id,
        user=user,
        key=key,
        scenario=scenario,
        asset=q.asset,
        rate=q.rate,
        rule=q.rule,
        campaign=q.campaign,
        work_units=q.work_units,
        points=q.points,
        bonus=q.bonus,
        lot_expires_at=q.lot_expires_at,
        locked_until=q.locked_until,
        lock=m.Exchange.Lock.LOCKED if q.locked_until else m.Exchange.Lock.NONE,
        wu_transfer=wu_id,
        points_transfer=points_id,
        bonus_transfer=bonus_id if q.bonus else "",
        created_at=now,
    )
    return record, True


def _key_reused(field_name: str) -> Conflict:
    return Conflict(
        _("This idempotency key was used for another exchange (a different %(field)s).")
        % {"field": field_name},
        code="idempotency_key_reused",
        fields={field_name: [_("Different from the exchange made with this key.")]},
    )


def _refusal(result: TransferResult, user: User) -> DomainError:
    if result.reason in (Reason.INSUFFICIENT_FUNDS, Reason.INSUFFICIENT_FUNDS_EXPIRED):
        return _insufficient(available_work_units(user))
    assert result.reason is not None
    message = reason_message(result.reason, result.field)
    return invalid_field("work_units", message, code=result.reason.value)


def exchanges_of(user: User) -> list[m.Exchange]:
    return list(
        m.Exchange.objects.filter(user=user)
        .select_related("scenario", "rate", "campaign", "asset")
        .order_by("-created_at", "-id")[:200]
    )


# ---- scheduled jobs ----------------------------------------------------------------------


def release_locked(*, now: datetime | None = None, limit: int = 500) -> int:
    """Post the pending credits of exchanges whose lock period has ended: the points become
    spendable and form their lots (with the expiry computed at the exchange)."""
    now = now or timezone.now()
    due = list(
        m.Exchange.objects.filter(lock=m.Exchange.Lock.LOCKED, locked_until__lte=now)
        .order_by("locked_until", "id")
        .values_list("pk", flat=True)[:limit]
    )
    lg = ledger(now)
    released = 0
    for pk in due:
        with transaction.atomic():
            ex = (
                m.Exchange.objects.select_for_update(skip_locked=True)
                .filter(pk=pk, lock=m.Exchange.Lock.LOCKED)
                .first()
            )
            if ex is None:
                continue
            holds = [t for t in (ex.points_transfer, ex.bonus_transfer) if t]
            results = lg.submit(
                [
                    TransferRequest(
                        f"{hold}:release",
                        Kind.POST,
                        pending_id=hold,
                        code=history.LOCK_RELEASE,
                        reference=str(ex.public_id),
                    )
                    for hold in holds
                ]
            )
            posted = [r for r in results if r.ok or r.reason == Reason.PENDING_ALREADY_POSTED]
            for r in results:
                if not r.ok and r.reason != Reason.PENDING_ALREADY_POSTED:
                    log.warning("exchange %s: lock not released: %s", ex.public_id, r)
            ex.lock = m.Exchange.Lock.RELEASED if posted else m.Exchange.Lock.CANCELLED
            ex.released_at = now
            ex.save(update_fields=["lock", "released_at"])
            released += 1
    return released


def _drain(run: Any, limit: int = 1000, rounds: int = 1000) -> int:
    done = 0
    for _round in range(rounds):
        results = run(limit=limit)
        done += sum(1 for r in results if r.status == Status.CREATED)
        if len(results) < limit:
            break
    return done


def run_jobs(*, now: datetime | None = None) -> dict[str, int]:
    """The scheduled points jobs, in order: time out holds, release locked points, expire
    lots. Idempotent; safe to run concurrently."""
    lg = ledger(now)
    holds = _drain(lg.expire_holds)
    released = release_locked(now=now)
    lots = _drain(lg.expire_lots)
    return {"holds_timed_out": holds, "exchanges_released": released, "lots_expired": lots}
