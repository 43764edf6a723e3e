"""Consent records as JSON-LD (ISO/IEC TS 27560:2023 Annex A uses DPV in JSON-LD): one
``dpv:ConsentRecord`` per record, the person as ``urn:uuid:`` of their public id."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.utils import timezone

from nomadcloud.consent import dpv
from nomadcloud.consent.models import ConsentRecord


def _time(value: datetime | None) -> dict[str, str] | None:
    if value is None:
        return None
    return {"@value": value.isoformat(), "@type": "xsd:dateTime"}


def record_node(record: ConsentRecord, *, now: datetime | None = None) -> dict[str, Any]:
    at = now or timezone.now()
    node: dict[str, Any] = {
        "@id": f"urn:uuid:{record.public_id}",
        "@type": "dpv:ConsentRecord",
        "dpv:hasDataSubject": {
            "@id": f"urn:uuid:{record.subject.public_id}",
            "@type": "dpv:DataSubject",
        },
        "dpv:hasPurpose": {"@id": record.purpose},
        "dpv:hasPersonalData": [{"@id": term} for term in record.data_categories],
        "dpv:hasRecipient": [{"dct:identifier": r} for r in record.recipients],
        "dpv:hasLegalBasis": {"@id": record.legal_basis},
        "dpv:hasConsentStatus": {"@id": record.status_at(at)},
        "dpv:hasNotice": {"dct:hasVersion": record.notice_version},
        "dpv:hasIndicationMethod": record.method,
        "dpv:isIndicatedAtTime": _time(record.given_at),
    }
    if record.purpose_description:
        node["dpv:hasPurpose"]["dct:description"] = record.purpose_description
    if record.expires_at is not None:
        node["dpv:hasExpiryTime"] = _time(record.expires_at)
    if record.withdrawn_at is not None:
        node["dpv:hasWithdrawalTime"] = _time(record.withdrawn_at)
    return node


def document(records: Iterable[ConsentRecord], *, now: datetime | None = None) -> dict[str, Any]:
    return {
        "@context": dpv.CONTEXT,
        "@graph": [record_node(r, now=now) for r in records],
    }
