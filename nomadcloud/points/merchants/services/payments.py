"""Paying at a merchant with a one-time code: the nomad's code, the cashier's hold, its
confirmation or cancellation, and refunds (see docs/points.md, "Merchants, payments and
settlement").

**The code.** 12 digits: a 9-digit random serial and a 3-digit tag, the serial's HMAC-SHA256
under a key derived from ``SECRET_KEY`` (reduced to 3 digits). The QR code carries the same
12 digits. Only a keyed hash of the code is stored (``PaymentCode.digest``, HMAC-SHA256
under a second derived key), so a copy of the database does not give the codes away — an
unkeyed hash of a 12-digit number would be reversed by trying all 10^12 of them. A code
lives ``POINTS_PAYMENT_CODE_SECONDS`` (3 minutes by default); a new code for the same asset
replaces the old one (at most one live code per person and asset, a partial unique index);
it is used once: the claim is a conditional ``UPDATE … WHERE state = 'live' AND expires_at >
now``, which only one of two racing cashiers wins, on PostgreSQL (row lock, re-check) and on
SQLite (one writer at a time).

Guessing: a guess must match a live code exactly, 1 in 10^12 per live code. With 10,000
live codes at once the chance per guess is 10^-8; each merchant may enter at most
``POINTS_CODE_FAILURE_LIMIT`` refused codes per ``POINTS_CODE_FAILURE_WINDOW_MINUTES`` (20
per 10 minutes: 2,880 a day), so guessing one code takes a merchant about 10^8 / 2,880 ≈
35,000 days (95 years) on average. Forged codes (wrong tag, 999 in 1,000 of random
guesses) are refused before any lookup.

**The payment.** The cashier enters code and amount: the code is claimed and a hold is
placed from the person's account to the merchant's (timeout ``POINTS_CASHIER_HOLD_SECONDS``)
in one transaction, so a refused hold (not enough points, amount too large) leaves the
code unused. The cashier sees the person's masked name and the amount, and confirms (the
hold is posted) or cancels (voided). A refund reverses part or all of what is left of the
posted payment, which gives the person back the lots the payment took. Operations on one
merchant are serialised by a row lock on the merchant, which settlement takes too.
"""

from __future__ import annotations

import hmac
import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person, require_write
from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, DomainError, InvalidInput, invalid_field
from nomadcloud.notifications.services import notify
from nomadcloud.points import book
from nomadcloud.points import models as m
from nomadcloud.points.book.reasons import reason_message
from nomadcloud.points.ledger import Kind, Reason, SystemRole, TransferRequest, TransferResult
from nomadcloud.points.merchants import notices as merchant_notices
from nomadcloud.points.merchants.services.registry import account_of
from nomadcloud.points.programme import services as programme

SERIAL_DIGITS = 9
TAG_DIGITS = 3
CODE_DIGITS = SERIAL_DIGITS + TAG_DIGITS
MAX_REASON = 300
_TAG_SALT = "nomadcloud.points.payment-code.tag"
_DIGEST_SALT = "nomadcloud.points.payment-code.digest"
_SEPARATORS = re.compile(r"[\s-]+")

Status = m.Payment.Status


# ---- codes -------------------------------------------------------------------------------


def _tag(serial: str) -> str:
    mac = salted_hmac(_TAG_SALT, serial, algorithm="sha256").digest()
    return f"{int.from_bytes(mac[:8], 'big') % 10**TAG_DIGITS:0{TAG_DIGITS}d}"


def digest(code: str) -> str:
    return salted_hmac(_DIGEST_SALT, code, algorithm="sha256").hexdigest()


def new_code() -> str:
    serial = f"{secrets.randbelow(10**SERIAL_DIGITS):0{SERIAL_DIGITS}d}"
    return serial + _tag(serial)


def normalise(raw: str) -> str:
    """What the cashier typed or scanned, without spaces and hyphens."""
    return _SEPARATORS.sub("", str(raw or ""))[:64]


def is_signed(code: str) -> bool:
    """12 digits whose last three are the tag of the first nine."""
    if len(code) != CODE_DIGITS or not code.isascii() or not code.isdigit():
        return False
    return hmac.compare_digest(code[SERIAL_DIGITS:], _tag(code[:SERIAL_DIGITS]))


def grouped(code: str) -> str:
    """``1234 5678 9012``: easier to read out and type."""
    return " ".join(code[i : i + 4] for i in range(0, len(code), 4))


