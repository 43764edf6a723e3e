"""Builders for the vouchers app: the 2026 data innovation voucher programme of 市科工信局
(Wendy decides), Globex (Charlie) registered as a provider with one service, and vouchers of
Acme (Olivia) at each step: applied, issued, redeeming (awaiting confirmation), submitted."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from nomadcloud.accounts.principal import Principal
from nomadcloud.core.inputs import parse_draft
from nomadcloud.vouchers import services
from nomadcloud.vouchers.models import Programme, Provider, ProviderService, Voucher
from nomadcloud.vouchers.schemas import (
    ApplicationDraft,
    ProgrammeDraft,
    ProviderDraft,
    RedemptionDraft,
    ServiceDraft,
)
from tests.builders.world import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def programme_fields(**extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "code": "data-2026",
        "name_zh": "2026年数据创新券",
        "name_en": "Data innovation vouchers 2026",
        "year": today.year,
        "budget_amount": "1000000.00",
        "max_face_value": "50000.00",
        "copay_ratio": "0.3",
        "annual_cap": "70000.00",
        "validity_days": 180,
        "service_kinds": ["data_cleaning", "data_annotation", "data_asset_recognition"],
        "applications_from": today - timedelta(days=10),
        "applications_until": today + timedelta(days=100),
        **extra,
    }


def programme(w: World, **extra: Any) -> Programme:
    existing = Programme.objects.filter(code=extra.get("code", "data-2026")).first()
    if existing is not None:
        return existing
    draft = parse_draft(ProgrammeDraft, programme_fields(**extra))
    return services.create_programme(
        principal=Principal.for_user(w.wendy), department=w.department, draft=draft
    )


def provider_fields(**extra: Any) -> dict[str, Any]:
    return {
        "legal_representative": "陈查理",
        "registered_address": "洋浦经济开发区数据港 3 号",
        "bank_account": "6222 0000 1111 2222",
        **extra,
    }


def applied_provider(w: World) -> Provider:
    prog = programme(w)
    existing = Provider.objects.filter(programme=prog, organisation=w.globex).first()
    if existing is not None:
        return existing
    return services.register_provider(
        principal=Principal.for_user(w.charlie),
        programme=prog,
        organisation=w.globex,
        draft=parse_draft(ProviderDraft, provider_fields()),
    )


def registered_provider(w: World) -> Provider:
    provider = applied_provider(w)
    if provider.status == Provider.Status.APPLIED:
        provider = services.decide_provider(
            principal=Principal.for_user(w.wendy), provider=provider, decision="register", reason=""
        )
    return provider


def service(w: World) -> ProviderService:
    provider = registered_provider(w)
    existing = provider.services.first()
    if existing is not None:
        return existing
    return services.add_service(
        principal=Principal.for_user(w.charlie),
        provider=provider,
        draft=parse_draft(
            ServiceDraft,
            {
                "kind": "data_cleaning",
                "name_zh": "数据清洗与标准化",
                "name_en": "Data cleaning and standardisation",
                "list_price": "60000.00",
            },
        ),
    )


def application_fields(w: World, **extra: Any) -> dict[str, Any]:
    return {
        "service": service(w).pk,
        "agreed_price": "50000.00",
        "copay_amount": "15000.00",
        "copay_declared": True,
        "purpose": "清洗三年的订单数据",
        "legal_representative": "Olivia Owner",
        "registered_address": "Acme House, 1 Harbour Road",
        "bank_account": "6222 9999 8888 7777",
        **extra,
    }


def applied_voucher(w: World, **extra: Any) -> Voucher:
    return services.apply_for_voucher(
        principal=Principal.for_user(w.olivia),
        programme=programme(w),
        enterprise=w.acme,
        draft=parse_draft(ApplicationDraft, application_fields(w, **extra)),
    )


def issued_voucher(w: World, **extra: Any) -> Voucher:
    voucher = applied_voucher(w, **extra)
    return services.decide_application(
        principal=Principal.for_user(w.wendy), voucher=voucher, approve=True
    )


def redemption_fields(**extra: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "invoice_number": "INV-2026-0001",
        "invoice_date": today,
        "invoice_amount": "50000.00",
        "amount": "35000.00",
        "delivered_on": today,
        "report": "清洗完成：120 万条订单记录，去重率 4.2%。",
        **extra,
    }


def evidence() -> list[SimpleUploadedFile]:
    return [SimpleUploadedFile("acceptance.pdf", PDF, content_type="application/pdf")]


def redeeming_voucher(w: World, **extra: Any) -> Voucher:
    voucher = issued_voucher(w)
    services.request_redemption(
        principal=Principal.for_user(w.charlie),
        voucher=voucher,
        draft=parse_draft(RedemptionDraft, redemption_fields(**extra)),
        files=evidence(),
    )
    voucher.refresh_from_db()
    return voucher


def submitted_voucher(w: World) -> Voucher:
    voucher = redeeming_voucher(w)
    services.confirm_delivery(principal=Principal.for_user(w.olivia), voucher=voucher)
    voucher.refresh_from_db()
    return voucher


ZERO = Decimal("0.00")
