"""Redemption (兑付): the provider's request with evidence, the enterprise's confirmation,
the anti-fraud screen, and the department's verification (a payout approved in payouts)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Membership
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit, rules, uploads
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.money import format_cny
from nomadcloud.vouchers import access, budget, engine, notices, transitions
from nomadcloud.vouchers.models import (
    Evidence,
    Provider,
    Redemption,
    Voucher,
)
from nomadcloud.vouchers.schemas import (
    RedemptionDraft,
)
from nomadcloud.vouchers.services._common import (
    actor_of,
    locked,
    record_event,
    tell,
    tell_provider,
)

V = Voucher.Status
R = Redemption.Status
MAX_EVIDENCE_FILES = 10

# --- redemption -----------------------------------------------------------------------------


def request_redemption(
    *,
    principal: Principal,
    voucher: Voucher,
    draft: RedemptionDraft,
    files: list[UploadedFile[Any]] | None = None,
    today: date | None = None,
) -> Redemption:
    """The provider redeems the voucher for the delivered service: the invoice, the report and
    the evidence files. Only one redemption of a voucher goes ahead: a second one, also when
    two arrive at once, is refused (409 ``already_redeemed``)."""
    today = today or timezone.localdate()
    checked = uploads.check_files(files or [], field="evidence", limit=MAX_EVIDENCE_FILES)
    stored: list[Evidence] = []
    try:
        with transaction.atomic():
            voucher = locked(voucher)
            before = voucher.status
            target = transitions.check_voucher(voucher, "redeem")
            _check_redemption(voucher, draft, today)
            try:
                with transaction.atomic():
                    redemption = Redemption.objects.create(
                        voucher=voucher,
                        provider=voucher.provider,
                        requested_by=principal.user or voucher.provider.applied_by,
                        **draft.model_dump(),
                    )
            except IntegrityError:
                raise Conflict(
                    _("This voucher has already been redeemed."), code="already_redeemed"
                ) from None
            for item in checked:
                row = Evidence(redemption=redemption)
                uploads.store(row, item)
                row.save()
                stored.append(row)
            voucher.status = target
            voucher.save(update_fields=["status"])
            record_event(voucher, action="redeem", before=before, actor=actor_of(principal))
            audit.record(
                actor=principal.user,
                action="vouchers.redemption.request",
                obj=redemption,
                organisation=voucher.provider.organisation,
                after={"invoice": redemption.invoice_number, "amount": str(redemption.amount)},
            )
            tell(
                voucher.enterprise,
                notices.DELIVERY_TO_CONFIRM.key,
                voucher,
                {
                    "code": voucher.code,
                    "provider": str(voucher.provider),
                    "amount": format_cny(redemption.amount),
                },
            )
    except BaseException:
        uploads.delete_stored(list(stored))
        raise
    return redemption


def _check_redemption(voucher: Voucher, draft: RedemptionDraft, today: date) -> None:
    provider = Provider.objects.get(pk=voucher.provider_id)
    if provider.status != Provider.Status.REGISTERED:
        raise Conflict(
            _("%(provider)s is not a registered provider (it is “%(state)s”).")
            % {"provider": provider, "state": Provider.Status(provider.status).label},
            code="provider_not_registered",
        )
    assert voucher.valid_from is not None and voucher.valid_until is not None
    window = {"start": voucher.valid_from, "end": voucher.valid_until}
    if not voucher.valid_from <= draft.invoice_date <= voucher.valid_until:
        raise invalid_field(
            "invoice_date",
            _("The invoice date must be within the voucher's validity (%(start)s to %(end)s).")
            % window,
            code="invoice_outside_validity",
        )
    if not voucher.valid_from <= draft.delivered_on <= today:
        raise invalid_field(
            "delivered_on",
            _("The delivery date must be between the issue (%(start)s) and today.") % window,
            code="delivery_date",
        )
    if draft.amount > voucher.face_value:
        raise invalid_field(
            "amount",
            _("The amount is above the voucher's face value of %(value)s.")
            % {"value": format_cny(voucher.face_value)},
            code="over_face_value",
        )
    if draft.amount > draft.invoice_amount:
        raise invalid_field(
            "amount", _("The amount cannot exceed the invoice."), code="over_invoice"
        )
    duplicate = (
        Redemption.objects.filter(provider=provider, invoice_number=draft.invoice_number)
        .exclude(status=R.REJECTED)
        .exists()
    )
    if duplicate:
        raise invalid_field(
            "invoice_number",
            _("This invoice number has already been used in a redemption."),
            code="duplicate_invoice",
        )


def _normal(text: str) -> str:
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def redemption_facts(redemption: Redemption, on: date) -> engine.Facts:
    """What the anti-fraud rules look at, read from the database."""
    voucher = redemption.voucher
    provider = voucher.provider
    related: list[str] = []
    for name in ("legal_representative", "registered_address", "bank_account"):
        mine, theirs = _normal(getattr(provider, name)), _normal(getattr(voucher, name))
        if mine and mine == theirs:
            related.append(name)
    shared = Membership.objects.filter(
        organisation=voucher.enterprise,
        user__in=Membership.objects.filter(organisation=provider.organisation).values("user"),
    ).exists()
    if shared:
        related.append("member")
    days = engine.window_days(on)
    nearby = (
        Redemption.objects.filter(
            provider__organisation=provider.organisation,
            voucher__enterprise=voucher.enterprise,
            invoice_date__gte=redemption.invoice_date - timedelta(days=days),
            invoice_date__lte=redemption.invoice_date + timedelta(days=days),
        )
        .exclude(pk=redemption.pk)
        .exclude(status=R.REJECTED)
        .values_list("invoice_number", flat=True)
    )
    assert voucher.valid_from is not None
    return engine.Facts(
        on=on,
        amount=redemption.amount,
        issued_on=voucher.valid_from,
        delivered_on=redemption.delivered_on,
        evidence_files=redemption.evidence.count(),
        related=tuple(related),
        nearby_invoices=tuple(sorted(nearby)),
    )


def confirm_delivery(
    *, principal: Principal, voucher: Voucher, today: date | None = None
) -> Redemption:
    """The enterprise confirms the service was delivered; the anti-fraud rules then screen
    the redemption: it is submitted for verification, or held for review with the findings."""
    today = today or timezone.localdate()
    with transaction.atomic():
        voucher = locked(voucher)
        redemption = _live(voucher)
        transitions.check_redemption(redemption, "confirm")
        decision, findings = engine.screen(redemption_facts(redemption, today), engine.parameters())
        redemption.status = R.SUBMITTED if decision.eligible else R.HELD
        redemption.findings = findings
        redemption.params_used = rules.plain(decision.params_used)
        redemption.rule_version = decision.rule_version
        redemption.confirmed_by = principal.user
        redemption.confirmed_at = timezone.now()
        redemption.save(
            update_fields=[
                "status",
                "findings",
                "params_used",
                "rule_version",
                "confirmed_by",
                "confirmed_at",
            ]
        )
        record_event(
            voucher,
            action="confirm_delivery" if decision.eligible else "held",
            before=voucher.status,
            actor=actor_of(principal),
            reason="; ".join(f["rule"] for f in findings),
            rule_version=decision.rule_version,
        )
        audit.record(
            actor=principal.user,
            action="vouchers.redemption.confirm",
            obj=redemption,
            organisation=voucher.enterprise,
            after={"status": redemption.status, "findings": [f["rule"] for f in findings]},
        )
    return redemption


def dispute_delivery(*, principal: Principal, voucher: Voucher, reason: str) -> Redemption:
    """The enterprise says the service was not delivered: the redemption is rejected and the
    voucher can be redeemed again."""
    if not reason.strip():
        raise invalid_field("reason", _("Give a reason."))
    return _end_redemption(principal, voucher, "dispute", reason)


def _live(voucher: Voucher) -> Redemption:
    redemption = (
        Redemption.objects.select_for_update()
        .filter(voucher=voucher)
        .exclude(status=R.REJECTED)
        .first()
    )
    if redemption is None:
        raise Conflict(_("This voucher has no redemption in progress."), code="no_redemption")
    redemption.voucher = voucher
    return redemption


def _end_redemption(principal: Principal, voucher: Voucher, action: str, reason: str) -> Redemption:
    with transaction.atomic():
        voucher = locked(voucher)
        redemption = _live(voucher)
        redemption.status = transitions.check_redemption(redemption, action)
        redemption.decided_by = principal.user
        redemption.decided_at = timezone.now()
        redemption.decision_reason = reason.strip()
        redemption.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        before = voucher.status
        voucher.status = transitions.check_voucher(voucher, transitions.VOUCHER_ACTION_OF[action])
        voucher.save(update_fields=["status"])
        record_event(
            voucher, action=action, before=before, actor=actor_of(principal), reason=reason
        )
        audit.record(
            actor=principal.user,
            action=f"vouchers.redemption.{action}",
            obj=redemption,
            organisation=voucher.enterprise,
            after={"reason": reason.strip()},
        )
        tell_provider(voucher, _("refused"), reason.strip())
    return redemption


def decide_redemption(
    *, principal: Principal, voucher: Voucher, verify: bool, reason: str = ""
) -> Redemption:
    """The department verifies the redemption (a payout of the amount approved in
    ``payouts``, the rest of the commitment released) or rejects it with a reason (the voucher
    can be redeemed again while valid). A held redemption is released only with a reason."""
    access.require_decider(principal, voucher.programme.department)
    if not verify:
        if not reason.strip():
            raise invalid_field("reason", _("Give a reason."))
        return _end_redemption(principal, voucher, "reject", reason)
    with transaction.atomic():
        voucher = locked(voucher)
        redemption = _live(voucher)
        if redemption.status == R.HELD and not reason.strip():
            raise invalid_field(
                "reason", _("Say why the held redemption may go ahead."), code="reason_required"
            )
        redemption.status = transitions.check_redemption(redemption, "verify")
        redemption.decided_by = principal.user
        redemption.decided_at = timezone.now()
        redemption.decision_reason = reason.strip()
        budget.pay_for(voucher, redemption, actor=principal.user)
        redemption.save(
            update_fields=["status", "decided_by", "decided_at", "decision_reason", "payout"]
        )
        before = voucher.status
        voucher.status = transitions.check_voucher(voucher, "verify")
        voucher.save(update_fields=["status"])
        record_event(
            voucher, action="verify", before=before, actor=actor_of(principal), reason=reason
        )
        audit.record(
            actor=principal.user,
            action="vouchers.redemption.verify",
            obj=redemption,
            organisation=voucher.programme.department,
            after={"amount": str(redemption.amount)},
        )
        tell_provider(voucher, _("verified, payout approved"), reason.strip())
    return redemption
