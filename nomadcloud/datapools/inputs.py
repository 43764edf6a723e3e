"""Typed inputs of the pool use cases, shared by forms and the API (decision 0010)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, Literal

from django.utils.translation import gettext as _
from pydantic import Field, field_validator

from nomadcloud.consent import dpv
from nomadcloud.core.i18n import Multilingual
from nomadcloud.core.inputs import Draft, refuse
from nomadcloud.datapools import validation

ACCESS_MODES = ("aggregate", "query_template", "download")


class CharterDraft(Draft):
    purposes: list[str] = Field(min_length=1, max_length=8)
    data_categories: list[str] = Field(default_factory=list, max_length=20)
    classification: Literal["general", "important"] = "general"
    grade: Literal["none", "pi", "sensitive"] = "pi"
    consent_notice_version: str = Field(min_length=1, max_length=40)
    access_modes: list[Literal["aggregate", "query_template", "download"]] = Field(
        min_length=1, max_length=3
    )
    points_per_row: int = Field(default=0, ge=0, le=1000)
    fee_share_percent: int = Field(default=0, ge=0, le=100)
    distribution_period: Literal["month", "quarter"] = "month"
    retention_days: int = Field(ge=1, le=3650)
    columns: list[dict[str, Any]] = Field(min_length=1, max_length=50)
    # Differential privacy: the ε each agreement may spend on noisy aggregates (decision 0048).
    dp_epsilon_budget: Decimal | None = Field(
        default=None, gt=0, le=100, max_digits=6, decimal_places=2
    )
    # Each contribution carries its asset file with a SHA-256 (decision 0057).
    requires_provenance: bool = False

    @field_validator("purposes")
    @classmethod
    def _purposes(cls, value: list[str]) -> list[str]:
        unknown = [p for p in value if p not in dpv.PURPOSES]
        if unknown:
            raise refuse(_("Not a known purpose: %(terms)s.") % {"terms": ", ".join(unknown)})
        return list(dict.fromkeys(value))

    @field_validator("data_categories")
    @classmethod
    def _categories(cls, value: list[str]) -> list[str]:
        unknown = [c for c in value if c not in dpv.DATA_CATEGORIES]
        if unknown:
            raise refuse(_("Not a known term: %(terms)s.") % {"terms": ", ".join(unknown)})
        return list(dict.fromkeys(value))

    @field_validator("columns")
    @classmethod
    def _schema(cls, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        try:
            return validation.check_schema(value)
        except ValueError as exc:
            raise refuse(str(exc)) from exc


class PoolDraft(Draft):
    kind: Literal["consumption", "traffic", "metaverse", "labelled"]
    title: Multilingual
    description: Multilingual
    charter: CharterDraft


class ScenarioDraft(Draft):
    """An entry of the scenario library (应用场景库): written in zh-Hans and en at least."""

    title: Multilingual
    summary: Multilingual
    outcome: Multilingual
    enterprise: str = Field(min_length=1, max_length=64)
    pools: list[str] = Field(min_length=1, max_length=10)
