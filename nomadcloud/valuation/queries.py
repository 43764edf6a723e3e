"""Reads of valuations and the bubble watch, scoped to who asks."""

from __future__ import annotations

from django.db.models import QuerySet

from nomadcloud.accounts.principal import Principal
from nomadcloud.valuation import access
from nomadcloud.valuation.models import Alert, DataAsset, PriceObservation, Valuation


def valuations_visible_to(principal: Principal) -> QuerySet[Valuation]:
    if not principal.is_authenticated:
        return Valuation.objects.none()
    return (
        Valuation.objects.filter(access.valuations_scope(principal))
        .select_related("asset__holder", "valuer", "department")
        .order_by("-created_at", "-id")
    )


def assets_of(principal: Principal) -> QuerySet[DataAsset]:
    if not principal.is_authenticated:
        return DataAsset.objects.none()
    orgs = access.member_organisations(principal)
    return DataAsset.objects.filter(holder__in=orgs).select_related("holder")


def alerts_visible_to(principal: Principal) -> QuerySet[Alert]:
    if not principal.is_authenticated:
        return Alert.objects.none()
    return (
        Alert.objects.filter(access.alerts_scope(principal))
        .select_related("asset", "department")
        .order_by("-raised_at", "-id")
    )


def prices_of(asset: DataAsset) -> QuerySet[PriceObservation]:
    return asset.prices.order_by("observed_on", "id")
