"""Programmes (their budget in payouts), provider registration, review and catalogue."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from nomadcloud.accounts.access import require_person
from nomadcloud.accounts.models import Organisation
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.vouchers import access, budget
from nomadcloud.vouchers.models import (
    Programme,
    Provider,
    ProviderService,
    Redemption,
    Voucher,
)
from nomadcloud.vouchers.schemas import (
    ProgrammeDraft,
    ProviderDraft,
    ServiceDraft,
)

V = Voucher.Status
R = Redemption.Status

# --- programmes -----------------------------------------------------------------------------


def create_programme(
    *, principal: Principal, department: Organisation, draft: ProgrammeDraft
) -> Programme:
    """A department opens a programme; its budget is created in ``payouts``."""
    access.require_decider(principal, department)
    if department.kind != Organisation.Kind.DEPARTMENT:
        raise invalid_field("department", _("Only a government department runs a programme."))
    if not (draft.name_zh or draft.name_en):
        raise invalid_field("name_zh", _("Give the programme a name in at least one language."))
    if draft.applications_until < draft.applications_from:
        raise invalid_field(
            "applications_until", _("The application period cannot end before it starts.")
        )
    if draft.max_face_value > draft.budget_amount:
        raise invalid_field("max_face_value", _("The face value cannot exceed the budget."))
    if Programme.objects.filter(code=draft.code).exists():
        raise invalid_field("code", _("This code is taken."), code="code_taken")
    with transaction.atomic():
        programme = Programme.objects.create(
            **draft.model_dump(exclude={"service_kinds"}),
            service_kinds=[str(k) for k in draft.service_kinds],
            department=department,
            created_by=require_person(principal),
        )
        programme.budget = budget.create_for(programme, actor=principal.user)
        programme.save(update_fields=["budget"])
        audit.record(
            actor=principal.user,
            action="vouchers.programme.create",
            obj=programme,
            organisation=department,
            after={"code": programme.code, "budget": str(programme.budget_amount)},
        )
    return programme


# --- providers ------------------------------------------------------------------------------


def register_provider(
    *,
    principal: Principal,
    programme: Programme,
    organisation: Organisation,
    draft: ProviderDraft,
) -> Provider:
    """A provider applies to be registered (备案) on a programme."""
    if not access.is_editor(principal, organisation):
        raise invalid_field(
            "organisation",
            _("You cannot register this organisation."),
            code="not_your_organisation",
        )
    if organisation.kind not in {Organisation.Kind.ENTERPRISE, Organisation.Kind.COMMUNITY}:
        raise invalid_field(
            "organisation",
            _("Only an enterprise or an institution registers as a service provider."),
            code="not_a_provider_kind",
        )
    if programme.status != Programme.Status.OPEN:
        raise Conflict(_("The programme is closed."), code="programme_closed")
    if Provider.objects.filter(programme=programme, organisation=organisation).exists():
        raise Conflict(
            _("%(org)s has already applied to this programme.") % {"org": organisation},
            code="already_applied",
        )
    user = principal.user or organisation.memberships.order_by("pk").first().user  # type: ignore[union-attr]
    with transaction.atomic():
        fields = draft.model_dump()
        provider = Provider.objects.create(
            programme=programme,
            organisation=organisation,
            applied_by=user,
            **Provider.encrypted(
                legal_representative=fields.pop("legal_representative"),
                bank_account=fields.pop("bank_account"),
            ),
            **fields,
        )
        audit.record(
            actor=principal.user,
            action="vouchers.provider.apply",
            obj=provider,
            organisation=organisation,
        )
    return provider


PROVIDER_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "register": (frozenset({Provider.Status.APPLIED}), Provider.Status.REGISTERED),
    "reject": (frozenset({Provider.Status.APPLIED}), Provider.Status.REJECTED),
    "suspend": (frozenset({Provider.Status.REGISTERED}), Provider.Status.SUSPENDED),
    "reinstate": (frozenset({Provider.Status.SUSPENDED}), Provider.Status.REGISTERED),
    "revoke": (
        frozenset({Provider.Status.REGISTERED, Provider.Status.SUSPENDED}),
        Provider.Status.REVOKED,
    ),
}


def provider_moves(provider: Provider) -> list[str]:
    return [m for m, (states, _t) in PROVIDER_MOVES.items() if provider.status in states]


def decide_provider(
    *, principal: Principal, provider: Provider, decision: str, reason: str
) -> Provider:
    """The department registers or rejects an applicant, suspends, reinstates or revokes a
    registered provider (a refusal needs a reason)."""
    access.require_decider(principal, provider.programme.department)
    if decision not in PROVIDER_MOVES:
        raise invalid_field("decision", _("Unknown decision."))
    if decision != "register" and decision != "reinstate" and not reason.strip():
        raise invalid_field("reason", _("Give a reason."))
    with transaction.atomic():
        provider = Provider.objects.select_for_update().get(pk=provider.pk)
        states, target = PROVIDER_MOVES[decision]
        if provider.status not in states:
            raise Conflict(
                _("A provider that is “%(state)s” cannot be given this decision.")
                % {"state": Provider.Status(provider.status).label},
                code="transition_not_allowed",
            )
        before = provider.status
        provider.status = target
        provider.decided_by = principal.user
        provider.decided_at = timezone.now()
        provider.decision_reason = reason.strip()
        provider.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
        audit.record(
            actor=principal.user,
            action=f"vouchers.provider.{decision}",
            obj=provider,
            organisation=provider.programme.department,
            before={"status": before},
            after={"status": target},
        )
    return provider


def add_service(
    *, principal: Principal, provider: Provider, draft: ServiceDraft
) -> ProviderService:
    """A service in the provider's catalogue, of a kind the programme pays for."""
    if str(draft.kind) not in provider.programme.service_kinds:
        raise invalid_field(
            "kind",
            _("The programme does not pay for this kind of service."),
            code="service_not_in_catalogue",
        )
    if not (draft.name_zh or draft.name_en):
        raise invalid_field("name_zh", _("Give the service a name in at least one language."))
    if provider.status in {Provider.Status.REJECTED, Provider.Status.REVOKED}:
        raise Conflict(_("This registration has ended."), code="provider_not_registered")
    with transaction.atomic():
        service = ProviderService.objects.create(provider=provider, **draft.model_dump())
        audit.record(
            actor=principal.user,
            action="vouchers.service.add",
            obj=service,
            organisation=provider.organisation,
            after={"kind": service.kind, "list_price": str(service.list_price)},
        )
    return service
