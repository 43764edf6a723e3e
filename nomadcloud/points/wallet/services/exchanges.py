"""The exchange (互换) of work units for a scenario's points: one linked chain of transfers,
idempotent by the person's key."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core.errors import Conflict, DomainError, invalid_field
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book import history
from nomadcloud.points.book.reasons import reason_message
from nomadcloud.points.ledger import (
    Kind,
    Reason,
    Status,
    SystemRole,
    TransferRequest,
    TransferResult,
)

from .base import KEY_PATTERN, WU, ledger
from .quotes import (
    _insufficient,
    available_work_units,
    quote,
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
