"""Typed inputs of the cross-border use cases (decision 0010) and the API's output shapes."""

from __future__ import annotations

import functools
from datetime import date, datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from babel import Locale
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Schema
from pydantic import Field, field_validator

from nomadcloud.consent import dpv
from nomadcloud.core.inputs import Draft, refuse
from nomadcloud.core.schemas import Text
from nomadcloud.crossborder import procedure
from nomadcloud.crossborder.models import ExportRequest, Obligation, WhitelistEntry

Count = Annotated[int, Field(ge=0, le=100_000_000)]
Name = Annotated[Text, Field(min_length=1, max_length=200)]
Reference = Annotated[Text, Field(max_length=200)]
Note = Annotated[Text, Field(max_length=500)]
# Categories that are sensitive personal information (PIPL art. 28): whereabouts (行踪轨迹)
# and the catch-all term; a request naming one must count sensitive people.
SENSITIVE_CATEGORIES = {"pd:TravelHistory", "dpv:SensitivePersonalData"}


@functools.lru_cache(maxsize=4)
def countries(language: str = "en") -> dict[str, str]:
    """ISO 3166-1 alpha-2 codes with their names (Babel's CLDR territories)."""
    locale = Locale.parse("zh_Hans" if language.startswith("zh") else "en")
    return {
        code: name
        for code, name in sorted(locale.territories.items())
        if len(code) == 2
        and code.isalpha()
        and code.isupper()
        and code not in {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
    }


def country_name(code: str) -> str:
    return countries(translation.get_language() or "en").get(code, code)


class ExportRequestDraft(Draft):
    """An exporter's request to send data abroad: the facts the decision procedure reads."""

    recipient_name: Name
    recipient_country: str = Field(min_length=1, max_length=2)
    purpose: str = Field(min_length=1, max_length=80)
    data_categories: list[str] = Field(min_length=1, max_length=20)
    scenario: Literal[
        "trade",
        "transport",
        "academic",
        "manufacturing",
        "marketing",
        "contract",
        "hr",
        "emergency",
        "other",
    ]
    pi_count: Count
    sensitive_count: Count
    is_ciio: bool = False
    in_ftz: bool = False
    ftz_entry: str = Field(default="", max_length=40)
    is_important_data: bool = False
    is_core_data: bool = False
    automotive: bool = False
    vehicle_flow_data: bool = False
    returned_abroad: bool = False
    chosen_route: Literal["", "standard_contract", "certification"] = ""
    source: str = Field(default="", max_length=80)

    @field_validator("recipient_country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        code = value.strip().upper()
        if code == "CN":
            raise refuse(_("The recipient must be outside mainland China (not CN)."))
        if code not in countries("en"):
            raise refuse(_("Not an ISO 3166 country code: %(code)s.") % {"code": code})
        return code

    @field_validator("purpose")
    @classmethod
    def _purpose(cls, value: str) -> str:
        if value not in dpv.PURPOSES:
            raise refuse(_("Not a known purpose: %(terms)s.") % {"terms": value})
        return value

    @field_validator("data_categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in dpv.DATA_CATEGORIES]
        if unknown:
            raise refuse(_("Not a known term: %(terms)s.") % {"terms": ", ".join(unknown)})
        return list(dict.fromkeys(value))


class EvidenceDraft(Draft):
    """Evidence for one obligation: its reference (report number, filing receipt,
    certificate number, CAC decision number) and, where it expires, until when."""

    reference: Reference = ""
    valid_until: date | None = None


class ReviewDraft(Draft):
    """The 网信办 pre-check: approve (with the volume cap and validity) or return."""

    approve: bool
    note: Note = ""
    volume_cap: Count | None = None


class TransferDraft(Draft):
    """One transfer sent under a whitelist entry."""

    pi_count: Count
    sensitive_count: Count
    purpose: str = Field(min_length=1, max_length=80)
    data_categories: list[str] = Field(min_length=1, max_length=20)
    recipient_name: Name


class ClauseOut(Schema):
    code: str
    zh: str
    en: str


class ObligationOut(Schema):
    kind: str
    label: str
    reference: str
    consents: int
    valid_until: date | None
    due_on: date | None
    submitted_at: datetime | None

    @staticmethod
    def resolve_label(obj: Obligation) -> str:
        return str(Obligation.Kind(obj.kind).label)


class ExportRequestOut(Schema):
    public_id: UUID
    exporter: UUID
    state: str
    recipient_name: str
    recipient_country: str
    purpose: str
    data_categories: list[str]
    scenario: str
    pi_count: int
    sensitive_count: int
    route: str
    reasons: list[str]
    clauses: list[ClauseOut]
    rule_version: str
    ytd_pi: int
    ytd_sensitive: int
    decided_on: date
    obligations: list[ObligationOut]
    entry: UUID | None

    @staticmethod
    def resolve_exporter(obj: ExportRequest) -> UUID:
        return obj.exporter.public_id

    @staticmethod
    def resolve_clauses(obj: ExportRequest) -> list[dict[str, str]]:
        zh = procedure.clause_texts(obj.reasons, "zh")
        en = procedure.clause_texts(obj.reasons, "en")
        codes = [r[5:] for r in obj.reasons if r.startswith("cite:") and r[5:] in procedure.CLAUSES]
        return [{"code": c, "zh": z, "en": e} for c, z, e in zip(codes, zh, en, strict=True)]

    @staticmethod
    def resolve_obligations(obj: ExportRequest) -> list[Obligation]:
        return list(obj.obligations.all())

    @staticmethod
    def resolve_entry(obj: ExportRequest) -> UUID | None:
        entry = (
            getattr(obj, "entry", None) if obj.state == ExportRequest.State.WHITELISTED else None
        )
        return entry.public_id if entry is not None else None


class EntryOut(Schema):
    public_id: UUID
    exporter: UUID
    recipient_name: str
    recipient_country: str
    purpose: str
    data_categories: list[str]
    route: str
    reference: str
    valid_from: date
    valid_to: date
    volume_cap: int
    sensitive_cap: int
    volume_used: int
    sensitive_used: int
    status: str

    @staticmethod
    def resolve_exporter(obj: WhitelistEntry) -> UUID:
        return obj.exporter.public_id


class TransferOut(Schema):
    entry: UUID
    pi_count: int
    sensitive_count: int
    at: datetime
    entry_status: str
