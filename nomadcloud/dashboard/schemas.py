"""The dashboard API's inputs and outputs. A reported figure is the same typed input as the
figures form and an import row (``services.Figure``); its limits are checked once, in
``services.check``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema
from pydantic import Field

from nomadcloud.core import indicators
from nomadcloud.core.schemas import Input, IsoDate
from nomadcloud.dashboard.models import Observation


class FigureIn(Input):
    """One official figure. ``value`` is a decimal written as a string (``"12.5"``), so no
    binary float ever touches an official figure; the unit is the indicator's own."""

    indicator: str = Field(max_length=80)
    period: str = Field(max_length=10, description="2026, 2026-Q2, 2026-05 or 2026-05-17")
    area: str = Field("DZ", max_length=10)
    value: str = Field(max_length=30)
    finality: Literal["P", "F"] = Field(description="P provisional, F final")
    as_of: IsoDate
    source: str = Field(max_length=200)
    evidence: str = Field("", max_length=5000)
    supersede_reason: str = Field("", max_length=500)
    entity: str = Field(
        "",
        max_length=18,
        description="For an indicator counted per unit: its unified social credit code",
    )


class IndicatorOut(Schema):
    code: str
    unit: str
    period: str
    definition: str
    owner: str
    official: bool


class ObservationOut(Schema):
    public_id: UUID
    indicator: str
    indicator_name: str
    period: str
    area: str
    entity: str
    value: Decimal
    finality: Literal["P", "F"]
    status: Literal["submitted", "approved", "published", "superseded"]
    as_of: dt.date
    source: str
    unit_code: str
    created_at: dt.datetime

    @staticmethod
    def resolve_indicator_name(obj: Observation) -> str:
        return indicators.get(obj.indicator).text()

    @staticmethod
    def resolve_unit_code(obj: Observation) -> str:
        return str(obj.unit.code or "")
