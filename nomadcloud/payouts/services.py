"""Use cases of money out (docs/payouts.md). One transaction each, keyword-only inputs,
audited; balances change only under the budget's row lock (locks are taken budget first,
then commitment, then payout, so two use cases never wait on each other in a circle).

These functions do not decide who may act: the app that owns the subject (vouchers,
incentives, competitions) checks its own rules before calling ``commit`` or
``approve_payout``, and the finance officer's pages and API check ``payouts.access``. The
actor is recorded in the audit log and the payout's history.
"""

from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.money import format_cny, to_cny
from nomadcloud.core.numbers import NumberRefused
from nomadcloud.payouts import adapters, events, transitions
from nomadcloud.payouts.models import ZERO, Budget, Commitment, MoneyEntry, Payout, PayoutEvent
from nomadcloud.payouts.schemas import PayoutMove

A = MoneyEntry.Account
S = Payout.Status
MAX_TEXT = 500


class BudgetExceeded(Conflict):
    """A commitment larger than what is left of the budget; ``available`` says how much is."""

    code = "budget_exceeded"

    def __init__(self, available: Decimal) -> None:
        message = _("The budget has only %(available)s left.") % {
            "available": format_cny(available)
        }
        super().__init__(message, fields={"amount": [message]})
        self.available = available


# --- helpers ----------------------------------------------------------------------------------


def _amount(value: object, field: str = "amount") -> Decimal:
    try:
        amount = value.quantize(Decimal("0.01")) if isinstance(value, Decimal) else to_cny(value)
        if isinstance(value, Decimal) and amount != value:
            raise NumberRefused(_("Give at most two decimal places."))
    except NumberRefused as exc:
        raise invalid_field(field, exc.message) from exc
    except (ValueError, ArithmeticError) as exc:
        raise invalid_field(field, _("Give an amount in yuan, like 1200.00.")) from exc
    if amount <= 0:
        raise invalid_field(field, _("The amount must be more than zero."))
    return amount


def _text(value: str, field: str, *, required: bool = True, limit: int = MAX_TEXT) -> str:
    text = (value or "").strip()
    if required and not text:
        raise invalid_field(field, _("This field is required."))
    if len(text) > limit:
        raise invalid_field(field, _("At most %(limit)d characters.") % {"limit": limit})
    return text


def _post(
    budget: Budget,
    memo: str,
    legs: list[tuple[str, Decimal]],
    *,
    commitment: Commitment | None = None,
    payout: Payout | None = None,
) -> uuid.UUID:
    """One double-entry transfer: the legs sum to zero (an error otherwise, never stored)."""
    if sum((amount for _account, amount in legs), ZERO) != ZERO:
        raise AssertionError(f"unbalanced transfer {memo}: {legs}")
    transfer = uuid.uuid4()
    MoneyEntry.objects.bulk_create(
        MoneyEntry(
            transfer=transfer,
            budget=budget,
            account=account,
            amount=amount,
            commitment=commitment,
            payout=payout,
            memo=memo,
        )
        for account, amount in legs
    )
    return transfer


def _move(
    budget: Budget, memo: str, source: str, target: str, amount: Decimal, **links: object
) -> None:
    _post(budget, memo, [(source, -amount), (target, amount)], **links)  # type: ignore[arg-type]


def _locked_budget(budget_id: int) -> Budget:
    return Budget.objects.select_for_update().get(pk=budget_id)


def _locked_commitment(commitment_id: int) -> Commitment:
    return Commitment.objects.select_for_update().get(pk=commitment_id)


def _locked(payout: Payout) -> tuple[Budget, Commitment, Payout]:
    budget = _locked_budget(payout.budget_id)
    commitment = _locked_commitment(payout.commitment_id)
    locked = Payout.objects.select_for_update().get(pk=payout.pk)
    locked.budget, locked.commitment = budget, commitment
    return budget, commitment, locked


def _settle_status(commitment: Commitment) -> None:
    if commitment.remaining > 0:
        commitment.status = Commitment.Status.ACTIVE
    elif commitment.disbursed > 0:
        commitment.status = Commitment.Status.CONSUMED
    else:
        commitment.status = Commitment.Status.RELEASED


