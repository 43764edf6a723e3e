"""Work units from proofs of work: credited when credentials are issued (a typed value, never
parsed from a credential), reclaimed when one is revoked."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_FLOOR, Decimal

from django.utils import timezone

from nomadcloud.core import bulk
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book import history
from nomadcloud.points.ledger import (
    Kind,
    Reason,
    SystemRole,
    TransferRequest,
)
from nomadcloud.points.programme import services as programme
from nomadcloud.proofs.events import CredentialRevoked, CredentialsIssued, Holder, WorkUnitsEarned
from nomadcloud.risk.events import HeldIssuanceDecided

from .base import WU, ledger, log

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
