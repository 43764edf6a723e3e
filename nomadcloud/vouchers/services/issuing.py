"""Applying for a voucher, issuing it (its face value committed), cancelling, revoking and
the expiry job."""

from __future__ import annotations

import secrets
from datetime import date, timedelta
from decimal import ROUND_CEILING, Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.core.money import CENT, format_cny
from nomadcloud.vouchers import access, budget, notices, transitions
from nomadcloud.vouchers.models import (
    Programme,
    Provider,
    ProviderService,
    Redemption,
    Voucher,
)
from nomadcloud.vouchers.schemas import (
    ApplicationDraft,
)
from nomadcloud.vouchers.services._common import (
    actor_of,
    locked,
    record_event,
    tell,
)

V = Voucher.Status
R = Redemption.Status
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I

# --- applying and issuing -------------------------------------------------------------------


def copay_minimum(programme: Programme, price: Decimal) -> Decimal:
    """The least the enterprise pays itself: the price × the co-pay ratio, up to the cent."""
    return (price * programme.copay_ratio).quantize(CENT, rounding=ROUND_CEILING)


def face_value_for(programme: Programme, price: Decimal, copay: Decimal) -> Decimal:
    value: Decimal = min(price - copay, programme.max_face_value)
    return value


LIVE = (V.APPLIED, V.ISSUED, V.REDEEMING)
COUNTED = (V.APPLIED, V.ISSUED, V.REDEEMING, V.REDEEMED)


