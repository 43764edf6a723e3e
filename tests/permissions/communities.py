"""Permission cases for communities (builders: tests/builders/communities.py).

In the matrix Acme is made a community operator with a listed community: Olivia (owner) is
its host, Rita (read-only) may only look. The department (Wendy, reviewer) is made the
designation, police (公安) and statistics (旅文局) authority. Bookings are made by a guest who
is not a persona (Gina, from abroad), so that every persona but the community's members and
the zone operator is told they do not exist. Charlie (outsider) has no role anywhere."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from django.utils import timezone

from nomadcloud.accounts.models import Organisation
from nomadcloud.communities.models import ForeignRegistration
from tests.builders.communities import (
    LISTING,
    acme_community,
    authorities,
    checked_in,
    checked_out,
    confirmed,
    guest,
    ics,
    nightly,
    ota_feed,
    requested,
    unit_of,
)
from tests.conftest import World
from tests.permissions import (
    AUTHENTICATED,
    EVERYONE,
    MEMBERS_AND_OPERATOR,
    OPERATOR_ONLY,
    Case,
    expect,
)

API = "/api/v1/communities"
HOST = expect("owner", sees=("readonly", "operator"), because="not_a_host")
HOST_PAGE = expect("owner", sees=("readonly", "operator"))
BOOKING_HOST = expect("owner", sees=("readonly", "operator"))
POLICE = expect(
    "reviewer", sees=("outsider", "readonly", "owner", "operator"), because="police_only"
)
STATISTICS = expect(
    "reviewer", "operator", sees=("outsider", "readonly", "owner"), because="statistics_only"
)
REGISTRATION = expect("owner", "reviewer")
# A community's own figures: its members, the statistics authority (旅文局), the operator.
STATS_OF_ONE = expect("owner", "readonly", "reviewer", "operator")


def _feed_ics() -> str:
    day = timezone.localdate() + timedelta(days=30)
    return ics(("perm@ota", day, day + timedelta(days=1))).decode()


def _today(days: int = 0) -> str:
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def _cid(w: World) -> str:
    return str(acme_community(w).public_id)


def _acme_unlisted(w: World) -> str:
    Organisation.objects.filter(pk=w.acme.pk).update(kind=Organisation.Kind.COMMUNITY)
    return str(w.acme.public_id)


def _booking_body(w: World) -> dict[str, Any]:
    community = acme_community(w)
    plan = nightly(community)
    start = timezone.localdate() + timedelta(days=40)
    return {
        "unit_type": str(plan.unit_type.public_id),
        "rate_plan": str(plan.public_id),
        "start": start.isoformat(),
        "end": (start + timedelta(days=2)).isoformat(),
    }


def _walk_in_body(w: World) -> dict[str, Any]:
    plan = nightly(acme_community(w))
    return {
        "guest": guest().email,
        "unit_type": str(plan.unit_type.public_id),
        "rate_plan": str(plan.public_id),
        "end": (timezone.localdate() + timedelta(days=1)).isoformat(),
    }


def _import_body(w: World) -> dict[str, Any]:
    d = timezone.localdate() - timedelta(days=30)
    text = f"person,arrived_on,departed_on\n{guest().email},{d},{d + timedelta(days=2)}\n"
    return {
        "file_name": "stays.csv",
        "content_base64": base64.b64encode(text.encode()).decode(),
        "evidence_note": "Register book",
    }


def _registration(w: World) -> str:
    authorities(w)
    booking = checked_in(w)
    return str(ForeignRegistration.objects.get(stay__booking=booking).public_id)


def _police_ready(w: World) -> str:
    authorities(w)
    checked_in(w)
    return f"{API}/registrations"


def _stats_ready(w: World) -> str:
    authorities(w)
    checked_out(w)
    return f"{API}/visits/count"


UNIT = {"kind": "desk", "name": {"zh-Hans": "工位", "en": "Desk"}, "count": 5}
RATE = {"name": {"zh-Hans": "日租", "en": "Day"}, "price": "30.00"}

API_CASES = [
    Case("api communities", "GET", lambda w: (_cid(w), API)[1], EVERYONE, api=True, route=API),
    Case(
        "api community",
        "GET",
        lambda w: f"{API}/{_cid(w)}",
        EVERYONE,
        api=True,
        route=f"{API}/{{community_id}}",
    ),
    Case(
        "api availability",
        "GET",
        lambda w: f"{API}/{_cid(w)}/availability?start={_today()}&end={_today(7)}",
        EVERYONE,
        api=True,
        route=f"{API}/{{community_id}}/availability",
    ),
    Case(
        "api create community",
        "POST",
        lambda w: API,
        expect("owner", sees=("readonly", "operator")),
        lambda w: {**LISTING, "organisation": _acme_unlisted(w)},
        api=True,
        route=API,
    ),
    Case(
        "api update community",
        "PUT",
        lambda w: f"{API}/{_cid(w)}",
        HOST,
        lambda w: {**LISTING, "address": "新地址 2 号"},
        api=True,
        route=f"{API}/{{community_id}}",
    ),
    Case(
        "api add unit type",
        "POST",
        lambda w: f"{API}/{_cid(w)}/unit-types",
        HOST,
        lambda w: UNIT,
        api=True,
        route=f"{API}/{{community_id}}/unit-types",
    ),
    Case(
        "api add rate plan",
        "POST",
        lambda w: f"{API}/{_cid(w)}/unit-types/{unit_of(acme_community(w)).public_id}/rate-plans",
        HOST,
        lambda w: RATE,
        api=True,
        route=f"{API}/{{community_id}}/unit-types/{{unit_type_id}}/rate-plans",
    ),
    Case(
        "api community bookings",
        "GET",
        lambda w: (requested(w), f"{API}/{_cid(w)}/bookings")[1],
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/{{community_id}}/bookings",
    ),
    Case(
        "api request booking",
        "POST",
        lambda w: f"{API}/{_cid(w)}/bookings",
        AUTHENTICATED,
        _booking_body,
        api=True,
        route=f"{API}/{{community_id}}/bookings",
    ),
    Case(
        "api check in",
        "POST",
        lambda w: f"{API}/{_cid(w)}/check-ins",
        HOST,
        lambda w: {"code": confirmed(w, start=timezone.localdate()).code},
        api=True,
        route=f"{API}/{{community_id}}/check-ins",
    ),
    Case(
        "api walk in",
        "POST",
        lambda w: f"{API}/{_cid(w)}/walk-ins",
        HOST,
        _walk_in_body,
        api=True,
        route=f"{API}/{{community_id}}/walk-ins",
    ),
    Case(
        "api import stays",
        "POST",
        lambda w: f"{API}/{_cid(w)}/stay-imports",
        HOST,
        _import_body,
        api=True,
        route=f"{API}/{{community_id}}/stay-imports",
    ),
    Case("api my bookings", "GET", lambda w: f"{API}/bookings/mine", AUTHENTICATED, api=True),
    Case(
        "api booking",
        "GET",
        lambda w: f"{API}/bookings/{requested(w).public_id}",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/bookings/{{booking_id}}",
    ),
    Case(
        "api booking action",
        "POST",
        lambda w: f"{API}/bookings/{requested(w).public_id}/actions",
        BOOKING_HOST,
        lambda w: {"action": "confirm"},
        api=True,
        route=f"{API}/bookings/{{booking_id}}/actions",
    ),
    Case(
        "api extend booking",
        "POST",
        lambda w: f"{API}/bookings/{checked_in(w).public_id}/extension",
        BOOKING_HOST,
        lambda w: {"end": (timezone.localdate() + timedelta(days=5)).isoformat()},
        api=True,
        route=f"{API}/bookings/{{booking_id}}/extension",
    ),
    Case(
        "api review",
        "POST",
        lambda w: f"{API}/bookings/{checked_out(w).public_id}/reviews",
        BOOKING_HOST,
        lambda w: {"rating": 4},
        api=True,
        route=f"{API}/bookings/{{booking_id}}/reviews",
    ),
    Case("api registrations", "GET", _police_ready, POLICE, api=True, route=f"{API}/registrations"),
    Case(
        "api file registration",
        "POST",
        lambda w: f"{API}/registrations/{_registration(w)}",
        REGISTRATION,
        lambda w: {"reference": "GA-1"},
        api=True,
        route=f"{API}/registrations/{{registration_id}}",
    ),
    Case(
        "api designation",
        "POST",
        lambda w: (authorities(w), f"{API}/{_cid(w)}/designation")[1],
        expect("owner", sees=("readonly", "operator")),
        lambda w: {"action": "submit"},
        api=True,
        route=f"{API}/{{community_id}}/designation",
    ),
    Case("api visit count", "GET", _stats_ready, STATISTICS, api=True, route=f"{API}/visits/count"),
    Case("api authorities", "GET", lambda w: f"{API}/authorities", OPERATOR_ONLY, api=True),
    Case(
        "api set authority",
        "POST",
        lambda w: f"{API}/authorities",
        OPERATOR_ONLY,
        lambda w: {"unit": w.department.code, "role": "statistics"},
        api=True,
    ),
    Case(
        "api community statistics",
        "GET",
        lambda w: (_stats_ready(w), f"{API}/{_cid(w)}/statistics")[1],
        STATS_OF_ONE,
        api=True,
        route=f"{API}/{{community_id}}/statistics",
    ),
    Case(
        "api calendar feeds",
        "GET",
        lambda w: f"{API}/{_cid(w)}/calendar-feeds",
        MEMBERS_AND_OPERATOR,
        api=True,
        route=f"{API}/{{community_id}}/calendar-feeds",
    ),
    Case(
        "api add calendar feed",
        "POST",
        lambda w: f"{API}/{_cid(w)}/calendar-feeds",
        HOST,
        lambda w: {"unit_type": str(unit_of(acme_community(w)).public_id), "name": "OTA"},
        api=True,
        route=f"{API}/{{community_id}}/calendar-feeds",
    ),
    Case(
        "api sync calendar feed",
        "POST",
        lambda w: f"{API}/{_cid(w)}/calendar-feeds/{ota_feed(w).public_id}/sync",
        HOST,
        lambda w: {"ical": _feed_ics()},
        api=True,
        route=f"{API}/{{community_id}}/calendar-feeds/{{feed_id}}/sync",
    ),
]

P = "/communities"

PAGE_CASES = [
    Case(
        "communities page",
        "GET",
        lambda w: (_cid(w), f"{P}/")[1],
        EVERYONE,
        url_name="communities:list",
    ),
    Case(
        "community page",
        "GET",
        lambda w: f"{P}/{_cid(w)}/",
        EVERYONE,
        url_name="communities:detail",
    ),
    Case(
        "community calendar",
        "GET",
        lambda w: f"{P}/{_cid(w)}/calendar.ics",
        EVERYONE,
        url_name="communities:calendar_ics",
    ),
    Case(
        "my bookings page",
        "GET",
        lambda w: f"{P}/bookings/",
        AUTHENTICATED,
        url_name="communities:my_bookings",
    ),
    Case(
        "booking page",
        "GET",
        lambda w: f"{P}/bookings/{requested(w).public_id}/",
        MEMBERS_AND_OPERATOR,
        url_name="communities:booking",
    ),
    Case(
        "booking action page",
        "POST",
        lambda w: f"{P}/bookings/{requested(w).public_id}/confirm/",
        BOOKING_HOST,
        url_name="communities:booking_action",
    ),
    Case(
        "booking extend page",
        "POST",
        lambda w: f"{P}/bookings/{checked_in(w).public_id}/extend/",
        BOOKING_HOST,
        lambda w: {"end": (timezone.localdate() + timedelta(days=5)).isoformat()},
        url_name="communities:booking_extend",
    ),
    Case(
        "booking review page",
        "POST",
        lambda w: f"{P}/bookings/{checked_out(w).public_id}/review/",
        BOOKING_HOST,
        lambda w: {"rating": 4},
        url_name="communities:booking_review",
    ),
    Case(
        "police page",
        "GET",
        lambda w: (_police_ready(w), f"{P}/registrations/")[1],
        expect("reviewer", sees=("outsider", "readonly", "owner", "operator")),
        url_name="communities:police",
    ),
    Case(
        "registration file page",
        "POST",
        lambda w: f"{P}/registrations/{_registration(w)}/file/",
        REGISTRATION,
        lambda w: {"reference": "GA-2"},
        url_name="communities:registration_file",
    ),
    Case(
        "visits page",
        "GET",
        lambda w: (_stats_ready(w), f"{P}/visits/")[1],
        expect("reviewer", "operator", sees=("outsider", "readonly", "owner")),
        url_name="communities:visits",
    ),
    Case(
        "create community page",
        "GET",
        lambda w: f"{P}/new/{_acme_unlisted(w)}/",
        expect("owner", sees=("readonly", "operator")),
        url_name="communities:create",
    ),
    Case(
        "book page",
        "POST",
        lambda w: f"{P}/{_cid(w)}/book/",
        AUTHENTICATED,
        _booking_body,
        url_name="communities:book",
    ),
    Case(
        "manage page",
        "GET",
        lambda w: f"{P}/{_cid(w)}/manage/",
        MEMBERS_AND_OPERATOR,
        url_name="communities:manage",
    ),
    Case(
        "unit add page",
        "POST",
        lambda w: f"{P}/{_cid(w)}/units/",
        HOST_PAGE,
        lambda w: {"kind": "desk", "name_zh": "工位", "name_en": "Desk", "count": 3},
        url_name="communities:unit_add",
    ),
    Case(
        "unit count page",
        "POST",
        lambda w: f"{P}/{_cid(w)}/units/{unit_of(acme_community(w)).public_id}/count/",
        HOST_PAGE,
        lambda w: {"count": 9, "active": "on"},
        url_name="communities:unit_count",
    ),
    Case(
        "rate add page",
        "POST",
        lambda w: f"{P}/{_cid(w)}/units/{unit_of(acme_community(w)).public_id}/rates/",
        HOST_PAGE,
        lambda w: {
            "name_zh": "日",
            "name_en": "Day",
            "per": "night",
            "price": "30.00",
            "min_nights": 1,
        },
        url_name="communities:rate_add",
    ),
    Case(
        "rate retire page",
        "POST",
        lambda w: f"{P}/{_cid(w)}/rates/{nightly(acme_community(w)).public_id}/retire/",
        HOST_PAGE,
        url_name="communities:rate_retire",
    ),
    Case(
        "community bookings page",
        "GET",
        lambda w: (requested(w), f"{P}/{_cid(w)}/bookings/")[1],
        MEMBERS_AND_OPERATOR,
        url_name="communities:bookings",
    ),
    Case(
        "check in page",
        "GET",
        lambda w: f"{P}/{_cid(w)}/check-in/",
        HOST_PAGE,
        url_name="communities:check_in",
    ),
    Case(
        "walk in page",
        "GET",
        lambda w: f"{P}/{_cid(w)}/walk-in/",
        HOST_PAGE,
        url_name="communities:walk_in",
    ),
    Case(
        "import page",
        "GET",
        lambda w: f"{P}/{_cid(w)}/import/",
        HOST_PAGE,
        url_name="communities:import",
    ),
    Case(
        "events page",
        "GET",
        lambda w: f"{P}/{_cid(w)}/events/",
        MEMBERS_AND_OPERATOR,
        url_name="communities:events",
    ),
]

PAGE_CASES += [
    Case(
        "designation page",
        "GET",
        lambda w: (authorities(w), f"{P}/{_cid(w)}/designation/")[1],
        MEMBERS_AND_OPERATOR,
        url_name="communities:designation",
    ),
    Case(
        "designation move page",
        "POST",
        lambda w: (authorities(w), f"{P}/{_cid(w)}/designation/submit/")[1],
        expect("owner", sees=("readonly", "operator")),
        url_name="communities:designation_move",
    ),
    Case(
        "designation queue page",
        "GET",
        lambda w: (authorities(w), f"{P}/designations/")[1],
        expect("reviewer", sees=("outsider", "readonly", "owner", "operator")),
        url_name="communities:designations",
    ),
]

PAGE_CASES += [
    Case(
        "authorities page",
        "GET",
        lambda w: f"{P}/authorities/",
        expect("operator", sees=("outsider", "readonly", "owner", "reviewer")),
        url_name="communities:authorities",
    ),
    Case(
        "calendars page",
        "GET",
        lambda w: f"{P}/{_cid(w)}/calendars/",
        MEMBERS_AND_OPERATOR,
        url_name="communities:calendars",
    ),
    Case(
        "community statistics page",
        "GET",
        lambda w: (_stats_ready(w), f"{P}/{_cid(w)}/statistics/")[1],
        STATS_OF_ONE,
        url_name="communities:statistics",
    ),
    Case(
        "statistics overview page",
        "GET",
        lambda w: (_stats_ready(w), f"{P}/statistics/")[1],
        expect("reviewer", "operator", sees=("outsider", "readonly", "owner")),
        url_name="communities:statistics_overview",
    ),
]

PUBLIC_PAGES = {"communities:list", "communities:detail", "communities:calendar_ics"}
PUBLIC_API = {
    ("GET", f"{API}"),
    ("GET", f"{API}/{{community_id}}"),
    ("GET", f"{API}/{{community_id}}/availability"),
}

APPS = ("communities", "notifications")
