"""Typed inputs of the voucher use cases (decision 0010: each limit stated once, shared by
form and API) and the API's outputs."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any
from uuid import UUID

from django.urls import reverse
from ninja import Field, Schema
from pydantic import ConfigDict

from nomadcloud.core.i18n import localized
from nomadcloud.core.inputs import Draft, StrictDecimal
from nomadcloud.core.schemas import Input, IsoDate, Text
from nomadcloud.vouchers import engine
from nomadcloud.vouchers.models import (
    Evidence,
    Programme,
    Provider,
    ProviderService,
    Redemption,
    ServiceKind,
    Voucher,
)

Amount = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, ge=0, description='CNY, e.g. "1200.50"'),
]
PositiveAmount = Annotated[
    Decimal,
    StrictDecimal(max_digits=15, decimal_places=2, gt=0, description='CNY, e.g. "1200.50"'),
]
Ratio = Annotated[
    Decimal,
    StrictDecimal(
        max_digits=5, decimal_places=4, ge=0, le=Decimal("0.9999"), description='e.g. "0.3"'
    ),
]
Name = Annotated[Text, Field(max_length=200)]
Line = Annotated[Text, Field(min_length=1, max_length=100)]
Address = Annotated[Text, Field(min_length=1, max_length=300)]
BankAccount = Annotated[Text, Field(min_length=6, max_length=40, pattern=r"^[0-9A-Za-z -]+$")]


class ProgrammeDraft(Draft):
    """A new voucher programme of a department."""

    code: Annotated[Text, Field(min_length=2, max_length=40, pattern=r"^[a-z0-9][a-z0-9-]*$")]
    name_zh: Name = ""
    name_en: Name = ""
    description_zh: Annotated[Text, Field(max_length=5000)] = ""
    description_en: Annotated[Text, Field(max_length=5000)] = ""
    year: int = Field(..., ge=2020, le=2100)
    budget_amount: PositiveAmount
    max_face_value: PositiveAmount
    copay_ratio: Ratio
    annual_cap: PositiveAmount
    validity_days: int = Field(..., ge=1, le=730)
    service_kinds: list[ServiceKind] = Field(..., min_length=1, max_length=len(ServiceKind))
    applications_from: IsoDate
    applications_until: IsoDate


class ProviderDraft(Draft):
    """A provider's registration (备案): who represents it, where it is, where it is paid."""

    legal_representative: Line
    registered_address: Address
    bank_account: BankAccount


class ServiceDraft(Draft):
    """A service in a provider's catalogue."""

    kind: ServiceKind
    name_zh: Name = ""
    name_en: Name = ""
    list_price: PositiveAmount


class ApplicationDraft(Draft):
    """An enterprise's application for a voucher, after it agreed the service with a
    registered provider: the service (its id in the provider's catalogue), the agreed price,
    the co-pay it declares it will pay itself, and its own particulars."""

    service: int = Field(..., ge=1, le=2_147_483_647)
    agreed_price: PositiveAmount
    copay_amount: Amount
    copay_declared: bool
    purpose: Annotated[Text, Field(max_length=2000)] = ""
    legal_representative: Line
    registered_address: Address
    bank_account: BankAccount


class RedemptionDraft(Draft):
    """The provider's redemption (兑付) of a voucher for the delivered service."""

    invoice_number: Annotated[Text, Field(min_length=1, max_length=40, pattern=r"^[0-9A-Za-z-]+$")]
    invoice_date: IsoDate
    invoice_amount: PositiveAmount
    amount: PositiveAmount
    delivered_on: IsoDate
    report: Annotated[Text, Field(min_length=1, max_length=10000)]


class VoucherDecisionIn(Input):
    approve: bool
    reason: str = Field("", max_length=2000)


class VoucherReasonIn(Input):
    reason: str = Field("", max_length=2000)


class VoucherProviderDecisionIn(Input):
    decision: str = Field(
        ..., pattern="^(register|reject|suspend|reinstate|revoke)$", description="What to do."
    )
    reason: str = Field("", max_length=2000)


# --- API bodies: the drafts with where they go (unknown members ignored) ---------------------


class VoucherProgrammeIn(ProgrammeDraft):
    model_config = ConfigDict(extra="ignore")

    department: UUID = Field(..., description="The department running the programme.")

    def draft(self) -> ProgrammeDraft:
        return ProgrammeDraft.model_validate(self.model_dump(exclude={"department"}))


class VoucherProviderIn(ProviderDraft):
    model_config = ConfigDict(extra="ignore")

    organisation: UUID | None = Field(
        default=None, description="The provider organisation; implied for its API key."
    )

    def draft(self) -> ProviderDraft:
        return ProviderDraft.model_validate(self.model_dump(exclude={"organisation"}))


class VoucherServiceIn(ServiceDraft):
    model_config = ConfigDict(extra="ignore")


class VoucherApplicationIn(ApplicationDraft):
    model_config = ConfigDict(extra="ignore")

    enterprise: UUID | None = Field(
        default=None, description="The applying enterprise; implied for its API key."
    )

    def draft(self) -> ApplicationDraft:
        return ApplicationDraft.model_validate(self.model_dump(exclude={"enterprise"}))