def qr_svg(code: str) -> str:
    """The code as an inline SVG QR code (drawn on the server)."""
    import segno

    qr = segno.make(code, error="m", micro=False)
    svg: str = qr.svg_inline(scale=6, border=2, dark="#111", light="#fff", omitsize=True)
    return svg


@dataclass(frozen=True)
class IssuedCode:
    """A code as handed to the nomad, once: only its digest is kept."""

    code: str
    asset: m.Asset
    expires_at: datetime
    row: m.PaymentCode

    @property
    def grouped(self) -> str:
        return grouped(self.code)

    @property
    def qr_svg(self) -> str:
        return qr_svg(self.code)


def spendable_assets() -> list[m.Asset]:
    """Assets that merchants accept: those of active scenarios."""
    return list(m.Asset.objects.filter(scenarios__active=True).distinct().order_by("code"))


def spendable_asset(code: object) -> m.Asset:
    asset = m.Asset.objects.filter(code=str(code)[:128], scenarios__active=True).first()
    if asset is None:
        raise invalid_field(
            "asset", _("Points of this kind cannot be spent at merchants."), code="asset_unknown"
        )
    return asset


def issue_code(*, principal: Principal, asset: m.Asset) -> IssuedCode:
    """A new one-time code for paying with ``asset``; an earlier live code of the person for
    the same asset stops working."""
    user = require_person(principal)
    require_write(principal)
    now = timezone.now()
    expires_at = now + timedelta(seconds=settings.POINTS_PAYMENT_CODE_SECONDS)
    for _attempt in range(5):
        code = new_code()
        try:
            with transaction.atomic():
                m.PaymentCode.objects.filter(
                    person=user, asset=asset, state=m.PaymentCode.State.LIVE
                ).update(state=m.PaymentCode.State.REPLACED)
                row = m.PaymentCode.objects.create(
                    person=user,
                    asset=asset,
                    digest=digest(code),
                    created_at=now,
                    expires_at=expires_at,
                )
        except IntegrityError:  # the same digits are in use, or a parallel request won
            continue
        return IssuedCode(code=code, asset=asset, expires_at=expires_at, row=row)
    raise Conflict(_("No code could be made just now; please try again."), code="code_busy")


def live_code(user: User, asset: m.Asset) -> m.PaymentCode | None:
    return (
        m.PaymentCode.objects.filter(
            person=user, asset=asset, state=m.PaymentCode.State.LIVE, expires_at__gt=timezone.now()
        )
        .order_by("-created_at")
        .first()
    )


# ---- refusals ----------------------------------------------------------------------------


def refusal(result: TransferResult, field: str = "amount") -> DomainError:
    """A ledger refusal as the service's error, in the reader's language."""
    reason = result.reason or Reason.KIND_INVALID
    message = reason_message(reason, result.field)
    if reason in {Reason.INSUFFICIENT_FUNDS, Reason.INSUFFICIENT_FUNDS_EXPIRED}:
        return invalid_field(field, message, code=reason.value)
    if reason in {
        Reason.AMOUNT_NOT_POSITIVE,
        Reason.AMOUNT_TOO_LARGE,
        Reason.AMOUNT_NOT_INTEGER,
        Reason.REVERSAL_EXCEEDS_ORIGINAL,
    }:
        return invalid_field("amount", message, code=reason.value)
    if reason.value.startswith("pending_") or reason is Reason.ACCOUNT_CLOSED:
        return Conflict(message, code=reason.value)
    return InvalidInput(message, code=reason.value)


def _amount(value: object, asset: m.Asset) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise invalid_field(
            "amount", reason_message(Reason.AMOUNT_NOT_INTEGER), code="amount_not_integer"
        )
    if value <= 0:
        raise invalid_field(
            "amount", reason_message(Reason.AMOUNT_NOT_POSITIVE), code="amount_not_positive"
        )
    if value > asset.max_amount:
        raise invalid_field(
            "amount", reason_message(Reason.AMOUNT_TOO_LARGE), code="amount_too_large"
        )
    return value


class _CodeRefused(Exception):
    def __init__(self, error: DomainError) -> None:
        self.error = error


def _code_error(message: str, code: str) -> _CodeRefused:
    return _CodeRefused(invalid_field("code", message, code=code))


