"""Use cases for organisations: create and update (identifiers checked), request verification
and the verifying department's decision."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from nomadcloud.accounts import transitions
from nomadcloud.accounts.access import (
    Action,
    Role,
    check_organisation,
    is_zone_operator,
    require_person,
    require_write,
)
from nomadcloud.accounts.models import (
    Membership,
    Organisation,
    VerificationDecision,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.schemas import OrganisationChanges, OrganisationDraft
from nomadcloud.accounts.services._common import (
    ORG_VERIFICATION_RULE_VERSION,
    SELF_SERVICE_KINDS,
    VERIFYING_DEPARTMENT_CODE,
    _apply,
)
from nomadcloud.accounts.services.people import _clean_country
from nomadcloud.accounts.validators import (
    normalise_uscc,
)
from nomadcloud.core import audit
from nomadcloud.core.errors import Conflict, Forbidden, invalid_field

# --- organisations ---------------------------------------------------------------------------


def _clean_org_identifiers(
    *, country: str, credit_code: str, registration_number: str, exclude: Organisation | None
) -> tuple[str, str, str]:
    country = _clean_country(country or "CN", "country") or "CN"
    code = normalise_uscc(credit_code) if credit_code.strip() else ""
    if code:
        if country != "CN":
            raise invalid_field(
                "credit_code",
                _("A unified social credit code is only for organisations registered in China."),
            )
        taken = Organisation.objects.filter(credit_code=code)
        if exclude is not None:
            taken = taken.exclude(pk=exclude.pk)
        if taken.exists():
            raise invalid_field(
                "credit_code",
                _("An organisation with this credit code is already registered."),
                code="credit_code_taken",
            )
    return country, code, registration_number.strip()


@transaction.atomic
def create_organisation(
    *, principal: Principal, draft: OrganisationDraft, code: str | None = None
) -> Organisation:
    """Register an organisation; its creator becomes the owner. ``code`` names the
    organisations the platform itself relies on (the zone operator)."""
    user = require_person(principal)
    require_write(principal)
    kind = draft.kind
    if kind not in SELF_SERVICE_KINDS and not is_zone_operator(user):
        raise Forbidden(
            _("Only the zone operator can register government departments and operators.")
        )
    names = {"name_zh": draft.name_zh, "name_en": draft.name_en}
    if not names["name_zh"] and not names["name_en"]:
        raise invalid_field("name_zh", _("Give the organisation's name in Chinese or English."))
    country, credit, number = _clean_org_identifiers(
        country=draft.country,
        credit_code=draft.credit_code,
        registration_number=draft.registration_number,
        exclude=None,
    )
    organisation = Organisation.objects.create(
        kind=kind,
        country=country,
        credit_code=credit,
        registration_number=number,
        description_zh=draft.description_zh,
        description_en=draft.description_en,
        code=code,
        **names,
    )
    membership = Membership.objects.create(user=user, organisation=organisation, role=Role.OWNER)
    audit.record(
        actor=user,
        action="accounts.organisation.create",
        obj=organisation,
        organisation=organisation,
        after={"kind": kind, **names, "country": country},
    )
    audit.record(
        actor=user,
        action="accounts.membership.create",
        obj=membership,
        organisation=organisation,
        after={"role": Role.OWNER},
    )
    return organisation


@transaction.atomic
def update_organisation(
    *, principal: Principal, organisation: Organisation, changes: OrganisationChanges
) -> Organisation:
    """Change an organisation's details; a field the changes leave unset (or null) keeps its
    value. New identifiers drop a verification."""
    check_organisation(principal, organisation, Action.EDIT)
    given = {
        name: getattr(changes, name)
        for name in changes.model_fields_set
        if getattr(changes, name) is not None
    }
    new: dict[str, Any] = {
        name: value
        for name, value in given.items()
        if name in ("name_zh", "name_en", "description_zh", "description_en")
    }
    country = given.get("country")
    credit_code = given.get("credit_code")
    registration_number = given.get("registration_number")
    if not new.get("name_zh", organisation.name_zh) and not new.get(
        "name_en", organisation.name_en
    ):
        raise invalid_field("name_zh", _("Give the organisation's name in Chinese or English."))
    if country is not None or credit_code is not None or registration_number is not None:
        c, code, number = _clean_org_identifiers(
            country=country if country is not None else organisation.country.code,
            credit_code=credit_code if credit_code is not None else organisation.credit_code,
            registration_number=(
                registration_number
                if registration_number is not None
                else organisation.registration_number
            ),
            exclude=organisation,
        )
        new.update(country=c, credit_code=code, registration_number=number)
        identity_changed = (
            code != organisation.credit_code
            or number != organisation.registration_number
            or c != organisation.country.code
        )
        if (
            identity_changed
            and organisation.verification_status != Organisation.Verification.UNVERIFIED
        ):
            # A verified identity no longer holds once its identifiers change.
            new["verification_status"] = Organisation.Verification.UNVERIFIED
    return _apply(principal, organisation, new, "accounts.organisation.update", organisation)


@transaction.atomic
def request_verification(*, principal: Principal, organisation: Organisation) -> Organisation:
    check_organisation(principal, organisation, Action.REQUEST_VERIFICATION)
    if not transitions.may_request(organisation.verification_status):
        raise Conflict(
            _("This organisation is already %(status)s.")
            % {"status": organisation.get_verification_status_display()},
            code="verification_state",
        )
    if organisation.country.code == "CN" and not organisation.credit_code:
        raise invalid_field(
            "credit_code",
            _("Add the unified social credit code before asking for verification."),
        )
    if organisation.country.code != "CN" and not organisation.registration_number:
        raise invalid_field(
            "registration_number",
            _("Add the registration number before asking for verification."),
        )
    department = verifying_department_for(organisation.kind)
    if department is None:
        raise Conflict(
            _("No department is set up to verify this kind of organisation yet."),
            code="no_reviewing_department",
        )
    return _apply(
        principal,
        organisation,
        {
            "verification_status": Organisation.Verification.PENDING,
            "reviewing_department": department,
        },
        "accounts.organisation.request_verification",
        organisation,
    )


def verifying_department_for(kind: str) -> Organisation | None:
    """The department that verifies this kind of organisation, or None when the zone has
    not set it up (the request is then refused with a clear message)."""
    code = VERIFYING_DEPARTMENT_CODE.get(kind)  # type: ignore[call-overload]
    if not code:
        return None
    return Organisation.objects.filter(kind=Organisation.Kind.DEPARTMENT, code=code).first()


@transaction.atomic
def decide_verification(
    *,
    principal: Principal,
    organisation: Organisation,
    department: Organisation,
    approve: bool,
    reason: str,
    evidence: dict[str, Any] | None = None,
) -> VerificationDecision:
    user = require_person(principal)
    require_write(principal)
    locked = Organisation.objects.select_for_update().get(pk=organisation.pk)
    if not transitions.may_decide(locked.verification_status):
        raise Conflict(_("This organisation is not awaiting verification."), code="not_pending")
    reason = reason.strip()
    if not reason:
        raise invalid_field("reason", _("Please give the reason for the decision."))
    decision = VerificationDecision.objects.create(
        organisation=locked,
        approved=approve,
        reason=reason[:5000],
        evidence={
            "credit_code": locked.credit_code,
            "registration_number": locked.registration_number,
            "country": locked.country.code,
            **(evidence or {}),
        },
        rule_version=ORG_VERIFICATION_RULE_VERSION,
        decided_by=user,
        decided_for=department,
    )
    status = Organisation.Verification.VERIFIED if approve else Organisation.Verification.REJECTED
    _apply(
        principal,
        locked,
        {"verification_status": status},
        "accounts.organisation.decide_verification",
        locked,
    )
    organisation.verification_status = status
    return decision
