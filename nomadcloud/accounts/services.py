"""Use cases for people, organisations, memberships and API tokens.

One function per action, called by both the pages and the API. Each validates its input,
changes the database in one transaction and records an audit event. Access is checked by the
callers through ``access.py``; the rules that depend on who acts (an admin cannot demote an
owner, …) are checked here.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import date, timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from nomadcloud.accounts import tasks, transitions
from nomadcloud.accounts.access import (
    Action,
    Role,
    check_organisation,
    is_zone_operator,
    require_person,
    require_write,
    role_in,
)
from nomadcloud.accounts.models import (
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    User,
    VerificationDecision,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.schemas import OrganisationChanges, OrganisationDraft, PersonChanges
from nomadcloud.accounts.validators import (
    ensure_one_identifier,
    normalise_phone,
    normalise_uscc,
)
from nomadcloud.core import audit, privacy
from nomadcloud.core.crypto import encrypt_text
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.jobs import enqueue_after_commit

M = TypeVar("M", bound=models.Model)

# The privacy notice a person consents to at registration (templates/accounts/privacy.html).
PRIVACY_NOTICE_VERSION = "2026-11"
ORG_VERIFICATION_RULE_VERSION = "org-verification/2026.1"
INVITATION_DAYS = 14
MAX_TOKEN_DAYS = 366
# Which department reviews which kind of organisation (department codes from the demo data
# and the plan: 市科工信局, 市旅文局, 市人社局). Departments and operators are not verified
# through this flow: the zone operator registers them.
VERIFYING_DEPARTMENT_CODE = {
    Organisation.Kind.ENTERPRISE: "kegongxin",
    Organisation.Kind.MERCHANT: "lvwen",
    Organisation.Kind.COMMUNITY: "renshe",
}
SELF_SERVICE_KINDS = frozenset(
    {Organisation.Kind.ENTERPRISE, Organisation.Kind.MERCHANT, Organisation.Kind.COMMUNITY}
)


# --- people -----------------------------------------------------------------------------------


def _clean_email(raw: str, *, exclude: User | None = None, check_taken: bool = True) -> str:
    email = raw.strip().lower()
    if not email:
        return ""
    if len(email) > 254:
        raise invalid_field("email", _("The e-mail address is too long."))
    try:
        validate_email(email)
    except ValidationError:
        raise invalid_field("email", _("Enter a valid e-mail address.")) from None
    if not check_taken:
        return email
    taken = User.objects.filter(email=email)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise invalid_field(
            "email", _("This e-mail address is already registered."), code="identifier_taken"
        )
    return email


def _clean_phone(raw: str, *, exclude: User | None = None, check_taken: bool = True) -> str:
    if not raw.strip():
        return ""
    phone = normalise_phone(raw)
    if not check_taken:
        return phone
    taken = User.objects.filter(phone=phone)
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise invalid_field(
            "phone", _("This mobile number is already registered."), code="identifier_taken"
        )
    return phone


def _clean_name(raw: str, field: str = "display_name", max_length: int = 100) -> str:
    name = " ".join(raw.split())
    if not name:
        raise invalid_field(field, _("Please give a name."))
    if len(name) > max_length:
        raise invalid_field(field, _("At most %(n)d characters, please.") % {"n": max_length})
    return name


def _clean_language(raw: str) -> str:
    codes = {code for code, _name in settings.LANGUAGES}
    if raw not in codes:
        raise invalid_field(
            "preferred_language",
            _("Unknown language %(code)s; choose one of: %(codes)s.")
            % {"code": raw[:20], "codes": ", ".join(sorted(codes))},
            code="unknown_language",
        )
    return raw


def _clean_country(raw: str, field: str) -> str:
    code = raw.strip().upper()
    if code and code not in dict(countries):
        raise invalid_field(
            field, _("%(code)s is not an ISO 3166-1 country code.") % {"code": raw[:10]}
        )
    return code


def _check_password(password: str, user: User) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput(
            _("Please choose a stronger password."),
            code="weak_password",
            fields={"password": [str(m) for m in exc.messages]},
        ) from None


@transaction.atomic
def register_person(
    *,
    password: str,
    display_name: str,
    email: str = "",
    phone: str = "",
    preferred_language: str = "zh-hans",
    is_nomad: bool = True,
    nationality: str = "",
    consent: bool = False,
) -> User:
    """Register a person. PIPL: personal data is collected only with consent to the privacy
    notice, whose version and time are kept."""
    if not consent:
        raise invalid_field(
            "consent",
            _("Please read the privacy notice and agree to it to register."),
            code="consent_required",
        )
    user = User(
        email=_clean_email(email, check_taken=False) or None,
        phone=_clean_phone(phone, check_taken=False) or None,
        display_name=_clean_name(display_name),
        preferred_language=_clean_language(preferred_language),
        is_nomad=is_nomad,
        nationality=_clean_country(nationality, "nationality"),
    )
    ensure_one_identifier(user.email or "", user.phone or "")
    _check_password(password, user)
    # Whether an identifier is taken is checked last, so that every other refusal is the same
    # for a registered identifier and a new one (register_or_notify answers that case alike).
    _clean_email(user.email or "")
    _clean_phone(user.phone or "")
    user.set_password(password)
    user.privacy_notice_version = PRIVACY_NOTICE_VERSION
    user.privacy_consented_at = timezone.now()
    user.save()
    audit.record(
        actor=user,
        action="accounts.person.register",
        obj=user,
        after={"is_nomad": is_nomad, "preferred_language": user.preferred_language},
    )
    return user


def register_or_notify(
    *,
    password: str,
    display_name: str,
    email: str = "",
    phone: str = "",
    preferred_language: str = "zh-hans",
    is_nomad: bool = True,
    nationality: str = "",
    consent: bool = False,
) -> User | None:
    """Registration that does not tell whether an identifier is registered: the new person,
    or ``None`` when the e-mail address or mobile number belongs to someone already — then
    the owner gets a notice (someone tried to register with your address; sign in or reset
    your password) and the caller answers exactly as for a new registration. The password is
    hashed either way so both take about as long; every other refusal comes before this
    check and is the same for both."""
    try:
        return register_person(
            password=password,
            display_name=display_name,
            email=email,
            phone=phone,
            preferred_language=preferred_language,
            is_nomad=is_nomad,
            nationality=nationality,
            consent=consent,
        )
    except InvalidInput as exc:
        if exc.code != "identifier_taken":
            raise
    from django.contrib.auth.hashers import make_password

    make_password(password)  # the work a new account's hash takes
    email = email.strip().lower()
    owners = set(User.objects.filter(email=email).values_list("pk", flat=True)) if email else set()
    if phone.strip():
        owners |= set(
            User.objects.filter(phone=normalise_phone(phone)).values_list("pk", flat=True)
        )
    for owner in sorted(owners):
        enqueue_after_commit(tasks.send_registration_notice, owner)
    return None


@transaction.atomic
def update_profile(*, principal: Principal, user: User, changes: PersonChanges) -> User:
    """Change one's own account; a field the changes leave unset (or null) keeps its value."""
    _require_self(principal, user)
    new: dict[str, Any] = {}
    if changes.display_name is not None:
        new["display_name"] = _clean_name(changes.display_name)
    if changes.email is not None:
        new["email"] = _clean_email(changes.email, exclude=user) or None
    if changes.phone is not None:
        new["phone"] = _clean_phone(changes.phone, exclude=user) or None
    if changes.preferred_language is not None:
        new["preferred_language"] = _clean_language(changes.preferred_language)
    if changes.is_nomad is not None:
        new["is_nomad"] = changes.is_nomad
    merged_email = new.get("email", user.email) or ""
    merged_phone = new.get("phone", user.phone) or ""
    ensure_one_identifier(merged_email, merged_phone)
    return _apply(principal, user, new, "accounts.person.update")