def _check_throttle(merchant: m.Merchant, now: datetime) -> None:
    window = timedelta(minutes=settings.POINTS_CODE_FAILURE_WINDOW_MINUTES)
    recent = m.CodeFailure.objects.filter(merchant=merchant, at__gt=now - window).count()
    if recent >= settings.POINTS_CODE_FAILURE_LIMIT:
        raise Conflict(
            _(
                "Too many wrong payment codes were entered here; wait %(minutes)s minutes "
                "before entering another."
            )
            % {"minutes": settings.POINTS_CODE_FAILURE_WINDOW_MINUTES},
            code="too_many_codes",
        )


def _find_code(raw: str, merchant: m.Merchant, now: datetime) -> m.PaymentCode:
    code = normalise(raw)
    if not code:
        raise _CodeRefused(invalid_field("code", _("Enter the payment code."), code="code_missing"))
    if not is_signed(code):
        raise _code_error(_("This payment code is not valid."), "code_unknown")
    row = (
        m.PaymentCode.objects.select_related("person", "asset").filter(digest=digest(code)).first()
    )
    if row is None:
        raise _code_error(_("This payment code is not valid."), "code_unknown")
    if row.state == m.PaymentCode.State.USED:
        raise _code_error(_("This payment code has already been used."), "code_used")
    if row.state == m.PaymentCode.State.REPLACED:
        raise _code_error(
            _("This payment code was replaced by a newer one; ask for the new code."),
            "code_replaced",
        )
    if row.expires_at <= now:
        raise _code_error(
            _("This payment code has expired; ask the customer to show a new one."),
            "code_expired",
        )
    return row


def _check_merchant_open(merchant: m.Merchant) -> None:
    organisation = merchant.organisation
    if (
        not merchant.active
        or not merchant.scenario.active
        or organisation.verification_status != Organisation.Verification.VERIFIED
    ):
        raise Conflict(
            _("%(merchant)s does not accept points at the moment.") % {"merchant": organisation},
            code="merchant_closed",
        )


def lock_merchant(merchant: m.Merchant) -> None:
    """Serialise the operations on one merchant (payments, refunds, settlement)."""
    m.Merchant.objects.select_for_update().filter(pk=merchant.pk).values_list("pk").first()


# ---- payments ----------------------------------------------------------------------------


def start_payment(
    *, principal: Principal, merchant: m.Merchant, code: str, amount: object
) -> m.Payment:
    """Claim the code and hold ``amount`` (smallest units) of the person's points for the
    merchant. The caller checked the cashier's access (``merchant_for(…, CASHIER)``)."""
    cashier = require_person(principal)
    _check_merchant_open(merchant)
    now = timezone.now()
    _check_throttle(merchant, now)
    asset = merchant.scenario.asset
    try:
        row = _find_code(code, merchant, now)
    except _CodeRefused as refused:
        if refused.error.code != "code_missing":
            m.CodeFailure.objects.create(merchant=merchant, at=now)
        raise refused.error from None
    if row.asset_id != asset.code:
        raise invalid_field(
            "code",
            _("%(merchant)s accepts %(asset)s, not the points of this code.")
            % {"merchant": merchant.organisation, "asset": programme.asset_label(asset.code)},
            code="asset_not_accepted",
        )
    if row.person_id == cashier.pk:
        raise invalid_field(
            "code", _("You cannot take a payment from yourself."), code="own_payment"
        )
    value = _amount(amount, asset)
    person = row.person
    public_id = uuid.uuid4()
    with transaction.atomic():
        lock_merchant(merchant)
        claimed = m.PaymentCode.objects.filter(
            pk=row.pk, state=m.PaymentCode.State.LIVE, expires_at__gt=now
        ).update(state=m.PaymentCode.State.USED, used_at=now)
        if not claimed:
            raise invalid_field(
                "code", _("This payment code has already been used."), code="code_used"
            )
        hold_id = f"pay:{public_id.hex}:hold"
        result = book.ledger().submit(
            [
                TransferRequest(
                    id=hold_id,
                    kind=Kind.HOLD,
                    debit_account=book.person_account(person, asset.code),
                    credit_account=account_of(merchant),
                    amount=value,
                    asset=asset.code,
                    timeout=settings.POINTS_CASHIER_HOLD_SECONDS,
                    code=merchant_notices.PAYMENT,
                    reference=str(public_id),
                )
            ]
        )[0]
        if not result.ok or result.transfer is None:
            raise refusal(result)
        payment = m.Payment.objects.create(
            public_id=public_id,
            merchant=merchant,
            person=person,
            asset=asset,
            amount=value,
            hold_id=hold_id,
            cashier=cashier,
            created_at=now,
            expires_at=result.transfer.expires_at
            or now + timedelta(seconds=settings.POINTS_CASHIER_HOLD_SECONDS),
        )
        audit.record(
            actor=cashier,
            action="points.payment_held",
            obj=payment,
            organisation=merchant.organisation,
            after={"amount": value, "asset": asset.code},
        )
    return payment


