"""API inputs and outputs of data pools (the use-case inputs are in inputs.py)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from ninja import Field, Schema

from nomadcloud.core.i18n import localized_text
from nomadcloud.core.inputs import StrictDecimal
from nomadcloud.core.schemas import Input
from nomadcloud.datapools import fees
from nomadcloud.datapools.charters import current_charter
from nomadcloud.datapools.inputs import PoolDraft
from nomadcloud.datapools.models import Charter, DatasetVersion, Pool
from nomadcloud.datapools.transitions import ACTIONS


class PoolIn(PoolDraft):
    steward: UUID
    lead_department: UUID


class PoolMoveIn(Input):
    action: Literal[tuple(ACTIONS)]  # type: ignore[valid-type]
    reason: str = Field(default="", max_length=500)


class ContributionIn(Input):
    csv: str = Field(min_length=1, max_length=1_000_000, description="UTF-8 CSV with a header")
    consent_notice_version: str = Field(min_length=1, max_length=40)
    consent: bool = Field(
        description="true: I consent, for each purpose of the charter, to this pool's use"
    )
    asset: str | None = Field(
        default=None,
        max_length=2_800_000,
        description="the asset file, base64 (≤ 2 MB): required where the charter requires "
        "provenance",
    )
    asset_name: str = Field(default="", max_length=200)
    sha256: str = Field(default="", max_length=64, description="the asset's SHA-256, hex")
    c2pa_manifest: str = Field(
        default="", max_length=500, description="optional: urn:c2pa:… or https://…"
    )


class CharterOut(Schema):
    version: int
    purposes: list[str]
    data_categories: list[str]
    classification: str
    grade: str
    consent_notice_version: str
    access_modes: list[str]
    points_per_row: int
    fee_share_percent: int
    distribution_period: str
    retention_days: int
    columns: list[dict[str, Any]]
    dp_epsilon_budget: Decimal | None = None
    requires_provenance: bool = False
    created_at: datetime


class VersionOut(Schema):
    id: UUID = Field(alias="public_id")
    number: int
    row_count: int
    contributor_count: int
    excluded_withdrawn: int
    quality: dict[str, int]
    quality_score: int
    released_at: datetime


class PoolOut(Schema):
    id: UUID = Field(alias="public_id")
    kind: str
    status: str
    title: dict[str, Any]
    description: dict[str, Any]
    steward: UUID = Field(alias="steward.public_id")
    lead_department: UUID = Field(alias="lead_department.public_id")
    created_at: datetime
    registration_code: str = Field(
        description="The provincial registration query code (登记查询码)"
    )
    registered_at: datetime | None


class PoolDetailOut(PoolOut):
    charter: CharterOut
    versions: list[VersionOut]

    @staticmethod
    def resolve_charter(obj: Pool) -> Charter:
        return current_charter(obj)

    @staticmethod
    def resolve_versions(obj: Pool) -> list[DatasetVersion]:
        return list(obj.versions.order_by("-number"))


class ContributionOut(Schema):
    id: UUID = Field(alias="public_id")
    pool: UUID = Field(alias="pool.public_id")
    charter_version: int = Field(alias="charter.version")
    source: str
    status: str
    row_count: int
    findings: list[dict[str, Any]]
    received_at: datetime
    asset_sha256: str = ""
    c2pa_manifest: str = ""
    errors: list[str] = Field(
        default_factory=list,
        description="a large upload refused by its check: the first errors, in the reader's "
        "language (decision 0064)",
    )
    validated_at: datetime | None = Field(
        default=None, description="when the background check of a large upload ended"
    )

    @staticmethod
    def resolve_errors(obj: Any) -> list[str]:
        return [localized_text(e) for e in getattr(obj, "errors", [])]


class UploadPartOut(Schema):
    number: int
    url: str


class UploadSlotOut(Schema):
    id: UUID
    method: str = Field(description="PUT each part's bytes to its URL")
    multipart: bool = Field(description="True on object storage: parts of part_bytes each")
    part_bytes: int
    parts: list[UploadPartOut]
    expires_at: datetime
    checked_later: bool = Field(
        default=False,
        description="a CSV over 1 MB or a Parquet file: completion answers 202 with the "
        "contribution ``validating``; a background job checks it (decision 0064)",
    )


class AccessRequestIn(Input):
    consumer: UUID
    purpose: str = Field(max_length=80)
    access_mode: Literal["aggregate", "query_template", "download"]
    duration_days: int = Field(ge=1, le=3650)
    spatial: str = Field(default="CN", min_length=2, max_length=2, description="ISO 3166 code")


class NegotiationMoveIn(Input):
    action: Literal[
        "agree", "offer", "accept", "request", "verify", "terminate", "confirm", "refuse"
    ]
    reason: str = Field(default="", max_length=500)
    access_mode: Literal["aggregate", "query_template", "download"] | None = None
    duration_days: int | None = Field(default=None, ge=1, le=3650)
    fee: (
        Annotated[
            Decimal,
            StrictDecimal(
                max_digits=15,
                decimal_places=2,
                ge=0,
                description='the fee for the whole term in CNY (offer, request), e.g. "12000.00"',
            ),
        ]
        | None
    ) = None


class ConfirmationOut(Schema):
    """The lead department's 核定 of the agreement (decision 0062)."""

    department: UUID = Field(alias="department.public_id")
    outcome: str
    note: str
    rule_version: str
    decided_at: datetime