@transaction.atomic
def set_foreign_details(
    *,
    principal: Principal,
    user: User,
    nationality: str,
    passport_number: str | None = None,
    permit_kind: str = "",
    permit_valid_from: date | None = None,
    permit_valid_until: date | None = None,
) -> User:
    """Nationality, passport (stored encrypted) and visa/permit validity of a person."""
    _require_self(principal, user)
    new: dict[str, Any] = {"nationality": _clean_country(nationality, "nationality")}
    if permit_kind not in User.PermitKind.values:
        raise invalid_field("permit_kind", _("Unknown kind of visa or permit."))
    if permit_valid_from and permit_valid_until and permit_valid_until < permit_valid_from:
        raise invalid_field("permit_valid_until", _("The end of validity is before its start."))
    new.update(
        permit_kind=permit_kind,
        permit_valid_from=permit_valid_from,
        permit_valid_until=permit_valid_until,
    )
    if passport_number is not None:
        cleaned = passport_number.strip().upper().replace(" ", "")
        if cleaned and not (5 <= len(cleaned) <= 20 and cleaned.isalnum()):
            raise invalid_field(
                "passport_number",
                _("A passport number has 5 to 20 letters and digits."),
            )
        new["passport_number_encrypted"] = encrypt_text(cleaned)
    return _apply(principal, user, new, "accounts.person.foreign_details")