def _event(
    payout: Payout, action: str, before: str, actor: User | None, reason: str = "", **detail: object
) -> None:
    PayoutEvent.objects.create(
        payout=payout,
        action=action,
        from_status=before,
        to_status=payout.status,
        actor=actor,
        reason=reason[:MAX_TEXT],
        detail={name: str(value) for name, value in detail.items()},
    )
    audit.record(
        actor=actor,
        action=f"payouts.payout.{action}",
        obj=payout,
        organisation=payout.budget.owner,
        before={"status": before},
        after={"status": payout.status, **{k: str(v) for k, v in detail.items()}},
    )


def _changed(payout: Payout, actor: User | None) -> events.PayoutChanged:
    return events.PayoutChanged(
        payout_id=payout.public_id,
        commitment_id=payout.commitment.public_id,
        subject_kind=payout.commitment.subject_kind,
        subject_id=payout.commitment.subject_id,
        payee_kind=payout.payee_kind,
        payee_id=payout.payee_id,
        amount=payout.amount,
        status=payout.status,
        external_reference=payout.external_reference,
        actor_id=actor.pk if actor is not None else None,
        at=timezone.now(),
    )


# --- budgets and commitments ------------------------------------------------------------------


def available(budget: Budget) -> Decimal:
    """budget − committed − paid, read fresh from the database (payments in flight count
    as committed)."""
    return Budget.objects.get(pk=budget.pk).available


def balances(budget: Budget) -> dict[str, Decimal]:
    """Each account's balance from the ledger (what the budget's columns must equal)."""
    totals = dict.fromkeys(A.values, ZERO)
    for account, amount in MoneyEntry.objects.filter(budget=budget).values_list(
        "account", "amount"
    ):
        totals[account] += amount
    return totals


@transaction.atomic
def create_budget(
    *,
    programme_code: str,
    year: int,
    amount: Decimal,
    owner: Organisation,
    actor: User | None,
    name_zh: str = "",
    name_en: str = "",
) -> Budget:
    code = _text(programme_code, "programme_code", limit=60)
    if not 2000 <= year <= 2100:
        raise invalid_field("year", _("Give a year between 2000 and 2100."))
    money = _amount(amount)
    if Budget.objects.filter(programme_code=code, year=year).exists():
        raise Conflict(
            _("This programme already has a budget for %(year)d.") % {"year": year},
            code="budget_exists",
        )
    budget = Budget.objects.create(
        programme_code=code,
        year=year,
        amount=money,
        owner=owner,
        created_by=actor,
        name_zh=_text(name_zh, "name_zh", required=False, limit=200),
        name_en=_text(name_en, "name_en", required=False, limit=200),
    )
    _move(budget, "budget", A.FUNDING, A.AVAILABLE, money)
    audit.record(
        actor=actor,
        action="payouts.budget.create",
        obj=budget,
        organisation=owner,
        after={"programme_code": code, "year": year, "amount": str(money)},
    )
    return budget


@transaction.atomic
def commit(
    budget: Budget,
    *,
    subject_kind: str,
    subject_id: str,
    amount: Decimal,
    actor: User | None,
    reason: str,
) -> Commitment:
    """Reserve ``amount`` of the budget for a subject, under the budget's row lock: two
    commitments at once never exceed it. ``BudgetExceeded`` (``budget_exceeded``) says what
    is left."""
    kind = _text(subject_kind, "subject_kind", limit=60)
    subject = _text(subject_id, "subject_id", limit=64)
    money = _amount(amount)
    why = _text(reason, "reason", required=False)
    locked = _locked_budget(budget.pk)
    if money > locked.available:
        raise BudgetExceeded(locked.available)
    commitment = Commitment.objects.create(
        budget=locked,
        subject_kind=kind,
        subject_id=subject,
        amount=money,
        reason=why,
        created_by=actor,
    )
    locked.committed += money
    locked.save(update_fields=["committed"])
    _move(locked, "commit", A.AVAILABLE, A.COMMITTED, money, commitment=commitment)
    audit.record(
        actor=actor,
        action="payouts.commitment.create",
        obj=commitment,
        organisation=locked.owner,
        after={"subject": f"{kind}:{subject}", "amount": str(money), "reason": why},
    )
    budget.refresh_from_db()
    return commitment


