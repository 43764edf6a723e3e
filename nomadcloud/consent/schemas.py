from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from django.utils import timezone
from ninja import Schema

from nomadcloud.consent import dpv
from nomadcloud.consent.models import ConsentRecord


class ConsentOut(Schema):
    public_id: UUID
    purpose: str
    purpose_label: str
    purpose_description: str
    data_categories: list[str]
    recipients: list[str]
    legal_basis: str
    notice_version: str
    method: str
    given_at: datetime
    expires_at: datetime | None
    withdrawn_at: datetime | None
    status: str

    @staticmethod
    def resolve_purpose_label(obj: ConsentRecord) -> str:
        return dpv.label(dpv.PURPOSES, obj.purpose)

    @staticmethod
    def resolve_status(obj: ConsentRecord) -> str:
        return obj.status_at(timezone.now())


JsonLd = dict[str, Any]