def set_preferred_language(*, user: User, language: str) -> None:
    language = _clean_language(language)
    if user.preferred_language != language:
        with transaction.atomic():
            _apply(
                Principal.for_user(user),
                user,
                {"preferred_language": language},
                "accounts.person.language",
            )


PERSONAL_DATA_FORMAT = "nomadcloud.personal-data/2"


def export_personal_data(
    *, principal: Principal, user: User, password: str | None = None
) -> dict[str, Any]:
    """Everything the platform holds about a person, for download (PIPL art. 45): one
    section per app that registered with ``core.privacy``. From a signed-in session as is;
    through an API token only with write scope and the person's password (re-authentication),
    so that a leaked read token does not hand out the passport number."""
    _require_self(principal, user, write=False)
    if principal.token is not None:
        if not principal.can_write:
            raise Forbidden(
                _(
                    "A read-only token cannot download your personal data; use a token with "
                    "write scope and your password."
                ),
                code="scope",
            )
        if not password:
            raise Forbidden(
                _(
                    "Downloading your personal data with a token needs your password: "
                    "send it with POST /api/v1/me/export."
                ),
                code="reauthentication_required",
            )
    if password is not None:
        _check_reauthentication(user, password)
    audit.record(actor=user, action="accounts.person.export", obj=user, token=principal.token)
    return {
        "format": PERSONAL_DATA_FORMAT,
        "exported_at": timezone.now().isoformat(),
        "sections": privacy.export_for(user),
    }


def _check_reauthentication(user: User, password: str) -> None:
    from nomadcloud.accounts import throttle

    throttle.check_reauthentication(user)
    if not user.check_password(password):
        throttle.note_failed_reauthentication(user)
        raise invalid_field("password", _("The password is not correct."), code="wrong_password")


@transaction.atomic
def erase_account(*, principal: Principal, user: User, password: str) -> None:
    """Erase a person's personal data at their request: every app that registered with
    ``core.privacy`` removes or pseudonymises what it holds (tokens revoked, memberships
    ended, profile blanked, texts removed, …), then the person's row is blanked. The row
    stays under a pseudonym so that audit and ledger records keep their meaning."""
    _require_self(principal, user)
    _check_reauthentication(user, password)
    sole_owner_of = [
        m.organisation
        for m in Membership.objects.filter(user=user, role=Role.OWNER).select_related(
            "organisation"
        )
        if not Membership.objects.filter(organisation=m.organisation, role=Role.OWNER)
        .exclude(user=user)
        .exists()
    ]
    if sole_owner_of:
        raise Conflict(
            _("You are the only owner of %(names)s; make someone else owner first.")
            % {"names": ", ".join(str(o) for o in sole_owner_of)},
            code="sole_owner",
        )
    apps = privacy.erase_for(user)
    user.email = None
    user.phone = None
    user.display_name = ""
    user.passport_number_encrypted = ""
    user.nationality = ""
    user.permit_kind = ""
    user.permit_valid_from = None
    user.permit_valid_until = None
    user.is_active = False
    user.erased_at = timezone.now()
    user.set_unusable_password()
    user.save()
    audit.record(actor=user, action="accounts.person.erase", obj=user, after={"apps": apps})


def _require_self(principal: Principal, user: User, *, write: bool = True) -> None:
    actor = require_person(principal)
    if write:
        require_write(principal)
    if actor.pk != user.pk:
        raise Forbidden(_("You can only change your own account."))


def _apply(
    principal: Principal,
    obj: M,
    new: dict[str, Any],
    action: str,
    organisation: Organisation | None = None,
) -> M:
    before, after = audit.changes(obj, new)
    if not after:
        return obj
    for field, value in after.items():
        setattr(obj, field, value)
    obj.save(update_fields=list(after))
    audit.record(
        actor=principal.user,
        action=action,
        obj=obj,
        organisation=organisation,
        before=before,
        after=after,
        token=principal.token,
    )
    return obj


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