def apply_for_voucher(
    *,
    principal: Principal,
    programme: Programme,
    enterprise: Organisation,
    draft: ApplicationDraft,
    today: date | None = None,
) -> Voucher:
    """An enterprise applies for a voucher for a service it agreed with a registered
    provider. Refused, naming the field: a service not in a registered provider's catalogue
    or not of a kind the programme pays for, the provider being the enterprise itself, a
    price above the list price, a co-pay below the programme's ratio or not declared, the
    yearly cap, a second live voucher in one programme, a closed programme."""
    today = today or timezone.localdate()
    if enterprise.kind != Organisation.Kind.ENTERPRISE:
        raise invalid_field(
            "enterprise", _("Only an enterprise applies for a voucher."), code="not_an_enterprise"
        )
    if not access.is_editor(principal, enterprise):
        raise invalid_field(
            "enterprise", _("You cannot apply for this enterprise."), code="not_your_organisation"
        )
    if programme.status != Programme.Status.OPEN or not (
        programme.applications_from <= today <= programme.applications_until
    ):
        raise Conflict(
            _("The programme takes applications from %(start)s to %(end)s.")
            % {"start": programme.applications_from, "end": programme.applications_until},
            code="programme_closed",
        )
    service = (
        ProviderService.objects.filter(pk=draft.service, provider__programme=programme, active=True)
        .select_related("provider__organisation")
        .first()
    )
    if service is None or service.kind not in programme.service_kinds:
        raise invalid_field(
            "service",
            _("Choose a service from a registered provider's catalogue in this programme."),
            code="service_not_in_catalogue",
        )
    provider = service.provider
    if provider.status != Provider.Status.REGISTERED:
        raise invalid_field(
            "service",
            _("%(provider)s is not a registered provider (it is “%(state)s”).")
            % {"provider": provider, "state": Provider.Status(provider.status).label},
            code="provider_not_registered",
        )
    if provider.organisation_id == enterprise.pk:
        raise invalid_field(
            "service",
            _("A provider cannot apply for a voucher to pay itself."),
            code="provider_is_enterprise",
        )
    if draft.agreed_price > service.list_price:
        raise invalid_field(
            "agreed_price",
            _("The agreed price is above the list price of %(price)s.")
            % {"price": format_cny(service.list_price)},
            code="above_list_price",
        )
    if not draft.copay_declared:
        raise invalid_field(
            "copay_declared",
            _("Declare that the enterprise pays its share itself."),
            code="copay_not_declared",
        )
    least = copay_minimum(programme, draft.agreed_price)
    if draft.copay_amount < least:
        raise invalid_field(
            "copay_amount",
            _("The co-pay must be at least %(least)s (%(ratio)s %% of the price).")
            % {"least": format_cny(least), "ratio": _percent(programme.copay_ratio)},
            code="copay_below_ratio",
        )
    if draft.copay_amount >= draft.agreed_price:
        raise invalid_field(
            "copay_amount", _("The co-pay must be less than the price."), code="copay_too_high"
        )
    face_value = face_value_for(programme, draft.agreed_price, draft.copay_amount)
    with transaction.atomic():
        # One enterprise's applications in one programme are decided one at a time.
        Organisation.objects.select_for_update().filter(pk=enterprise.pk).first()
        held = Voucher.objects.filter(programme=programme, enterprise=enterprise)
        if held.filter(status__in=LIVE).exists():
            raise Conflict(
                _("%(org)s already has a voucher in this programme that is not finished.")
                % {"org": enterprise},
                code="one_voucher_at_a_time",
            )
        used = sum(
            (v.face_value for v in held.filter(status__in=COUNTED).only("face_value")),
            Decimal(0),
        )
        if used + face_value > programme.annual_cap:
            raise invalid_field(
                "agreed_price",
                _(
                    "This voucher of %(value)s would take the enterprise over the yearly cap "
                    "of %(cap)s (%(used)s used)."
                )
                % {
                    "value": format_cny(face_value),
                    "cap": format_cny(programme.annual_cap),
                    "used": format_cny(used),
                },
                code="annual_cap_exceeded",
            )
        voucher = Voucher.objects.create(
            programme=programme,
            enterprise=enterprise,
            provider=provider,
            service=service,
            agreed_price=draft.agreed_price,
            copay_amount=draft.copay_amount,
            face_value=face_value,
            purpose=draft.purpose,
            registered_address=draft.registered_address,
            **Voucher.encrypted(
                legal_representative=draft.legal_representative, bank_account=draft.bank_account
            ),
            applied_by=principal.user or enterprise.memberships.order_by("pk").first().user,  # type: ignore[union-attr]
        )
        record_event(voucher, action="apply", before="", actor=actor_of(principal))
        audit.record(
            actor=principal.user,
            action="vouchers.voucher.apply",
            obj=voucher,
            organisation=enterprise,
            after={"face_value": str(face_value), "provider": str(provider.public_id)},
        )
    return voucher


def _percent(ratio: Decimal) -> str:
    return f"{(ratio * 100).normalize():f}"


def new_code(year: int) -> str:
    body = "".join(secrets.choice(CODE_ALPHABET) for _ in range(8))
    return f"DV{year}-{body[:4]}-{body[4:]}"


def decide_application(
    *,
    principal: Principal,
    voucher: Voucher,
    approve: bool,
    reason: str = "",
    today: date | None = None,
) -> Voucher:
    """The department issues the voucher (a code, the validity from today, the face value
    committed on the programme's budget) or rejects the application with a reason."""
    access.require_decider(principal, voucher.programme.department)
    if not approve and not reason.strip():
        raise invalid_field("reason", _("Give a reason."))
    today = today or timezone.localdate()
    with transaction.atomic():
        voucher = locked(voucher)
        before = voucher.status
        voucher.status = transitions.check_voucher(voucher, "approve" if approve else "reject")
        voucher.decided_by = principal.user
        voucher.decision_reason = reason.strip()
        fields = ["status", "decided_by", "decision_reason"]
        if approve:
            if voucher.provider.status != Provider.Status.REGISTERED:
                raise Conflict(
                    _("%(provider)s is no longer a registered provider.")
                    % {"provider": voucher.provider},
                    code="provider_not_registered",
                )
            voucher.code = new_code(voucher.programme.year)
            voucher.valid_from = today
            voucher.valid_until = today + timedelta(days=voucher.programme.validity_days)
            voucher.issued_at = timezone.now()
            fields += ["code", "valid_from", "valid_until", "issued_at"]
            budget.commit_for(voucher, actor=principal.user)
            fields.append("commitment")
        voucher.save(update_fields=fields)
        record_event(
            voucher,
            action="approve" if approve else "reject",
            before=before,
            actor=actor_of(principal),
            reason=reason.strip(),
        )
        audit.record(
            actor=principal.user,
            action="vouchers.voucher.issue" if approve else "vouchers.voucher.reject",
            obj=voucher,
            organisation=voucher.programme.department,
            before={"status": before},
            after={"status": voucher.status, "code": voucher.code or ""},
        )
        if approve:
            tell(
                voucher.enterprise,
                notices.ISSUED.key,
                voucher,
                {
                    "code": voucher.code,
                    "value": format_cny(voucher.face_value),
                    "until": str(voucher.valid_until),
                    "provider": str(voucher.provider),
                },
            )
    return voucher


