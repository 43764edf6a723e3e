"""Permission cases for matching: a nomad's recommendations and invitations are theirs; a
demand's candidates are seen by its enterprise's members and the zone operator, and only
editors invite. Charlie (the outsider) is the nomad matched to Acme's demand."""

from __future__ import annotations

from nomadcloud.accounts.principal import Principal
from nomadcloud.demands.models import Demand
from nomadcloud.matching import matcher, services
from nomadcloud.matching.models import Invitation
from nomadcloud.talent import services as talent_services
from nomadcloud.talent.models import Profile
from tests.conftest import PERSONAS, World
from tests.permissions import (
    ALLOW,
    AUTHENTICATED,
    MEMBERS_AND_OPERATOR,
    OWNER_ONLY,
    Case,
)
from tests.permissions.demands import make_concepts, published

CHARLIE_ONLY = dict.fromkeys(PERSONAS, "deny") | {"outsider": ALLOW}


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


def candidates_path(w: World) -> str:
    return f"/matching/demands/{matched(w)[0].public_id}/candidates/"


def invite_path(w: World) -> str:
    demand, profile = matched(w)
    return f"/matching/demands/{demand.public_id}/candidates/{profile.public_id}/invite/"


API = "/api/v1/matching"
API_CASES = [
    Case("api recommendations", "GET", lambda w: f"{API}/recommendations", AUTHENTICATED, api=True),
    Case(
        "api candidates",
        "GET",
        lambda w: f"{API}/demands/{matched(w)[0].public_id}/candidates",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/demands/{{demand_id}}/candidates",
    ),
    Case(
        "api invite",
        "POST",
        lambda w: f"{API}/demands/{matched(w)[0].public_id}/invitations",
        OWNER_ONLY,
        body=lambda w: {"profile": str(Profile.objects.get(user=w.charlie).public_id)},
        api=True,
        route=f"{API}/demands/{{demand_id}}/invitations",
    ),
    Case("api invitations", "GET", lambda w: f"{API}/invitations", AUTHENTICATED, api=True),
    Case(
        "api answer invitation",
        "POST",
        lambda w: f"{API}/invitations/{invitation(w).pk}/answer",
        CHARLIE_ONLY,
        body=lambda w: {"accept": True},
        api=True,
        route=f"{API}/invitations/{{invitation_id}}/answer",
    ),
]

PAGE_CASES = [
    Case(
        "recommended work",
        "GET",
        lambda w: "/matching/recommended/",
        AUTHENTICATED,
        url_name="matching:recommended",
    ),
    Case(
        "candidates", "GET", candidates_path, MEMBERS_AND_OPERATOR, url_name="matching:candidates"
    ),
    Case(
        "invite",
        "POST",
        invite_path,
        OWNER_ONLY,
        body=lambda w: {"message": "Welcome"},
        url_name="matching:invite",
    ),
    Case(
        "invitations",
        "GET",
        lambda w: "/matching/invitations/",
        AUTHENTICATED,
        url_name="matching:invitations",
    ),
    Case(
        "answer invitation",
        "POST",
        lambda w: f"/matching/invitations/{invitation(w).pk}/respond/",
        CHARLIE_ONLY,
        body=lambda w: {"answer": "accept"},
        url_name="matching:respond",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()
