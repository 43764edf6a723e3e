"""Builders for the dashboard: the six targets, and a member of the statistics bureau (the
world's Wendy reviews for 市科工信局, which owns the incubated-enterprises indicator)."""

from __future__ import annotations

from nomadcloud.accounts.models import Membership, Organisation, User
from nomadcloud.dashboard import official
from nomadcloud.dashboard.models import Observation
from tests.builders.world import World, make_person


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


def kegongxin_figure(w: World) -> Observation:
    """A figure of 市科工信局's indicator (incubated enterprises) reported by Wendy."""
    from django.utils import timezone

    from nomadcloud.dashboard import services

    today = timezone.localdate()
    found = Observation.objects.filter(indicator="dashboard.incubated_enterprises").first()
    if found is not None:
        return found
    return services.submit(
        services.Figure(
            indicator="dashboard.incubated_enterprises",
            period=str(today.year),
            area="DZ",
            value="3",
            unit="count",
            finality="P",
            as_of=today.isoformat(),
            source="高新技术企业证书",
        ),
        actor=w.wendy,
    )


def approved_kegongxin_figure(w: World) -> Observation:
    """The same figure, approved by Wendy for 市科工信局 (ready to be published)."""
    from nomadcloud.dashboard import services

    figure = kegongxin_figure(w)
    if figure.status == Observation.Status.SUBMITTED:
        figure = services.approve(figure, actor=w.wendy)
    return figure
