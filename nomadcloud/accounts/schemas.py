"""Typed API input and output for people, organisations, memberships and tokens."""

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Schema
from pydantic import ConfigDict, ValidationInfo, field_validator

from nomadcloud.accounts.models import ApiToken, Membership, Organisation, User
from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import Draft, refuse
from nomadcloud.core.models import AuditEvent
from nomadcloud.core.schemas import Input, IsoDate, Text

Language = Literal["zh-hans", "en"]
RoleName = Literal["owner", "admin", "member", "reviewer", "readonly"]
ScopeName = Literal["read", "write"]
OrgKind = Literal["enterprise", "merchant", "community", "department", "operator", "public_unit"]


class RegisterIn(Input):
    display_name: str = Field(..., min_length=1, max_length=100)
    password: str = Field(..., min_length=1, max_length=128)
    email: str = Field("", max_length=254)
    phone: str = Field("", max_length=32)
    preferred_language: Language = "zh-hans"
    is_nomad: bool = True
    nationality: str = Field("", max_length=2)
    consent: bool = Field(
        False, description="Agreement to the privacy notice at /privacy; required to be true."
    )


class RegistrationOut(Schema):
    """The same answer whether the identifier was new or already registered."""

    code: str = Field(..., description="Always ``registration_received``.")
    message: str


class PersonOut(Schema):
    id: UUID
    display_name: str
    email: str | None
    phone: str | None
    preferred_language: str
    is_nomad: bool
    nationality: str
    passport_number_masked: str
    permit_kind: str
    permit_valid_from: date | None
    permit_valid_until: date | None
    contact_verified: bool = Field(
        False, description="Proved an e-mail address or mobile number with a one-time code"
    )

    @staticmethod
    def resolve_id(obj: User) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_contact_verified(obj: User) -> bool:
        return obj.contact_verified_at is not None

    @staticmethod
    def resolve_nationality(obj: User) -> str:
        return obj.nationality.code if obj.nationality else ""

    @staticmethod
    def resolve_passport_number_masked(obj: User) -> str:
        return obj.masked_passport


class PersonChanges(Draft):
    """A change of one's own account: a field left unset (or null) keeps its value. A free
    e-mail address or mobile number, and one of the two kept, are the service's rules."""

    display_name: Text | None = Field(default=None, max_length=100)
    email: Text | None = Field(default=None, max_length=254)
    phone: Text | None = Field(default=None, max_length=32)
    preferred_language: Language | None = None
    is_nomad: bool | None = None


class PersonPatch(PersonChanges):  # API body of PATCH (unknown fields ignored)
    model_config = ConfigDict(extra="ignore")


class ForeignDetailsIn(Input):
    nationality: str = Field(..., max_length=2)
    passport_number: str | None = Field(None, max_length=20)
    permit_kind: Literal["", "visa", "residence", "work", "talent"] = ""
    permit_valid_from: IsoDate | None = None
    permit_valid_until: IsoDate | None = None


class PasswordIn(Input):
    password: str = Field(..., min_length=1, max_length=128)


# --- the typed inputs of registering and editing an organisation -------------------------------
# Each limit is stated here once; the API's request bodies below are these models and the
# organisation forms hand their fields to them (``draft_from_form``). Who may register which
# kind, a name in one language, a known country and a valid, unused credit code are the
# service's rules.


class OrganisationDraft(Draft):
    """A new organisation."""

    kind: OrgKind
    name_zh: Text = Field(default="", max_length=200)
    name_en: Text = Field(default="", max_length=200)
    description_zh: Text = Field(default="", max_length=5000)
    description_en: Text = Field(default="", max_length=5000)
    country: Text = Field(default="CN", min_length=2, max_length=2)
    credit_code: Text = Field(default="", max_length=32)
    registration_number: Text = Field(default="", max_length=64)


class OrganisationChanges(Draft):
    """A change of an organisation's details: a field left unset (or null) keeps its value."""

    name_zh: Text | None = Field(default=None, max_length=200)
    name_en: Text | None = Field(default=None, max_length=200)
    description_zh: Text | None = Field(default=None, max_length=5000)
    description_en: Text | None = Field(default=None, max_length=5000)
    country: Text | None = Field(default=None, min_length=2, max_length=2)
    credit_code: Text | None = Field(default=None, max_length=32)
    registration_number: Text | None = Field(default=None, max_length=64)


class OrganisationIn(OrganisationDraft):  # API body (unknown fields ignored)
    model_config = ConfigDict(extra="ignore")


