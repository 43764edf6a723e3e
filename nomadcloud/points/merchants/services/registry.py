"""Merchants in consumption scenarios: the zone operator registers a verified merchant
organisation into a scenario, whose asset the merchant then accepts. Who may see a merchant
and who may take payments for it is decided in ``points/access.py`` (``merchant_for``)."""

from __future__ import annotations

import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, invalid_field
from nomadcloud.points import access, book
from nomadcloud.points import models as m


def account_of(merchant: m.Merchant) -> str:
    """The merchant's account in the asset of its scenario (opened on first use)."""
    return book.organisation_account(merchant.organisation, merchant.scenario.asset_id)


def organisation_by_id(public_id: object) -> Organisation:
    try:
        key = uuid.UUID(str(public_id))
    except ValueError:
        key = None
    organisation = Organisation.objects.filter(public_id=key).first() if key else None
    if organisation is None:
        raise invalid_field("organisation", _("No such organisation."), code="unknown_organisation")
    return organisation


def _check_organisation(organisation: Organisation) -> None:
    if organisation.kind != Organisation.Kind.MERCHANT:
        raise invalid_field(
            "organisation",
            _("Only merchant organisations can accept points."),
            code="not_a_merchant",
        )
    if organisation.verification_status != Organisation.Verification.VERIFIED:
        raise invalid_field(
            "organisation",
            _("The merchant must be verified before it can accept points."),
            code="not_verified",
        )


@transaction.atomic
def register_merchant(
    *, principal: Principal, organisation: Organisation, scenario: m.Scenario
) -> m.Merchant:
    """Register a verified merchant organisation into an active scenario and open its
    account in the scenario's asset."""
    user = access.operator(principal, write=True)
    _check_organisation(organisation)
    if not scenario.active:
        raise invalid_field("scenario", _("No such consumption scenario."), code="unknown_scenario")
    if m.Merchant.objects.filter(organisation=organisation).exists():
        raise Conflict(
            _("%(organisation)s is already registered; change its scenario instead.")
            % {"organisation": organisation},
            code="already_registered",
        )
    merchant = m.Merchant.objects.create(
        organisation=organisation, scenario=scenario, registered_by=user
    )
    account_of(merchant)
    audit.record(
        actor=user,
        action="points.merchant_registered",
        obj=merchant,
        organisation=organisation,
        after={"scenario": scenario.code, "asset": scenario.asset_id},
        token=principal.token,
    )
    return merchant


@transaction.atomic
def update_merchant(
    *,
    principal: Principal,
    merchant: m.Merchant,
    scenario: m.Scenario | None = None,
    active: bool | None = None,
) -> m.Merchant:
    """Move a merchant to another scenario (it then accepts that scenario's asset; points of
    the former asset still wait in the former account for their settlement), or stop and
    resume its accepting points."""
    user = access.operator(principal, write=True)
    merchant = m.Merchant.objects.select_for_update().select_related("scenario").get(pk=merchant.pk)
    before = {"scenario": merchant.scenario.code, "active": merchant.active}
    if scenario is not None and scenario.pk != merchant.scenario_id:
        if not scenario.active:
            raise invalid_field(
                "scenario", _("No such consumption scenario."), code="unknown_scenario"
            )
        merchant.scenario = scenario
    if active is not None:
        if active:
            _check_organisation(merchant.organisation)
        merchant.active = active
    merchant.save()
    account_of(merchant)
    after = {"scenario": merchant.scenario.code, "active": merchant.active}
    if after != before:
        audit.record(
            actor=user,
            action="points.merchant_changed",
            obj=merchant,
            organisation=merchant.organisation,
            before=before,
            after=after,
            token=principal.token,
        )
    return merchant


# ---- shown to people ---------------------------------------------------------------------


def masked_name(user: User) -> str:
    """Enough of a name for a cashier to check it is the person in front of them: ``林*雨``,
    ``O****a B***n``."""
    name = (user.display_name or "").strip()
    if not name or user.is_erased:
        return "***"
    words = name.split()
    if len(words) == 1 and not name.isascii():
        if len(name) <= 2:
            return name[0] + "*"
        return name[0] + "*" * (len(name) - 2) + name[-1]
    return " ".join(w[0] + "*" * (len(w) - 1) if len(w) <= 2 else _mask_word(w) for w in words)


def _mask_word(word: str) -> str:
    return word[0] + "*" * (len(word) - 2) + word[-1]


def parse_points(raw: str, scale: int, field: str = "amount") -> int:
    """An amount typed in points (``12`` or, with decimal places, ``12.50``) → an integer in
    the smallest unit. The sign is kept: the services refuse amounts ≤ 0."""
    text = str(raw).strip().replace(",", "")
    try:
        value = Decimal(text)
    except InvalidOperation:
        value = Decimal("NaN")
    if not value.is_finite():
        raise invalid_field(field, _("Enter an amount of points, e.g. 120."), code="amount_invalid")
    smallest = value.scaleb(scale)
    if smallest != smallest.to_integral_value():
        raise invalid_field(
            field,
            _("At most %(places)s decimal places.") % {"places": scale}
            if scale
            else _("Enter a whole number of points."),
            code="amount_not_integer",
        )
    if abs(smallest) >= 2**63:
        raise invalid_field(field, _("The amount is larger than one transfer may move."))
    return int(smallest)