@transaction.atomic
def release(
    commitment: Commitment, *, amount: Decimal | None = None, actor: User | None, reason: str
) -> Commitment:
    """Give back to the budget what a commitment will not need (all of what is left when
    ``amount`` is None)."""
    why = _text(reason, "reason")
    budget = _locked_budget(commitment.budget_id)
    locked = _locked_commitment(commitment.pk)
    money = locked.remaining if amount is None else _amount(amount)
    if locked.remaining <= 0:
        raise Conflict(
            _("Nothing is left of this commitment to release."), code="nothing_to_release"
        )
    if money > locked.remaining:
        raise Conflict(
            _("Only %(remaining)s of this commitment is left to release.")
            % {"remaining": format_cny(locked.remaining)},
            code="commitment_exceeded",
            fields={
                "amount": [
                    _("At most %(remaining)s.") % {"remaining": format_cny(locked.remaining)}
                ]
            },
        )
    before = locked.status
    locked.released += money
    _settle_status(locked)
    locked.save(update_fields=["released", "status"])
    budget.committed -= money
    budget.save(update_fields=["committed"])
    _move(budget, "release", A.COMMITTED, A.AVAILABLE, money, commitment=locked)
    audit.record(
        actor=actor,
        action="payouts.commitment.release",
        obj=locked,
        organisation=budget.owner,
        before={"status": before},
        after={"status": locked.status, "released": str(money), "reason": why},
    )
    return locked


# --- payouts ----------------------------------------------------------------------------------


@transaction.atomic
def approve_payout(
    commitment: Commitment,
    *,
    payee_kind: str,
    payee_id: str,
    amount: Decimal,
    actor: User | None,
) -> Payout:
    """Approve paying ``amount`` of a commitment to a payee: the money moves from
    "committed" to "being paid" (it stays out of what is available)."""
    kind = _text(payee_kind, "payee_kind", limit=40)
    payee = _text(payee_id, "payee_id", limit=64)
    money = _amount(amount)
    budget = _locked_budget(commitment.budget_id)
    locked = _locked_commitment(commitment.pk)
    if money > locked.remaining:
        raise Conflict(
            _("Only %(remaining)s of this commitment is left to pay.")
            % {"remaining": format_cny(locked.remaining)},
            code="commitment_exceeded",
            fields={
                "amount": [
                    _("At most %(remaining)s.") % {"remaining": format_cny(locked.remaining)}
                ]
            },
        )
    payout = Payout.objects.create(
        commitment=locked,
        budget=budget,
        payee_kind=kind,
        payee_id=payee,
        amount=money,
        approved_by=actor,
    )
    locked.disbursed += money
    _settle_status(locked)
    locked.save(update_fields=["disbursed", "status"])
    budget.committed -= money
    budget.in_flight += money
    budget.save(update_fields=["committed", "in_flight"])
    _move(budget, "approve", A.COMMITTED, A.IN_FLIGHT, money, commitment=locked, payout=payout)
    payout.budget, payout.commitment = budget, locked
    _event(payout, "approve", "", actor, amount=money, payee=f"{kind}:{payee}")
    return payout


def _step(
    payout: Payout, action: str, *, actor: User | None, reason: str = "", **changes: object
) -> Payout:
    """A move without money: lock, check the table, apply ``changes``, record."""
    with transaction.atomic():
        _budget, _commitment, locked = _locked(payout)
        before = locked.status
        locked.status = transitions.check(locked, action)
        for name, value in changes.items():
            setattr(locked, name, value)
        locked.save()
        _event(locked, action, before, actor, reason, **changes)
    return locked


def schedule(payout: Payout, *, actor: User | None, scheduled_for: date | None = None) -> Payout:
    return _step(
        payout, "schedule", actor=actor, scheduled_for=scheduled_for or timezone.localdate()
    )


def retry(payout: Payout, *, actor: User | None, reason: str = "") -> Payout:
    return _step(payout, "retry", actor=actor, reason=reason, last_error="")


def send(payout: Payout, *, actor: User | None) -> Payout:
    """Hand the payout to the payment adapter. The payout is ``paying`` (committed) before
    the bank is called; the bank's answer is recorded afterwards: accepted (its order
    number is kept, the payout waits for ``mark_paid``) or refused (``failed``, retryable).
    Outside a transaction, so a slow bank holds no lock."""
    with transaction.atomic():
        _budget, _commitment, locked = _locked(payout)
        before = locked.status
        locked.status = transitions.check(locked, "send")
        locked.attempts += 1
        locked.save()
        _event(locked, "send", before, actor, attempt=locked.attempts)
    order = adapters.PaymentOrder(
        payout_id=str(locked.public_id),
        attempt=locked.attempts,
        payee_kind=locked.payee_kind,
        payee_id=locked.payee_id,
        amount=locked.amount,
    )
    try:
        result = adapters.adapter().send(order)
    except Exception as exc:  # the bank's outage must leave a visible, retryable failure
        result = adapters.SendResult(accepted=False, error=f"{type(exc).__name__}: {exc}")
    if not result.accepted:
        return fail(locked, reason=result.error or _("The bank refused the order."), actor=None)
    with transaction.atomic():
        _budget, _commitment, locked = _locked(locked)
        if locked.status == S.PAYING:
            locked.bank_order = result.bank_order[:100]
            locked.save(update_fields=["bank_order", "updated_at"])
            PayoutEvent.objects.create(
                payout=locked,
                action="bank_accepted",
                from_status=S.PAYING,
                to_status=S.PAYING,
                detail={"bank_order": locked.bank_order},
            )
    return locked