class OrganisationPatch(OrganisationChanges):  # API body of PATCH
    model_config = ConfigDict(extra="ignore")


class OrganisationOut(Schema):
    id: UUID
    kind: str
    name: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    country: str
    credit_code: str
    registration_number: str
    verification_status: str
    created_at: datetime

    @staticmethod
    def resolve_id(obj: Organisation) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_name(obj: Organisation) -> str:
        return localized(obj, "name")

    @staticmethod
    def resolve_country(obj: Organisation) -> str:
        return str(obj.country.code)


class MemberOut(Schema):
    id: int
    person_id: UUID
    display_name: str
    email_masked: str
    role: str
    joined_at: datetime

    @staticmethod
    def resolve_person_id(obj: Membership) -> UUID:
        return obj.user.public_id

    @staticmethod
    def resolve_display_name(obj: Membership) -> str:
        return obj.user.display_name or obj.user.pseudonym

    @staticmethod
    def resolve_email_masked(obj: Membership) -> str:
        return obj.user.masked_email

    @staticmethod
    def resolve_joined_at(obj: Membership) -> datetime:
        return obj.created_at


class RoleIn(Input):
    role: RoleName


class InvitationIn(Input):
    email: str = Field(..., max_length=254)
    role: RoleName = "member"


class InvitationOut(Schema):
    id: int
    email: str
    role: str
    expires_at: datetime
    is_open: bool


class InvitationCreatedOut(InvitationOut):
    accept_url: str = Field(..., description="Shown once; also sent by e-mail.")


class AcceptIn(Input):
    token: str = Field(..., min_length=1, max_length=100)


class TokenIn(Input):
    name: str = Field(..., min_length=1, max_length=100)
    scope: ScopeName = "read"
    expires_in_days: int | None = Field(90, ge=1, le=366)


class TokenOut(Schema):
    id: UUID
    kind: str
    name: str
    prefix: str
    scope: str
    created_at: datetime
    last_used_at: datetime | None
    expires_at: datetime | None
    revoked_at: datetime | None

    @staticmethod
    def resolve_id(obj: ApiToken) -> UUID:
        return obj.public_id


class TokenCreatedOut(TokenOut):
    secret: str = Field(..., description="Shown once; only a hash is stored.")


class VerificationDecisionDraft(Draft):
    """A department's decision on an organisation's verification. Approving requires the
    reviewer's statement that the credit code was checked against the national enterprise
    credit registry (``checked_registry``): the page's tick box and the API's field."""

    approve: bool
    reason: Text = Field(..., min_length=1, max_length=5000)
    checked_registry: bool = Field(default=False, validate_default=True)

    @field_validator("checked_registry")
    @classmethod
    def _registry_checked(cls, value: bool, info: ValidationInfo) -> bool:
        if info.data.get("approve") and not value:
            raise refuse(
                _(
                    "Check the code against the national enterprise credit registry "
                    "before approving."
                )
            )
        return value


class DecisionIn(VerificationDecisionDraft):  # API body (unknown fields ignored)
    model_config = ConfigDict(extra="ignore")


class DecisionOut(Schema):
    organisation_id: UUID
    approved: bool
    reason: str
    rule_version: str
    decided_at: datetime


class AuditEventOut(Schema):
    id: int
    created_at: datetime
    actor_id: UUID | None
    actor: str
    organisation_id: UUID | None
    action: str
    object_type: str
    object_id: str
    summary: dict[str, object]
    request_id: str
    channel: str

    @staticmethod
    def resolve_actor_id(obj: AuditEvent) -> UUID | None:
        return obj.actor.public_id if obj.actor else None

    @staticmethod
    def resolve_actor(obj: AuditEvent) -> str:
        if obj.actor is not None:
            return obj.actor.display_name or obj.actor.pseudonym
        if obj.api_token is not None:
            return f"API key {obj.api_token.prefix}"
        return "system"

    @staticmethod
    def resolve_organisation_id(obj: AuditEvent) -> UUID | None:
        return obj.organisation.public_id if obj.organisation else None


class AuditFilters(Input):
    action: str = Field("", max_length=80)
    object_type: str = Field("", max_length=80)
    actor: UUID | None = None
    organisation: UUID | None = None


class SendCodeIn(Input):
    channel: Literal["email", "sms", ""] = Field(
        "", description="email or sms; by default the e-mail address if there is one"
    )


class CodeSentOut(Schema):
    channel: str
    expires_at: datetime


class ConfirmCodeIn(Input):
    code: str = Field(..., min_length=1, max_length=12, description="The six digits received")
