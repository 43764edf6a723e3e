"""Use cases for people: registration (with its notice), profile and foreign-resident details,
the preferred language, exporting one's personal data and erasing one's account."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_countries import countries

from nomadcloud.accounts import tasks
from nomadcloud.accounts.access import (
    Role,
)
from nomadcloud.accounts.models import (
    Membership,
    User,
)
from nomadcloud.accounts.principal import Principal
from nomadcloud.accounts.schemas import PersonChanges
from nomadcloud.accounts.services._common import PRIVACY_NOTICE_VERSION, _apply, _require_self
from nomadcloud.accounts.validators import (
    ensure_one_identifier,
    normalise_phone,
)
from nomadcloud.core import audit, privacy
from nomadcloud.core.crypto import encrypt_text
from nomadcloud.core.errors import Conflict, Forbidden, InvalidInput, invalid_field
from nomadcloud.core.jobs import enqueue_after_commit

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