# --- memberships and invitations -------------------------------------------------------------


def _hash_secret(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _require_can_grant(principal: Principal, organisation: Organisation, role: str) -> None:
    if role not in Role.values:
        raise invalid_field("role", _("Unknown role."))
    if role == Role.OWNER and role_in(principal, organisation) != Role.OWNER:
        raise Forbidden(_("Only an owner can make someone an owner."))


@transaction.atomic
def invite_member(
    *, principal: Principal, organisation: Organisation, email: str, role: str
) -> tuple[Invitation, str]:
    """Invite someone by e-mail. Returns the invitation and its one-time token."""
    check_organisation(principal, organisation, Action.MANAGE_MEMBERS)
    user = require_person(principal)
    _require_can_grant(principal, organisation, role)
    address = email.strip().lower()
    try:
        validate_email(address)
    except ValidationError:
        raise invalid_field("email", _("Enter a valid e-mail address.")) from None
    if Membership.objects.filter(organisation=organisation, user__email=address).exists():
        raise Conflict(_("This person is already a member."), code="already_member")
    raw = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=address,
        role=role,
        token_hash=_hash_secret(raw),
        invited_by=user,
        expires_at=timezone.now() + timedelta(days=INVITATION_DAYS),
    )
    audit.record(
        actor=user,
        action="accounts.invitation.create",
        obj=invitation,
        organisation=organisation,
        after={"role": role},
    )
    enqueue_after_commit(tasks.send_invitation_email, invitation.pk, raw)
    return invitation, raw


def find_invitation(token: str) -> Invitation | None:
    return (
        Invitation.objects.filter(token_hash=_hash_secret(token))
        .select_related("organisation", "invited_by")
        .first()
    )