def cancel_application(*, principal: Principal, voucher: Voucher, reason: str = "") -> Voucher:
    with transaction.atomic():
        voucher = locked(voucher)
        before = voucher.status
        voucher.status = transitions.check_voucher(voucher, "cancel")
        voucher.save(update_fields=["status"])
        record_event(
            voucher, action="cancel", before=before, actor=actor_of(principal), reason=reason
        )
        audit.record(
            actor=principal.user,
            action="vouchers.voucher.cancel",
            obj=voucher,
            organisation=voucher.enterprise,
        )
    return voucher


def revoke_voucher(*, principal: Principal, voucher: Voucher, reason: str) -> Voucher:
    """The department revokes a voucher found to be abused: its budget is released and a
    redemption in progress is rejected."""
    access.require_decider(principal, voucher.programme.department)
    if not reason.strip():
        raise invalid_field("reason", _("Give a reason."))
    with transaction.atomic():
        voucher = locked(voucher)
        before = voucher.status
        voucher.status = transitions.check_voucher(voucher, "revoke")
        voucher.decision_reason = reason.strip()
        voucher.save(update_fields=["status", "decision_reason"])
        Redemption.objects.filter(
            voucher=voucher, status__in=[R.AWAITING_CONFIRMATION, R.SUBMITTED, R.HELD]
        ).update(
            status=R.REJECTED,
            decided_by=principal.user,
            decided_at=timezone.now(),
            decision_reason=reason.strip(),
        )
        budget.release_for(voucher, actor=principal.user, reason=reason.strip())
        record_event(
            voucher, action="revoke", before=before, actor=actor_of(principal), reason=reason
        )
        audit.record(
            actor=principal.user,
            action="vouchers.voucher.revoke",
            obj=voucher,
            organisation=voucher.programme.department,
            after={"reason": reason.strip()},
        )
    return voucher


# --- expiry ---------------------------------------------------------------------------------


def expire_vouchers(*, today: date | None = None) -> list[Voucher]:
    """Every issued voucher whose validity ended before ``today`` expires, its commitment
    released. Idempotent (the daily job ``vouchers.tasks.expire_vouchers``)."""
    today = today or timezone.localdate()
    expired: list[Voucher] = []
    due = Voucher.objects.filter(status=V.ISSUED, valid_until__lt=today).select_related(
        "programme__department"
    )
    for voucher in due:
        with transaction.atomic():
            voucher = locked(voucher)
            if voucher.status != V.ISSUED:
                continue
            before = voucher.status
            voucher.status = transitions.check_voucher(voucher, "expire")
            voucher.save(update_fields=["status"])
            budget.release_for(voucher, actor=None, reason="expired")
            record_event(voucher, action="expire", before=before, actor=None)
            audit.record(
                actor=None,
                action="vouchers.voucher.expire",
                obj=voucher,
                organisation=voucher.programme.department,
            )
        expired.append(voucher)
    return expired