def _locked_payment(payment: m.Payment) -> m.Payment:
    lock_merchant(payment.merchant)
    return (
        m.Payment.objects.select_for_update()
        .select_related("merchant__organisation", "asset", "person")
        .get(pk=payment.pk)
    )


def _resolve(
    principal: Principal, payment: m.Payment, kind: Kind
) -> tuple[m.Payment, DomainError | None]:
    user = require_person(principal)
    with transaction.atomic():
        payment = _locked_payment(payment)
        now = timezone.now()  # under the merchant's lock, which settlement takes too
        if payment.status == Status.CONFIRMED:
            if kind is Kind.VOID:
                return payment, Conflict(
                    _("The payment is already confirmed; refund it instead."),
                    code=Reason.PENDING_ALREADY_POSTED.value,
                )
            return payment, Conflict(
                reason_message(Reason.PENDING_ALREADY_POSTED),
                code=Reason.PENDING_ALREADY_POSTED.value,
            )
        if payment.status == Status.CANCELLED:
            return payment, Conflict(
                reason_message(Reason.PENDING_ALREADY_VOIDED),
                code=Reason.PENDING_ALREADY_VOIDED.value,
            )
        if payment.status == Status.EXPIRED:
            return payment, Conflict(
                reason_message(Reason.PENDING_EXPIRED), code=Reason.PENDING_EXPIRED.value
            )
        transfer_id = payment.post_id if kind is Kind.POST else payment.void_id
        result = book.ledger().submit(
            [
                TransferRequest(
                    id=transfer_id,
                    kind=kind,
                    pending_id=payment.hold_id,
                    code=merchant_notices.PAYMENT,
                    reference=str(payment.public_id),
                )
            ]
        )[0]
        if not result.ok:
            if result.reason is Reason.PENDING_EXPIRED:
                payment.status = Status.EXPIRED
                payment.save(update_fields=["status"])
            return payment, refusal(result)
        payment.status = Status.CONFIRMED if kind is Kind.POST else Status.CANCELLED
        payment.resolved_at = now
        payment.resolved_by = user
        payment.save(update_fields=["status", "resolved_at", "resolved_by"])
        audit.record(
            actor=user,
            action="points.payment_confirmed" if kind is Kind.POST else "points.payment_cancelled",
            obj=payment,
            organisation=payment.merchant.organisation,
            after={"amount": payment.amount, "asset": payment.asset_id},
        )
        if kind is Kind.POST:
            notify(
                payment.person,
                "points.merchant_payment",
                params={
                    "merchant": payment.merchant.organisation,
                    "amount": amount_text(payment.asset, payment.amount),
                    "asset": programme.asset_label(payment.asset_id),
                },
                url="/points/pay/",
            )
    return payment, None


def confirm_payment(*, principal: Principal, payment: m.Payment) -> m.Payment:
    """Post the hold: the points are the merchant's."""
    payment, error = _resolve(principal, payment, Kind.POST)
    if error is not None:
        raise error
    return payment


def cancel_payment(*, principal: Principal, payment: m.Payment) -> m.Payment:
    """Void the hold: the points go back to the person."""
    payment, error = _resolve(principal, payment, Kind.VOID)
    if error is not None:
        raise error
    return payment


