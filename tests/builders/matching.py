"""Builders for matching tests (moved from tests/permissions/matching.py): the
objects the permission matrix and tests/test_matching*.py start from."""

from __future__ import annotations

from nomadcloud.accounts.principal import Principal
from nomadcloud.demands.models import Demand
from nomadcloud.matching import matcher, services
from nomadcloud.matching.models import Invitation
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.models import Profile
from tests.builders.demands import make_concepts, published
from tests.builders.world import World


def matched(w: World) -> tuple[Demand, Profile]:
    concepts = make_concepts()
    charlie = Principal.for_user(w.charlie)
    talent_services.declare_skill(principal=charlie, concept=concepts["python"], level=4)
    talent_services.set_language(principal=charlie, language="zh", level="native")
    talent_services.set_language(principal=charlie, language="en", level="C1")
    matcher.reset()
    demand = published(w)
    services.refresh_demand(demand.pk)
    return demand, Profile.objects.get(user=w.charlie)


def invitation(w: World) -> Invitation:
    demand, profile = matched(w)
    return services.invite(
        principal=Principal.for_user(w.olivia), demand=demand, profile=profile, message="hi"
    )
