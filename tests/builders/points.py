"""Builders for points tests (moved from tests/permissions/points.py): the
objects the permission matrix and tests/test_points*.py start from."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from nomadcloud.accounts.models import Organisation, User
from nomadcloud.accounts.principal import Principal
from nomadcloud.points import models as m
from nomadcloud.points.programme import services as programme
from nomadcloud.proofs import services as proofs
from nomadcloud.proofs.models import Credential
from tests.builders.world import World

SCENARIO = "haihua"


def verified_enterprise() -> Organisation:
    """A verified enterprise with no members: work it accepts earns work units at once (the
    risk engine holds work of unverified organisations, docs/risk.md)."""
    org, _created = Organisation.objects.get_or_create(
        code="points-test-enterprise",
        defaults={
            "kind": Organisation.Kind.ENTERPRISE,
            "name_zh": "艾克米",
            "name_en": "Acme",
            "verification_status": Organisation.Verification.VERIFIED,
        },
    )
    return org


def work_claims(source: str, work_units: str) -> proofs.Claims:
    now = timezone.now()
    return proofs.Claims(
        kind=Credential.Kind.DATA,
        source=source,
        title_zh="图像标注",
        title_en="Image labelling",
        enterprise_id=str(verified_enterprise().public_id),
        enterprise_zh="艾克米",
        enterprise_en="Acme",
        period_start=now - timedelta(days=3),
        period_end=now,
        work_units=Decimal(work_units),
        items=100,
        accuracy=0.97,
    )


def give_work_units(user: User, work_units: str = "100.00", source: str = "") -> Credential:
    """Issue a proof-of-work credential carrying ``work_units`` (credited through
    ``proofs.events.credentials_issued``)."""
    source = source or f"points-test-{user.pk}-{work_units}"
    issued = proofs.issue_credentials(user, [work_claims(source, work_units)])
    if issued:
        return issued[0]
    return Credential.objects.get(kind=Credential.Kind.DATA, source=source)


def zone_scenario(w: World, rate: str = "10", code: str = SCENARIO) -> m.Scenario:
    """A culture-and-tourism scenario spending zone points, with a rate in force."""
    found = m.Scenario.objects.filter(code=code).first()
    if found is not None:
        return found
    operator = Principal.for_user(w.oscar)
    scenario = programme.create_scenario(
        principal=operator,
        code=code,
        name_zh="海花岛",
        name_en="Ocean Flower Island",
        category="culture_tourism",
    )
    programme.publish_rate(
        principal=operator, scenario=scenario, points_per_work_unit=Decimal(rate)
    )
    return scenario