def refund_payment(
    *,
    principal: Principal,
    payment: m.Payment,
    amount: object,
    reason: str,
    request_key: str = "",
) -> m.Refund:
    """Give back ``amount`` of a confirmed payment (at most what is left of it). The ledger
    reverses the payment's post, so the person gets back the lots it took. If the payment
    was already settled, the points first come back from the settlement account (a linked
    transfer): the refund is then deducted in the statement of the day it is made.

    ``request_key`` (the client's ``Idempotency-Key``) is the refund's own guard: one refund
    per key and payment, checked under the payment's lock, so a retry refunds nothing more
    even when core's key record does not catch it (another credential of the same merchant,
    a retry after the record's TTL). The same key again answers the refund it made; with a
    different amount or reason it is refused (``idempotency_key_reused``)."""
    user = require_person(principal)
    reason = (reason or "").strip()
    if not reason:
        raise invalid_field("reason", _("Say why the payment is refunded."), code="reason_missing")
    if len(reason) > MAX_REASON:
        raise invalid_field(
            "reason", _("At most %(n)s characters.") % {"n": MAX_REASON}, code="reason_too_long"
        )
    value = _amount(amount, payment.asset)
    request_key = request_key[:255]
    with transaction.atomic():
        payment = _locked_payment(payment)
        now = timezone.now()  # under the merchant's lock, which settlement takes too
        if request_key:
            earlier = m.Refund.objects.filter(payment=payment, request_key=request_key).first()
            if earlier is not None:
                if (earlier.amount, earlier.reason) != (value, reason):
                    raise InvalidInput(
                        _("This Idempotency-Key was used for a different request."),
                        code="idempotency_key_reused",
                        fields={"Idempotency-Key": [_("Use a new key for a new refund.")]},
                    )
                return earlier
        if payment.status != Status.CONFIRMED:
            raise Conflict(
                _("Only a confirmed payment can be refunded; cancel a payment that waits."),
                code="not_confirmed",
            )
        left = payment.amount - payment.refunded
        if value > left:
            raise invalid_field(
                "amount",
                _("At most %(left)s of this payment can still be refunded.")
                % {"left": amount_text(payment.asset, left)},
                code=Reason.REVERSAL_EXCEEDS_ORIGINAL.value,
            )
        public_id = uuid.uuid4()
        transfer_id = f"refund:{public_id.hex}"
        from_settlement = payment.statement_id is not None
        requests = []
        if from_settlement:
            merchant_account = f"o:{payment.merchant.organisation.public_id.hex}:{payment.asset_id}"
            requests.append(
                TransferRequest(
                    id=f"{transfer_id}:return",
                    kind=Kind.TRANSFER,
                    debit_account=book.ledger().system_account(
                        SystemRole.SETTLEMENT, payment.asset_id, merchant_account
                    ),
                    credit_account=merchant_account,
                    amount=value,
                    code=merchant_notices.SETTLEMENT_RETURN,
                    reference=str(public_id),
                    linked=True,
                )
            )
        requests.append(
            TransferRequest(
                id=transfer_id,
                kind=Kind.REVERSAL,
                reverses=payment.post_id,
                amount=value,
                code=merchant_notices.REFUND,
                reference=str(public_id),
            )
        )
        results = book.ledger().submit(requests)
        failed = [r for r in results if not r.ok and r.reason is not Reason.LINKED_EVENT_FAILED]
        if failed:
            raise refusal(failed[0])
        refund = m.Refund.objects.create(
            public_id=public_id,
            payment=payment,
            amount=value,
            reason=reason,
            transfer_id=transfer_id,
            from_settlement=from_settlement,
            created_by=user,
            created_at=now,
            request_key=request_key,
        )
        payment.refunded += value
        payment.save(update_fields=["refunded"])
        audit.record(
            actor=user,
            action="points.payment_refunded",
            obj=payment,
            organisation=payment.merchant.organisation,
            after={
                "amount": value,
                "refunded": payment.refunded,
                "after_settlement": from_settlement,
            },
        )
        notify(
            payment.person,
            "points.merchant_refund",
            params={
                "merchant": payment.merchant.organisation,
                "amount": amount_text(payment.asset, value),
                "asset": programme.asset_label(payment.asset_id),
                "reason": reason,
            },
            url="/points/pay/",
        )
    return refund


# ---- amounts and the payer's balance (also shown by the pages) --------------------------


def amount_text(asset: m.Asset, amount: int) -> str:
    return programme.format_amount(amount, asset.scale)


def balance(user: User, asset: m.Asset) -> int:
    """What the person may spend in ``asset`` now (balance less held points)."""
    row = m.Account.objects.filter(id=f"u:{user.public_id.hex}:{asset.code}").first()
    if row is None:
        return 0
    return row.credits_posted - row.debits_posted - row.debits_pending
