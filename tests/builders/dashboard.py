"""Builders for the dashboard: the six targets, and a member of the statistics bureau (the
world's Wendy reviews for 市科工信局, which owns the incubated-enterprises indicator)."""

from __future__ import annotations

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.dashboard import official
from tests.builders.world import make_person


def statistics_clerk() -> User:
    bureau, _ = Organisation.objects.get_or_create(
        code="tongji",
        defaults={"kind": Organisation.Kind.DEPARTMENT, "name_zh": "儋州市统计局"},
    )
    clerk = make_person("Tina Tongji", "tina@example.com")
    Membership.objects.create(user=clerk, organisation=bureau, role="member")
    return clerk


def targets() -> None:
    official.seed_targets()