class NegotiationOut(Schema):
    id: UUID = Field(alias="public_id")
    pool: UUID = Field(alias="pool.public_id")
    consumer: UUID = Field(alias="consumer.public_id")
    state: str
    policy: dict[str, Any]
    fee: Decimal | None = Field(description="the policy's odrl:compensate amount in CNY")
    reason: str
    deadline: datetime | None
    agreed_at: datetime | None
    expires_at: datetime | None
    created_at: datetime
    confirmation: ConfirmationOut | None = None

    @staticmethod
    def resolve_confirmation(obj: Any) -> Any:
        return getattr(obj, "confirmation", None)

    @staticmethod
    def resolve_fee(obj: Any) -> Decimal | None:
        return fees.fee_of(obj.policy)


class AggregateIn(Input):
    group_by: list[str] = Field(min_length=1, max_length=3)
    sum_of: str | None = Field(
        default=None, max_length=40, description="A bounded numeric column to sum per group"
    )
    epsilon: Decimal | None = Field(
        default=None,
        gt=0,
        le=100,
        max_digits=6,
        decimal_places=2,
        description="The ε to spend where the charter sets a differential-privacy budget",
    )


class AggregateOut(Schema):
    version: int
    k: int
    groups: list[dict[str, Any]]
    query_hash: str
    epsilon: Decimal | None = None
    epsilon_left: Decimal | None = None


class TemplateDecisionIn(Input):
    action: Literal["approve", "withdraw"]


class TemplateOut(Schema):
    id: UUID = Field(alias="public_id")
    pool: UUID = Field(alias="pool.public_id")
    title: dict[str, Any]
    sql: str
    parameters: list[dict[str, Any]]
    status: str
    approved_at: datetime | None
    created_at: datetime


class TemplateRunIn(Input):
    template: UUID
    parameters: dict[str, Any] = Field(default_factory=dict)


class TemplateRunOut(Schema):
    version: int
    k: int
    template: UUID
    columns: list[str]
    rows: list[dict[str, Any]]
    truncated: bool
    query_hash: str


class DownloadOut(Schema):
    id: UUID
    url: str
    expires_at: datetime
    version: int
    bytes: int


class DownloadRevocationOut(Schema):
    revoked: int


class DownloadLinkOut(Schema):
    """One download link issued under an agreement (decision 0058) and, once revoked, who
    revoked it, when and why (decision 0064)."""

    id: UUID = Field(alias="public_id")
    version: int = Field(alias="version.number")
    issued_to: UUID = Field(alias="issued_to.public_id")
    issued_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: UUID | None = None
    revoke_reason: str = Field(description="steward, holder (the person it was issued to) or ended")
    revoke_note: str = Field(description="the reason the person who revoked it gave")

    @staticmethod
    def resolve_revoked_by(obj: Any) -> UUID | None:
        return obj.revoked_by.public_id if obj.revoked_by_id else None


class DistributionIn(Input):
    period: str = Field(pattern=r"^\d{4}-\d{2}$", description="The month, YYYY-MM")
    fees: str | None = Field(
        default=None,
        pattern=r"^\d{1,13}(\.\d{1,2})?$",
        description="Fees (CNY) the period's agreements brought; the charter's share of them "
        "is paid to contributors (payouts)",
    )
    budget: UUID | None = Field(
        default=None, description="The steward's budget the contributors' share is paid from"
    )


class DistributionOut(Schema):
    id: UUID = Field(alias="public_id")
    pool: UUID = Field(alias="pool.public_id")
    period: str
    uses: int
    total_points: int
    fees: Decimal
    total_amount: Decimal
    run_at: datetime


class RewardOut(Schema):
    pool: UUID = Field(alias="run.pool.public_id")
    period: str = Field(alias="run.period")
    rows_used: int
    points: int
    transfer_id: str
    uses: list[dict[str, Any]]
    amount: Decimal = Field(description="CNY (the contributors' share of fees)")
    payout_status: str | None = Field(
        default=None, description="The payout's state: only 'confirmed' means paid"
    )

    @staticmethod
    def resolve_payout_status(obj: Any) -> str | None:
        return obj.payout.status if obj.payout_id else None


class RegistrationIn(Input):
    code: str = Field(max_length=40, description="e.g. 460000-2026-DP000123")


class ScenarioOut(Schema):
    id: UUID = Field(alias="public_id")
    title: dict[str, Any]
    summary: dict[str, Any]
    outcome: dict[str, Any]
    enterprise: UUID = Field(alias="enterprise.public_id")
    enterprise_name: str
    pools: list[UUID]
    created_at: datetime

    @staticmethod
    def resolve_enterprise_name(obj: Any) -> str:
        return str(obj.enterprise)

    @staticmethod
    def resolve_pools(obj: Any) -> list[UUID]:
        return [p.public_id for p in obj.pools.all()]


class BatchReleaseIn(Input):
    batch: UUID = Field(description="an accepted data batch of the asker's enterprise")


class BatchReleaseOut(Schema):
    """The enterprise's agreement that a batch's accepted outputs go into a pool."""

    pool: UUID = Field(alias="pool.public_id")
    batch: UUID = Field(alias="batch.public_id")
    agreed_at: datetime
    imported_at: datetime | None