class VoucherFileIn(Input):
    file_name: str = Field(..., min_length=1, max_length=255)
    content_base64: str = Field(..., min_length=1, description="The file, base64-encoded.")


class VoucherRedemptionIn(RedemptionDraft):
    model_config = ConfigDict(extra="ignore")

    evidence: list[VoucherFileIn] = Field(default_factory=list, max_length=10)

    def draft(self) -> RedemptionDraft:
        return RedemptionDraft.model_validate(self.model_dump(exclude={"evidence"}))


# --- outputs ---------------------------------------------------------------------------------


class VoucherServiceOut(Schema):
    id: int
    kind: str
    name: str
    name_zh: str
    name_en: str
    list_price: Decimal
    active: bool

    @staticmethod
    def resolve_name(obj: ProviderService) -> str:
        return localized(obj, "name")


class VoucherProviderOut(Schema):
    id: UUID
    programme: UUID
    organisation: UUID
    organisation_name: str
    status: str
    applied_at: datetime
    decided_at: datetime | None
    decision_reason: str
    services: list[VoucherServiceOut]

    @staticmethod
    def resolve_id(obj: Provider) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_programme(obj: Provider) -> UUID:
        return obj.programme.public_id

    @staticmethod
    def resolve_organisation(obj: Provider) -> UUID:
        return obj.organisation.public_id

    @staticmethod
    def resolve_organisation_name(obj: Provider) -> str:
        return str(obj.organisation)

    @staticmethod
    def resolve_services(obj: Provider) -> list[Any]:
        return list(obj.services.all())


class VoucherProgrammeOut(Schema):
    id: UUID
    code: str
    name: str
    name_zh: str
    name_en: str
    description_zh: str
    description_en: str
    department: UUID
    department_name: str
    year: int
    budget_amount: Decimal
    max_face_value: Decimal
    copay_ratio: Decimal
    annual_cap: Decimal
    validity_days: int
    service_kinds: list[str]
    applications_from: date
    applications_until: date
    status: str

    @staticmethod
    def resolve_id(obj: Programme) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_name(obj: Programme) -> str:
        return localized(obj, "name")

    @staticmethod
    def resolve_department(obj: Programme) -> UUID:
        return obj.department.public_id

    @staticmethod
    def resolve_department_name(obj: Programme) -> str:
        return str(obj.department)


class VoucherEvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    sha256: str
    download_url: str

    @staticmethod
    def resolve_name(obj: Evidence) -> str:
        return obj.original_name

    @staticmethod
    def resolve_download_url(obj: Evidence) -> str:
        return reverse("vouchers:evidence", args=[obj.redemption.voucher.public_id, obj.pk])


class VoucherFindingOut(Schema):
    rule: str
    reason: str


class VoucherRedemptionOut(Schema):
    id: UUID
    status: str
    invoice_number: str
    invoice_date: date
    invoice_amount: Decimal
    amount: Decimal
    delivered_on: date
    report: str
    findings: list[VoucherFindingOut]
    rule_version: str
    requested_at: datetime
    confirmed_at: datetime | None
    decided_at: datetime | None
    decision_reason: str
    evidence: list[VoucherEvidenceOut]

    @staticmethod
    def resolve_id(obj: Redemption) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_findings(obj: Redemption) -> list[dict[str, str]]:
        return [{"rule": f.get("rule", ""), "reason": engine.reason(f)} for f in obj.findings]

    @staticmethod
    def resolve_evidence(obj: Redemption) -> list[Any]:
        return list(obj.evidence.all())


class VoucherEventOut(Schema):
    action: str
    from_status: str
    to_status: str
    reason: str
    rule_version: str
    at: datetime


class VoucherOut(Schema):
    id: UUID
    code: str | None
    programme: UUID
    enterprise: UUID
    enterprise_name: str
    provider: UUID
    provider_name: str
    service: VoucherServiceOut
    agreed_price: Decimal
    copay_amount: Decimal
    face_value: Decimal
    status: str
    valid_from: date | None
    valid_until: date | None
    applied_at: datetime
    issued_at: datetime | None
    decision_reason: str

    @staticmethod
    def resolve_id(obj: Voucher) -> UUID:
        return obj.public_id

    @staticmethod
    def resolve_programme(obj: Voucher) -> UUID:
        return obj.programme.public_id

    @staticmethod
    def resolve_enterprise(obj: Voucher) -> UUID:
        return obj.enterprise.public_id

    @staticmethod
    def resolve_enterprise_name(obj: Voucher) -> str:
        return str(obj.enterprise)

    @staticmethod
    def resolve_provider(obj: Voucher) -> UUID:
        return obj.provider.public_id

    @staticmethod
    def resolve_provider_name(obj: Voucher) -> str:
        return str(obj.provider.organisation)


class VoucherDetailOut(VoucherOut):
    redemption: VoucherRedemptionOut | None
    events: list[VoucherEventOut]

    @staticmethod
    def resolve_redemption(obj: Voucher) -> Any:
        return obj.redemptions.exclude(status=Redemption.Status.REJECTED).first()

    @staticmethod
    def resolve_events(obj: Voucher) -> list[Any]:
        return list(obj.events.all())
