"""Consent records for the consent tests and the permission matrix."""

from __future__ import annotations

from nomadcloud.accounts.models import User
from nomadcloud.consent import services
from nomadcloud.consent.models import ConsentRecord


def prefill_consent(user: User, recipient: str = "onecard") -> ConsentRecord:
    existing = ConsentRecord.objects.filter(subject=user, withdrawn_at__isnull=True).first()
    if existing is not None:
        return existing
    return services.give_consent(
        user,
        purpose="dpv:ServiceProvision",
        purpose_description="一卡通办 once-only prefill",
        data_categories=["pd:Name", "pd:Passport"],
        recipients=[recipient],
        notice_version="2026-12",
        method="web_form",
    )