@transaction.atomic
def accept_invitation(*, principal: Principal, token: str) -> Membership:
    user = require_person(principal)
    require_write(principal)
    invitation = find_invitation(token)
    if invitation is None or not invitation.is_open:
        raise InvalidInput(
            _("This invitation is not valid any more; ask for a new one."),
            code="invitation_invalid",
        )
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_open:
        raise InvalidInput(_("This invitation has already been used."), code="invitation_invalid")
    if Membership.objects.filter(user=user, organisation=invitation.organisation).exists():
        raise Conflict(_("You are already a member."), code="already_member")
    membership = Membership.objects.create(
        user=user, organisation=invitation.organisation, role=invitation.role
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    audit.record(
        actor=user,
        action="accounts.invitation.accept",
        obj=invitation,
        organisation=invitation.organisation,
        after={"role": invitation.role},
    )
    return membership


@transaction.atomic
def revoke_invitation(*, principal: Principal, invitation: Invitation) -> None:
    check_organisation(principal, invitation.organisation, Action.MANAGE_MEMBERS)
    if not invitation.is_open:
        raise Conflict(_("This invitation is no longer open."), code="invitation_closed")
    _apply(
        principal,
        invitation,
        {"revoked_at": timezone.now()},
        "accounts.invitation.revoke",
        invitation.organisation,
    )


def _would_leave_no_owner(membership: Membership) -> bool:
    return (
        membership.role == Role.OWNER
        and not Membership.objects.filter(organisation=membership.organisation, role=Role.OWNER)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def change_member_role(*, principal: Principal, membership: Membership, role: str) -> Membership:
    organisation = membership.organisation
    check_organisation(principal, organisation, Action.MANAGE_MEMBERS)
    _require_can_grant(principal, organisation, role)
    if membership.role == Role.OWNER and role_in(principal, organisation) != Role.OWNER:
        raise Forbidden(_("Only an owner can change an owner's role."))
    if role != Role.OWNER and _would_leave_no_owner(membership):
        raise Conflict(_("An organisation needs at least one owner."), code="last_owner")
    return _apply(
        principal, membership, {"role": role}, "accounts.membership.change_role", organisation
    )


@transaction.atomic
def remove_member(*, principal: Principal, membership: Membership) -> None:
    organisation = membership.organisation
    leaving_self = principal.user is not None and membership.user_id == principal.user.pk
    if not leaving_self:
        check_organisation(principal, organisation, Action.MANAGE_MEMBERS)
        if membership.role == Role.OWNER and role_in(principal, organisation) != Role.OWNER:
            raise Forbidden(_("Only an owner can remove an owner."))
    if _would_leave_no_owner(membership):
        raise Conflict(_("An organisation needs at least one owner."), code="last_owner")
    audit.record(
        actor=principal.user,
        action="accounts.membership.remove",
        obj=membership,
        organisation=organisation,
        before={"role": membership.role, "user": str(membership.user.public_id)},
    )
    membership.delete()


# --- API tokens --------------------------------------------------------------------------------

TOKEN_PREFIXES = {ApiToken.Kind.PERSONAL: "ncp", ApiToken.Kind.ORGANISATION: "nco"}


def _new_token(
    *,
    kind: str,
    name: str,
    scope: str,
    expires_in_days: int | None,
    created_by: User,
    user: User | None = None,
    organisation: Organisation | None = None,
) -> tuple[ApiToken, str]:
    name = _clean_name(name, "name")
    if scope not in ApiToken.Scope.values:
        raise invalid_field("scope", _("Scope must be read or write."))
    if expires_in_days is not None and not 1 <= expires_in_days <= MAX_TOKEN_DAYS:
        raise invalid_field(
            "expires_in_days",
            _("A token lasts from 1 to %(n)d days.") % {"n": MAX_TOKEN_DAYS},
        )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    raw = f"{TOKEN_PREFIXES[kind]}_{prefix}_{secret}"  # type: ignore[index]
    token = ApiToken.objects.create(
        kind=kind,
        user=user,
        organisation=organisation,
        name=name,
        prefix=prefix,
        secret_hash=_hash_secret(raw),
        scope=scope,
        created_by=created_by,
        expires_at=(timezone.now() + timedelta(days=expires_in_days) if expires_in_days else None),
    )
    audit.record(
        actor=created_by,
        action="accounts.token.create",
        obj=token,
        organisation=organisation,
        after={"kind": kind, "name": name, "scope": scope},
    )
    return token, raw


@transaction.atomic
def create_personal_token(
    *, principal: Principal, name: str, scope: str, expires_in_days: int | None = 90
) -> tuple[ApiToken, str]:
    user = require_person(principal)
    if principal.token is not None:
        raise Forbidden(_("Tokens can only be created when signed in."), code="session_only")
    return _new_token(
        kind=ApiToken.Kind.PERSONAL,
        name=name,
        scope=scope,
        expires_in_days=expires_in_days,
        created_by=user,
        user=user,
    )


@transaction.atomic
def create_organisation_key(
    *,
    principal: Principal,
    organisation: Organisation,
    name: str,
    scope: str,
    expires_in_days: int | None = None,
) -> tuple[ApiToken, str]:
    check_organisation(principal, organisation, Action.MANAGE_KEYS)
    user = require_person(principal)
    if principal.token is not None:
        raise Forbidden(_("Keys can only be created when signed in."), code="session_only")
    return _new_token(
        kind=ApiToken.Kind.ORGANISATION,
        name=name,
        scope=scope,
        expires_in_days=expires_in_days,
        created_by=user,
        organisation=organisation,
    )


@transaction.atomic
def revoke_token(*, principal: Principal, token: ApiToken) -> None:
    require_write(principal)
    if token.revoked_at is not None:
        raise Conflict(_("This token is already revoked."), code="token_revoked")
    _apply(
        principal,
        token,
        {"revoked_at": timezone.now()},
        "accounts.token.revoke",
        token.organisation,
    )


def authenticate_token(raw: str) -> ApiToken | None:
    """The usable token for a presented secret, or None. Constant-time comparison."""
    parts = raw.split("_", 2)  # the secret itself may contain "_"
    if len(parts) != 3 or parts[0] not in TOKEN_PREFIXES.values():
        return None
    token = ApiToken.objects.filter(prefix=parts[1]).select_related("user", "organisation").first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash_secret(raw)):
        return None
    if not token.is_usable or (token.user is not None and not token.user.is_active):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        # Throttled so that a busy integration does not write on every request.
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


@transaction.atomic
def revoke_personal_tokens(user: User, *, reason: str) -> int:
    """Revoke all of a person's usable API tokens (after a password reset; erasure does the
    same through ``personal_data.erase``); the number revoked, each audited."""
    from nomadcloud.accounts import personal_data

    return personal_data.revoke_tokens(user, reason=reason)
