"""Demo consents: the nomad persona allowed one-card's once-only prefill (name, passport)
and withdrew a research consent; the foreign nomad gave separate consent (PIPL art. 39) for
the police's accommodation registration. Idempotent: nothing is added for a person who
already has records."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from nomadcloud.accounts.models import User
from nomadcloud.consent import services
from nomadcloud.consent.models import ConsentRecord

NOTICE = "2026-12"


def seed() -> dict[str, int]:
    made = 0
    nomad = User.objects.filter(email__startswith="nomad@").first()
    if nomad is not None and not ConsentRecord.objects.filter(subject=nomad).exists():
        services.give_consent(
            nomad,
            purpose="dpv:ServiceProvision",
            purpose_description="一卡通办：已提交材料免重复提交 / once-only prefill",
            data_categories=["pd:Name", "pd:Passport", "pd:TelephoneNumber"],
            recipients=["onecard"],
            notice_version=NOTICE,
            method="web_form",
        )
        research = services.give_consent(
            nomad,
            purpose="dpv:ResearchAndDevelopment",
            purpose_description="数字游民画像研究 / nomad survey research",
            data_categories=["pd:Skill", "pd:EmploymentHistory"],
            recipients=["tongji"],
            notice_version=NOTICE,
            method="web_form",
        )
        services.withdraw_consent(research, actor=nomad)
        made += 2
    emma = User.objects.filter(email__startswith="emma@").first()
    if emma is not None and not ConsentRecord.objects.filter(subject=emma).exists():
        services.give_consent(
            emma,
            purpose="dpv:LegalCompliance",
            purpose_description="境外人员住宿登记 / accommodation registration for foreigners",
            data_categories=["pd:Name", "pd:Passport", "pd:Nationality", "pd:Location"],
            recipients=["gongan"],
            legal_basis="dpv:ExplicitlyExpressedConsent",
            notice_version=NOTICE,
            method="web_form",
            expires_at=timezone.now() + timedelta(days=365),
        )
        made += 1
    return {"consent_records": made}
