"""Permission cases for matching: a nomad's recommendations and invitations are theirs; a
demand's candidates are seen by its enterprise's members and the zone operator, and only
editors invite. Charlie (the outsider) is the nomad matched to Acme's demand."""

from __future__ import annotations

from nomadcloud.talent.models import Profile
from tests.builders.matching import (
    invitation,
    matched,
)
from tests.conftest import World
from tests.permissions import (
    AUTHENTICATED,
    MEMBERS_AND_OPERATOR,
    OWNER_ONLY,
    Case,
    expect,
)


def candidates_path(w: World) -> str:
    return f"/matching/demands/{matched(w)[0].public_id}/candidates/"


def compare_path(w: World) -> str:
    demand, profile = matched(w)
    return (
        f"/matching/demands/{demand.public_id}/compare/?p={profile.public_id}&p={profile.public_id}"
    )


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
        "api invite candidate",
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
        expect("outsider"),
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
        "compare candidates", "GET", compare_path, MEMBERS_AND_OPERATOR, url_name="matching:compare"
    ),
    Case(
        "invite candidate",
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
        expect("outsider"),
        body=lambda w: {"answer": "accept"},
        url_name="matching:respond",
    ),
]

PUBLIC_PAGES: set[str] = set()
PUBLIC_API: set[tuple[str, str]] = set()

# The apps whose tables these requests write (matches and invitations, which notify): the
# fingerprint covers them and the audit log.
APPS = ("matching", "notifications")