def mark_paid(payout: Payout, *, external_reference: str, actor: User | None = None) -> Payout:
    """The bank reports the payment made, with its reference (from its statement or
    callback). Not yet shown as paid: a person confirms it (``confirm``)."""
    reference = _text(external_reference, "external_reference", limit=100)
    return _step(payout, "mark_paid", actor=actor, external_reference=reference)


def confirm(payout: Payout, *, actor: User) -> Payout:
    """A person confirms the payment against the bank's reference: now it is paid. Refused
    without an external reference (``reference_missing``)."""
    with transaction.atomic():
        budget, _commitment, locked = _locked(payout)
        before = locked.status
        target = transitions.check(locked, "confirm")
        if not locked.external_reference.strip():
            raise Conflict(
                _("The bank's reference is missing: a payout is confirmed only against it."),
                code="reference_missing",
            )
        locked.status = target
        locked.confirmed_by = actor
        locked.confirmed_at = timezone.now()
        locked.save()
        budget.in_flight -= locked.amount
        budget.paid += locked.amount
        budget.save(update_fields=["in_flight", "paid"])
        _move(
            budget,
            "confirm",
            A.IN_FLIGHT,
            A.PAID,
            locked.amount,
            commitment=locked.commitment,
            payout=locked,
        )
        _event(locked, "confirm", before, actor, external_reference=locked.external_reference)
        events.payout_confirmed.send(_changed(locked, actor))
    return locked


def fail(payout: Payout, *, reason: str, actor: User | None = None) -> Payout:
    """The bank refused or returned the payment. The money stays reserved for the payout
    until it is retried or reversed."""
    why = _text(reason, "reason")
    with transaction.atomic():
        _budget, _commitment, locked = _locked(payout)
        before = locked.status
        locked.status = transitions.check(locked, "fail")
        locked.last_error = why
        locked.save()
        _event(locked, "fail", before, actor, why)
        events.payout_failed.send(_changed(locked, actor))
    return locked


def reverse(payout: Payout, *, actor: User | None, reason: str) -> Payout:
    """Cancel a payout that was not paid: its money goes back to its commitment (which the
    owning app may pay again or release)."""
    why = _text(reason, "reason")
    with transaction.atomic():
        budget, commitment, locked = _locked(payout)
        before = locked.status
        locked.status = transitions.check(locked, "reverse")
        locked.save()
        commitment.disbursed -= locked.amount
        _settle_status(commitment)
        commitment.save(update_fields=["disbursed", "status"])
        budget.in_flight -= locked.amount
        budget.committed += locked.amount
        budget.save(update_fields=["in_flight", "committed"])
        _move(
            budget,
            "reverse",
            A.IN_FLIGHT,
            A.COMMITTED,
            locked.amount,
            commitment=commitment,
            payout=locked,
        )
        _event(locked, "reverse", before, actor, why)
        events.payout_reversed.send(_changed(locked, actor))
    return locked


def apply_move(payout: Payout, *, actor: User, move: PayoutMove) -> Payout:
    """One move chosen by a finance officer (page or API), dispatched to its use case."""
    action = move.action
    if action == "schedule":
        return schedule(payout, actor=actor, scheduled_for=move.scheduled_for)
    if action == "send":
        return send(payout, actor=actor)
    if action == "mark_paid":
        return mark_paid(payout, external_reference=move.external_reference, actor=actor)
    if action == "confirm":
        return confirm(payout, actor=actor)
    if action == "fail":
        return fail(payout, reason=move.reason, actor=actor)
    if action == "retry":
        return retry(payout, actor=actor, reason=move.reason)
    return reverse(payout, actor=actor, reason=move.reason)
